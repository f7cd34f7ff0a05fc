"""What the gateway returns: frozen dataclasses, money as Decimal, times as aware UTC datetimes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

Side = Literal["buy", "sell"]
PositionSide = Literal["long", "short"]
PositionMode = Literal["hedge", "one-way"]
MarginMode = Literal["cross", "isolated"]


class MalformedValue(ValueError):
    """A field the exchange sent cannot be read as the type we need."""


def decimal_or_none(value: Any) -> Decimal | None:
    """A Decimal from what ccxt hands back (str, int, float, None); floats go through their repr."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MalformedValue(f"expected a number, got {value!r}")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise MalformedValue(f"expected a number, got {value!r}") from None
    if not number.is_finite():
        raise MalformedValue(f"expected a finite number, got {value!r}")
    return number


def decimal_required(value: Any, name: str) -> Decimal:
    """Like decimal_or_none, but a missing value is malformed."""
    number = decimal_or_none(value)
    if number is None:
        raise MalformedValue(f"{name} is missing")
    return number


def time_from_ms(value: Any) -> datetime | None:
    """An aware UTC datetime from epoch milliseconds."""
    if value is None or value == "":
        return None
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise MalformedValue(f"expected epoch milliseconds, got {value!r}") from None


@dataclass(frozen=True, slots=True)
class Balance:
    """The USDT perpetual-futures account: wallet balance, equity (with unrealized PnL), margins."""

    currency: str
    balance: Decimal
    equity: Decimal
    available: Decimal
    used_margin: Decimal
    unrealized_pnl: Decimal


BalanceAccount = Literal["swap", "spot", "funding"]


@dataclass(frozen=True, slots=True)
class CoinBalance:
    """One coin in one of the user's exchange accounts: ``free`` to use, ``used`` (margin, frozen, locked in
    orders) and ``total`` (swap: equity, unrealized PnL included; spot and funding: free plus locked)."""

    account: BalanceAccount
    coin: str
    free: Decimal
    used: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class AccountBalances:
    """The non-zero coins of one exchange account, or why it could not be read (``available`` False).

    ``refused`` says the exchange refused the key for this account (missing permission, unknown key) rather
    than failing to answer; ``reason`` is the gateway's message (never a key or secret). ``futures`` (swap
    only) is the USDT perpetual account as ``balances()`` reads it, from the same answer."""

    account: BalanceAccount
    available: bool
    coins: tuple[CoinBalance, ...] = ()
    reason: str = ""
    refused: bool = False
    futures: Balance | None = None


@dataclass(frozen=True, slots=True)
class Deposit:
    """A credited deposit. ``usd_value`` is known for USD stablecoins only (None otherwise)."""

    currency: str
    amount: Decimal
    usd_value: Decimal | None
    credited_at: datetime
    tx_id: str | None
    network: str | None


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A withdrawal as the exchange lists it; ``status`` is ccxt's (pending, ok, failed, ...)."""

    currency: str
    amount: Decimal
    status: str
    requested_at: datetime | None
    tx_id: str | None
    network: str | None
    fee: Decimal | None


@dataclass(frozen=True, slots=True)
class Order:
    """An order. ``status`` is open, closed (filled), canceled, or None when not yet confirmed."""

    id: str
    client_order_id: str | None
    symbol: str
    side: Side
    type: str
    amount: Decimal | None
    filled: Decimal | None
    average_price: Decimal | None
    price: Decimal | None
    status: str | None
    reduce_only: bool | None
    position_side: str | None
    stop_loss_price: Decimal | None
    take_profit_price: Decimal | None
    fee: Decimal | None
    fee_currency: str | None
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class Position:
    """An open position; ``contracts`` is always positive, ``side`` says which way."""

    symbol: str
    side: PositionSide
    contracts: Decimal
    entry_price: Decimal | None
    mark_price: Decimal | None
    unrealized_pnl: Decimal | None
    leverage: Decimal | None
    margin_mode: str | None
    liquidation_price: Decimal | None
    notional: Decimal | None
    position_id: str | None


@dataclass(frozen=True, slots=True)
class Market:
    """A tradable market with its limits, precision (as step sizes) and fees."""

    exchange: str
    symbol: str
    id: str
    base: str
    quote: str
    settle: str | None
    type: str
    active: bool | None
    contract_size: Decimal | None
    amount_step: Decimal | None
    price_step: Decimal | None
    min_amount: Decimal | None
    max_amount: Decimal | None
    min_cost: Decimal | None
    max_leverage: Decimal | None
    maker_fee: Decimal | None
    taker_fee: Decimal | None


@dataclass(frozen=True, slots=True)
class Ticker:
    exchange: str
    symbol: str
    last: Decimal | None
    bid: Decimal | None
    ask: Decimal | None
    change_percent: Decimal | None
    base_volume: Decimal | None
    quote_volume: Decimal | None
    time: datetime | None


@dataclass(frozen=True, slots=True)
class OrderBook:
    """Bids (best first) and asks (best first) as (price, amount) pairs."""

    exchange: str
    symbol: str
    bids: tuple[tuple[Decimal, Decimal], ...]
    asks: tuple[tuple[Decimal, Decimal], ...]
    time: datetime | None


@dataclass(frozen=True, slots=True)
class Candle:
    time: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


@dataclass(frozen=True, slots=True)
class FundingRate:
    exchange: str
    symbol: str
    rate: Decimal
    next_funding_time: datetime | None
    mark_price: Decimal | None
    index_price: Decimal | None
    interval: str | None


@dataclass(frozen=True, slots=True)
class FundingPayment:
    """One funding settlement on the account: ``amount`` received in ``asset`` (negative: paid)."""

    id: str
    symbol: str
    amount: Decimal
    asset: str
    time: datetime


@dataclass(frozen=True, slots=True)
class OpenInterest:
    """Open interest in contracts (``amount``) and in quote currency (``value``) where known."""

    exchange: str
    symbol: str
    amount: Decimal | None
    value: Decimal | None
    time: datetime | None


@dataclass(frozen=True, slots=True)
class LongShortRatio:
    exchange: str
    symbol: str
    timeframe: str
    ratio: Decimal
    time: datetime


@dataclass(frozen=True, slots=True)
class Permissions:
    """What a BingX API key may do, as ``GET /openApi/v1/account/apiPermissions`` reports it.

    ``unrecognised`` holds permission numbers BingX sent that FLAXU does not know (refused, fail closed).
    """

    reading: bool
    futures: bool
    spot_trading: bool
    withdrawals: bool
    internal_transfer: bool
    universal_transfer: bool
    ip_restricted: bool
    unrecognised: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CredentialCheck:
    """Whether FLAXU accepts a key: ``accepted`` is True only when valid and not refused."""

    valid: bool
    uid: str | None
    permissions: Permissions | None
    refusal: str | None

    @property
    def accepted(self) -> bool:
        return self.valid and self.refusal is None


@dataclass(frozen=True, slots=True)
class ReferralCheck:
    """BingX's answer on whether ``uid`` was invited by the platform owner's agent account.

    ``deposited_ever`` is BingX's boolean (not an amount): deposits in a window come from deposits_since().
    """

    uid: str
    invited: bool
    direct: bool
    kyc: bool
    deposited_ever: bool
    raw: dict[str, Any] = field(default_factory=dict)
