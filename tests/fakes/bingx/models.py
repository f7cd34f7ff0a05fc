"""The fake exchange's records: accounts, positions and orders, and the number helpers they share.

Amounts are ``Decimal`` inside and BingX-style strings on the wire (``fmt``); ``dec`` turns a request
parameter into a ``Decimal`` or refuses it as BingX does.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from . import errors as E
from .errors import BingXError

ZERO = Decimal(0)

# BingX API key permission numbers (GET /openApi/v1/account/apiPermissions -> data.permissions)
PERMISSION_NUMBERS = {
    "enableSpotAndMarginTrading": 1,
    "enableReading": 2,
    "enableFutures": 3,
    "permitsUniversalTransfer": 4,
    "enableWithdrawals": 5,
    "enableInternalTransfer": 7,
}
DEFAULT_PERMISSIONS = {
    "enableReading": True,
    "enableFutures": True,
    "enableSpotAndMarginTrading": False,
    "permitsUniversalTransfer": False,
    "enableWithdrawals": False,
    "enableInternalTransfer": False,
    "ipRestrict": False,
}
CONDITIONAL_TYPES = {"STOP_MARKET", "TAKE_PROFIT_MARKET", "STOP", "TAKE_PROFIT", "TRIGGER_MARKET", "TRIGGER_LIMIT"}


def now_ms() -> int:
    return int(time.time() * 1000)


def to_ms(value) -> int:
    if value is None:
        return now_ms()
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    return int(value)


def dec(value, what: str = "value") -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise BingXError(E.INVALID_PARAMETERS, f"Invalid parameters, err: {what} must be a number") from exc
    if not result.is_finite():
        raise BingXError(E.INVALID_PARAMETERS, f"Invalid parameters, err: {what} must be a number")
    return result


def fmt(value: Decimal | None, places: int = 8) -> str:
    """A BingX-style decimal string (fixed point, no exponent)."""
    if value is None:
        return ""
    q = Decimal(1).scaleb(-places)
    return f"{Decimal(value).quantize(q):f}"


_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def new_key() -> str:
    """A 64-character alphanumeric key, like BingX's API keys and secrets."""
    return "".join(secrets.choice(_ALNUM) for _ in range(64))


@dataclass
class Position:
    symbol: str
    position_side: str  # LONG / SHORT (hedge) or BOTH (one-way)
    direction: int  # +1 long, -1 short
    qty: Decimal
    entry: Decimal
    margin: Decimal
    leverage: int
    isolated: bool
    position_id: int
    open_time: int
    update_time: int
    realised: Decimal = ZERO

    @property
    def side_name(self) -> str:
        return "LONG" if self.direction > 0 else "SHORT"


@dataclass
class Order:
    order_id: int
    symbol: str
    side: str  # BUY / SELL
    position_side: str
    type: str
    orig_qty: Decimal
    price: Decimal | None
    stop_price: Decimal | None
    client_order_id: str
    time: int
    update_time: int
    leverage: int
    working_type: str = "MARK_PRICE"
    time_in_force: str = "GTC"
    reduce_only: bool = False
    close_position: bool = False
    status: str = "NEW"
    executed_qty: Decimal = ZERO
    avg_price: Decimal = ZERO
    cum_quote: Decimal = ZERO
    profit: Decimal = ZERO
    commission: Decimal = ZERO
    stop_loss: dict | None = None  # attached on placement: {"type", "stopPrice", "quantity", "workingType", ...}
    take_profit: dict | None = None
    parent_order_id: int | None = None  # for SL/TP created from an attached stopLoss/takeProfit
    position_id: int = 0
    trigger_order_id: int = 0

    @property
    def is_conditional(self) -> bool:
        return self.type in CONDITIONAL_TYPES

    @property
    def is_open(self) -> bool:
        return self.status in ("NEW", "PENDING", "PARTIALLY_FILLED")


@dataclass
class Account:
    uid: str
    api_key: str
    secret: str
    permissions: dict
    referrer_uid: str | None = None
    direct_invitation: bool = True
    kyc: bool = True
    is_agent: bool = False
    position_mode: str = "hedge"  # "hedge" or "oneway"
    ip_addresses: list[str] = field(default_factory=list)
    swap: dict[str, Decimal] = field(default_factory=dict)  # perpetual futures wallet balance per asset
    spot: dict[str, Decimal] = field(default_factory=dict)
    fund: dict[str, Decimal] = field(default_factory=dict)
    locked: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (spot|fund, asset) -> locked amount
    realised: Decimal = ZERO
    deposits: list[dict] = field(default_factory=list)
    withdrawals: list[dict] = field(default_factory=list)
    funding: list[dict] = field(default_factory=list)  # income rows of type FUNDING_FEE (GET swap/v2/user/income)
    leverage: dict[tuple[str, str], int] = field(default_factory=dict)
    margin_type: dict[str, str] = field(default_factory=dict)
    positions: dict[tuple[str, str], Position] = field(default_factory=dict)
    orders: list[Order] = field(default_factory=list)
    fills: list[dict] = field(default_factory=list)  # one per executed order: symbol, qty, price, fee, ...
    client_ids: set[str] = field(default_factory=set)
    register_time: int = field(default_factory=now_ms)
    deposited: bool | None = None  # override of "ever deposited" for the agent endpoint
    traded: bool = False
    note: str = ""
    api_key_created: int = field(default_factory=now_ms)

    @property
    def hedged(self) -> bool:
        return self.position_mode == "hedge"

    def ever_deposited(self) -> bool:
        if self.deposited is not None:
            return self.deposited
        return any(d["status"] == 1 for d in self.deposits)

    def permission_numbers(self) -> list[int]:
        return sorted(n for name, n in PERMISSION_NUMBERS.items() if self.permissions.get(name))
