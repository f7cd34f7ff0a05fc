"""The fake exchange's state: accounts, balances, deposits, positions, orders and the matching rules.

Everything here is guarded by ``Exchange.lock`` (one re-entrant lock): HTTP handler threads and the
test's own scenario calls both go through it. Amounts are ``Decimal`` inside and BingX-style strings
on the wire (see ``server.py`` for the shapes).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from . import errors as E
from .errors import BingXError
from .markets import CONTRACTS, MAKER_FEE, TAKER_FEE, Contract

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


def _key() -> str:
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
    realised: Decimal = ZERO
    deposits: list[dict] = field(default_factory=list)
    withdrawals: list[dict] = field(default_factory=list)
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


class Exchange:
    """State and rules of the fake BingX. Public methods are safe to call from any thread."""

    def __init__(self, taker_fee: Decimal = TAKER_FEE, maker_fee: Decimal = MAKER_FEE, default_leverage: int = 5):
        self.lock = threading.RLock()
        self.contracts: dict[str, Contract] = {c.symbol: c for c in CONTRACTS}
        self.taker_fee = Decimal(taker_fee)
        self.maker_fee = Decimal(maker_fee)
        self.default_leverage = default_leverage
        self.clock_skew_ms = 0
        self._ids = itertools.count(1)
        self.reset()

    # ---------------------------------------------------------------- setup
    def reset(self) -> None:
        with self.lock:
            self.accounts: dict[str, Account] = {}
            self.by_key: dict[str, Account] = {}
            self.mark: dict[str, Decimal] = {c.symbol: c.mark_price for c in self.contracts.values()}
            self.index: dict[str, Decimal] = dict(self.mark)
            self.funding: dict[str, Decimal] = {c.symbol: c.funding_rate for c in self.contracts.values()}
            self.clock_skew_ms = 0

    def server_time(self) -> int:
        return now_ms() + self.clock_skew_ms

    def next_id(self) -> int:
        # 19-digit snowflake ids like BingX's order ids (ms since 2010-11-04 << 22, plus a sequence)
        return ((self.server_time() - 1288834974657) << 22) + (next(self._ids) % (1 << 22))

    def add_account(self, uid, api_key=None, secret=None, permissions=None, referrer_uid=None,
                    direct_invitation=True, kyc=True, balances=None, position_mode="hedge",
                    is_agent=False, ip_addresses=None, register_time=None, deposited=None) -> Account:
        uid = str(uid)
        if position_mode not in ("hedge", "oneway"):
            raise ValueError("position_mode must be 'hedge' or 'oneway'")
        perms = dict(DEFAULT_PERMISSIONS)
        perms.update(permissions or {})
        unknown = set(perms) - set(DEFAULT_PERMISSIONS)
        if unknown:
            raise ValueError(f"unknown permission flags: {sorted(unknown)}")
        api_key = api_key or _key()
        secret = secret or _key()
        if len(api_key) < 16 or len(secret) < 16:
            raise ValueError("api_key and secret must be at least 16 characters")
        with self.lock:
            if uid in self.accounts:
                raise ValueError(f"uid {uid} already exists")
            if api_key in self.by_key:
                raise ValueError("api_key already in use")
            acct = Account(
                uid=uid, api_key=api_key, secret=secret, permissions=perms,
                referrer_uid=None if referrer_uid is None else str(referrer_uid),
                direct_invitation=bool(direct_invitation), kyc=bool(kyc), is_agent=is_agent,
                position_mode=position_mode,
                ip_addresses=list(ip_addresses or (["127.0.0.1"] if perms["ipRestrict"] else [])),
                register_time=to_ms(register_time), deposited=deposited,
            )
            for asset, amount in (balances or {}).items():
                acct.swap[asset] = Decimal(str(amount))
            self.accounts[uid] = acct
            self.by_key[api_key] = acct
            return acct

    def account(self, uid) -> Account:
        try:
            return self.accounts[str(uid)]
        except KeyError:
            raise KeyError(f"no account with uid {uid}") from None

    def set_permissions(self, uid, **flags) -> None:
        with self.lock:
            acct = self.account(uid)
            unknown = set(flags) - set(DEFAULT_PERMISSIONS) - {"ip_addresses"}
            if unknown:
                raise ValueError(f"unknown permission flags: {sorted(unknown)}")
            if "ip_addresses" in flags:
                acct.ip_addresses = list(flags.pop("ip_addresses") or [])
            acct.permissions.update({k: bool(v) for k, v in flags.items()})
            if "ipRestrict" in flags:
                if flags["ipRestrict"] and not acct.ip_addresses:
                    acct.ip_addresses = ["127.0.0.1"]
                if not flags["ipRestrict"]:
                    acct.ip_addresses = []

    def set_balance(self, uid, asset: str, amount, wallet: str = "swap") -> None:
        with self.lock:
            acct = self.account(uid)
            getattr(acct, wallet)[asset] = Decimal(str(amount))

    def add_deposit(self, uid, amount, coin="USDT", status=1, time=None, network="TRC20", tx_id=None,
                    address=None, credit=True) -> dict:
        with self.lock:
            acct = self.account(uid)
            insert_time = to_ms(time)
            tx = tx_id or "0x" + hashlib.sha256(f"{uid}{amount}{insert_time}{next(self._ids)}".encode()).hexdigest()
            record = {
                "amount": fmt(Decimal(str(amount))),
                "coin": coin,
                "network": network,
                "status": int(status),
                "address": address or ("T" + hashlib.sha256(uid.encode()).hexdigest()[:33]),
                "addressTag": "",
                "txId": tx,
                "insertTime": insert_time,
                "transferType": 0,
                "unlockConfirm": "12/12" if int(status) == 1 else "0/12",
                "confirmTimes": "12/12" if int(status) == 1 else "1/12",
                "sourceAddress": "T" + hashlib.sha256(tx.encode()).hexdigest()[:33],
            }
            acct.deposits.append(record)
            if credit and int(status) == 1:
                acct.fund[coin] = acct.fund.get(coin, ZERO) + Decimal(str(amount))
            return dict(record)

    def add_withdrawal(self, uid, amount, coin="USDT", status=6, time=None, network="TRC20", address=None,
                       fee="1") -> dict:
        with self.lock:
            acct = self.account(uid)
            ts = to_ms(time)
            record = {
                "address": address or "TXyZ" + hashlib.sha256(f"w{uid}{ts}".encode()).hexdigest()[:30],
                "amount": fmt(Decimal(str(amount))),
                "applyTime": datetime.fromtimestamp(ts / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S"),
                "coin": coin,
                "id": str(self.next_id()),
                "network": network,
                "transferType": 1,
                "status": int(status),
                "transactionFee": fee,
                "confirmNo": 12 if int(status) == 6 else 0,
                "info": "",
                "txId": "0x" + hashlib.sha256(f"w{uid}{ts}{next(self._ids)}".encode()).hexdigest(),
                "_ts": ts,
            }
            acct.withdrawals.append(record)
            return {k: v for k, v in record.items() if not k.startswith("_")}

    # ---------------------------------------------------------------- lookups
    def contract(self, symbol: str | None) -> Contract:
        if not symbol:
            raise BingXError(E.PARAM_INVALID, "Invalid parameters, symbol: This field is required.")
        try:
            return self.contracts[symbol]
        except KeyError:
            raise BingXError(
                E.SYMBOL_NOT_EXIST,
                f"{symbol},symbol not exist, please verify it in api: /openApi/swap/v2/quote/contracts",
            ) from None

    def get_leverage(self, acct: Account, symbol: str, position_side: str) -> int:
        return acct.leverage.get((symbol, position_side), self.default_leverage)

    def is_isolated(self, acct: Account, symbol: str) -> bool:
        return acct.margin_type.get(symbol, "CROSSED") == "ISOLATED"

    # ---------------------------------------------------------------- accounting
    def unrealized(self, pos: Position) -> Decimal:
        return (self.mark[pos.symbol] - pos.entry) * pos.qty * pos.direction

    def margin_summary(self, acct: Account, asset: str = "USDT") -> dict:
        balance = acct.swap.get(asset, ZERO)
        if asset != "USDT":
            return {"balance": balance, "equity": balance, "unrealized": ZERO, "used": ZERO, "frozen": ZERO,
                    "available": balance, "realised": ZERO}
        unrealized = sum((self.unrealized(p) for p in acct.positions.values()), ZERO)
        used = sum((p.margin for p in acct.positions.values()), ZERO)
        frozen = ZERO
        for o in acct.orders:
            if o.is_open and o.type == "LIMIT" and not o.reduce_only and o.price is not None:
                lev = o.leverage or self.default_leverage
                frozen += o.price * (o.orig_qty - o.executed_qty) / lev
        equity = balance + unrealized
        available = equity - used - frozen
        return {
            "balance": balance, "equity": equity, "unrealized": unrealized, "used": used, "frozen": frozen,
            "available": max(available, ZERO), "realised": acct.realised,
        }

    # ---------------------------------------------------------------- settings
    def set_leverage(self, acct: Account, symbol: str, side: str, leverage) -> int:
        contract = self.contract(symbol)
        side = (side or "").upper()
        if side not in ("LONG", "SHORT", "BOTH"):
            raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, side: must be LONG, SHORT or BOTH")
        if acct.hedged and side == "BOTH":
            raise BingXError(E.INVALID_PARAMETERS,
                             "In the Hedge mode, the 'side' field can only be set to LONG or SHORT.")
        if not acct.hedged and side != "BOTH":
            raise BingXError(E.INVALID_PARAMETERS, "In the One-way mode, the 'side' field can only be set to BOTH.")
        lev = dec(leverage, "leverage")
        if lev != lev.to_integral_value() or lev < 1:
            raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, leverage: must be a positive integer")
        if lev > contract.max_leverage:
            raise BingXError(101414, f"The maximum leverage for the trading pair is {contract.max_leverage}, "
                                     "please reduce the leverage")
        acct.leverage[(symbol, side)] = int(lev)
        return int(lev)

    def set_margin_type(self, acct: Account, symbol: str, margin_type: str) -> None:
        self.contract(symbol)
        margin_type = (margin_type or "").upper()
        if margin_type not in ("ISOLATED", "CROSSED"):
            raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, marginType: must be ISOLATED or CROSSED")
        if acct.margin_type.get(symbol, "CROSSED") == margin_type:
            return
        if any(o.symbol == symbol and o.is_open for o in acct.orders):
            raise BingXError(*E.PENDING_ORDERS_ON_PAIR)
        if any(p.symbol == symbol for p in acct.positions.values()):
            raise BingXError(*E.HAS_POSITIONS_OR_ORDERS)
        acct.margin_type[symbol] = margin_type

    def set_position_mode(self, acct: Account, hedged: bool) -> None:
        mode = "hedge" if hedged else "oneway"
        if mode == acct.position_mode:
            return
        if acct.positions or any(o.is_open for o in acct.orders):
            raise BingXError(*E.HAS_POSITIONS_OR_ORDERS)
        acct.position_mode = mode

    # ---------------------------------------------------------------- orders
    def find_order(self, acct: Account, symbol: str, order_id=None, client_order_id=None) -> Order:
        for o in acct.orders:
            if o.symbol != symbol:
                continue
            if order_id is not None and o.order_id == order_id:
                return o
            if order_id is None and client_order_id and o.client_order_id == client_order_id.lower():
                return o
        raise BingXError(*E.ORDER_NOT_EXIST)

    def _check_qty(self, contract: Contract, qty: Decimal) -> None:
        if qty <= 0:
            raise BingXError(E.PARAM_INVALID, "Invalid parameters, quantity: must be greater than 0")
        if qty != qty.quantize(contract.step, rounding=ROUND_DOWN):
            raise BingXError(*E.ORDER_SIZE_ERROR)
        if qty < contract.trade_min_quantity:
            raise BingXError(101400, f"The minimum order amount is {contract.trade_min_quantity} {contract.asset}.")

    def _check_stop(self, kind: str, closing_direction: int, stop_price: Decimal, mark: Decimal) -> None:
        """kind: 'SL' or 'TP'; closing_direction: direction of the position the stop closes (+1 long)."""
        if kind == "SL":
            if closing_direction > 0 and stop_price >= mark:
                raise BingXError(*E.SL_ABOVE_PRICE)
            if closing_direction < 0 and stop_price <= mark:
                raise BingXError(*E.SL_BELOW_PRICE)
        else:
            if closing_direction > 0 and stop_price <= mark:
                raise BingXError(*E.TP_BELOW_PRICE)
            if closing_direction < 0 and stop_price >= mark:
                raise BingXError(*E.TP_ABOVE_PRICE)

    def _parse_attached(self, raw: str | None, name: str) -> dict | None:
        if raw is None or raw == "":
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            raise BingXError(E.INVALID_PARAMETERS, f"Invalid parameters, {name}: invalid JSON") from None
        if not isinstance(value, dict):
            raise BingXError(E.INVALID_PARAMETERS, f"Invalid parameters, {name}: must be a JSON object")
        if "stopPrice" not in value:
            raise BingXError(E.INVALID_PARAMETERS, f"Invalid parameters, {name}.stopPrice: This field is required.")
        return value

    def place_order(self, acct: Account, params: dict) -> Order:
        with self.lock:
            return self._place_order(acct, params)

    def _place_order(self, acct: Account, p: dict) -> Order:
        contract = self.contract(p.get("symbol"))
        symbol = contract.symbol
        otype = (p.get("type") or "").upper()
        side = (p.get("side") or "").upper()
        if side not in ("BUY", "SELL"):
            raise BingXError(E.PARAM_INVALID, "Invalid parameters, side: This field is required.")
        allowed = {"MARKET", "LIMIT"} | CONDITIONAL_TYPES
        if otype not in allowed:
            raise BingXError(E.PARAM_INVALID, f"Invalid parameters, type: {otype or 'This field is required.'}")
        position_side = (p.get("positionSide") or "").upper()
        if not position_side:
            position_side = "LONG" if acct.hedged else "BOTH"  # BingX: "defaults to LONG if empty"
        if acct.hedged and position_side not in ("LONG", "SHORT"):
            raise BingXError(*E.HEDGE_MODE_POSITION_SIDE)
        if not acct.hedged and position_side != "BOTH":
            raise BingXError(*E.ONE_WAY_POSITION_SIDE)
        reduce_only = str(p.get("reduceOnly", "false")).lower() == "true"
        if reduce_only and acct.hedged:
            # BingX: "reduceOnly ... This parameter is not accepted for both long and short positions mode"
            raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, reduceOnly: this parameter is not accepted "
                                                   "in the Hedge mode, close with side + positionSide")
        close_position = str(p.get("closePosition", "false")).lower() == "true"
        cid_raw = p.get("clientOrderID", p.get("clientOrderId"))
        cid = ""
        if cid_raw not in (None, ""):
            cid = str(cid_raw).lower()
            if len(cid) > 40:
                raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, clientOrderID: length must be 1 to 40")
            if cid in acct.client_ids:
                raise BingXError(*E.DUPLICATE_CLIENT_ORDER_ID)
        mark = self.mark[symbol]

        # what the order does to the position
        if acct.hedged:
            pos_dir = 1 if position_side == "LONG" else -1
            opening = (side == "BUY") == (pos_dir > 0)
        else:
            existing = acct.positions.get((symbol, "BOTH"))
            order_dir = 1 if side == "BUY" else -1
            opening = existing is None or existing.direction == order_dir
            pos_dir = order_dir if opening else existing.direction
            if reduce_only and opening and otype in ("MARKET", "LIMIT"):
                raise BingXError(*E.REDUCE_ONLY_OPENS)

        qty = None
        if not close_position:
            if p.get("quantity") in (None, ""):
                raise BingXError(E.PARAM_INVALID, "parameter quantity is must")
            qty = dec(p.get("quantity"), "quantity")
            self._check_qty(contract, qty)
        price = dec(p["price"], "price") if p.get("price") not in (None, "", "0") else None
        stop_price = dec(p["stopPrice"], "stopPrice") if p.get("stopPrice") not in (None, "", "0") else None
        if otype in ("LIMIT", "STOP", "TAKE_PROFIT", "TRIGGER_LIMIT") and price is None:
            raise BingXError(E.PARAM_INVALID, "Invalid parameters, price: This field is required.")
        if otype in CONDITIONAL_TYPES and stop_price is None:
            raise BingXError(E.PARAM_INVALID, "Invalid parameters, stopPrice: This field is required.")
        if close_position and otype not in ("STOP_MARKET", "TAKE_PROFIT_MARKET"):
            raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, closePosition: only STOP_MARKET and "
                                                   "TAKE_PROFIT_MARKET")
        for value, what in ((price, "price"), (stop_price, "stopPrice")):
            if value is not None and value != value.quantize(contract.tick, rounding=ROUND_DOWN):
                raise BingXError(E.INVALID_PARAMETERS, f"Invalid parameters, {what}: precision is over the maximum "
                                                       f"defined for this asset ({contract.price_precision})")

        sl = self._parse_attached(p.get("stopLoss"), "stopLoss")
        tp = self._parse_attached(p.get("takeProfit"), "takeProfit")
        if (sl or tp) and not opening:
            raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, stopLoss/takeProfit: only when opening a "
                                                   "position")
        for attached, kind, allowed_types in ((sl, "SL", ("STOP_MARKET", "STOP")),
                                              (tp, "TP", ("TAKE_PROFIT_MARKET", "TAKE_PROFIT"))):
            if attached is None:
                continue
            atype = str(attached.get("type", allowed_types[0])).upper()
            if atype not in allowed_types:
                raise BingXError(E.INVALID_PARAMETERS, f"Invalid parameters, type: only supports {allowed_types}")
            self._check_stop(kind, pos_dir, dec(attached["stopPrice"], "stopPrice"), mark)

        # standalone conditional orders that protect a position
        if otype in ("STOP_MARKET", "STOP", "TAKE_PROFIT_MARKET", "TAKE_PROFIT") and not opening:
            kind = "SL" if otype in ("STOP_MARKET", "STOP") else "TP"
            self._check_stop(kind, pos_dir, stop_price, mark)
            key = (symbol, position_side)
            if key not in acct.positions:
                raise BingXError(*E.NO_POSITION_TO_CLOSE)

        if otype == "MARKET" and not opening:
            key = (symbol, position_side)
            pos = acct.positions.get(key)
            if pos is None:
                raise BingXError(*E.NO_POSITION_TO_CLOSE)
            if qty > pos.qty and (acct.hedged or reduce_only):
                raise BingXError(*E.ORDER_SIZE_ERROR)

        leverage = self.get_leverage(acct, symbol, position_side)
        if otype == "LIMIT" and opening:
            self._require_margin(acct, qty * min(price, mark) if side == "BUY" else qty * max(price, mark), leverage)
        if otype == "MARKET" and opening:
            notional = qty * mark
            if notional < contract.trade_min_usdt:
                raise BingXError(101400, "Please ensure that the minimum nominal value of the order placed must be "
                                         f"greater than {contract.trade_min_usdt}u")
            self._require_margin(acct, notional, leverage)
        elif otype == "MARKET" and not acct.hedged:
            pos = acct.positions[(symbol, "BOTH")]
            if qty > pos.qty:  # flips: the part beyond the position opens the other way
                self._require_margin(acct, (qty - pos.qty) * mark, leverage)

        ts = self.server_time()
        order = Order(
            order_id=self.next_id(), symbol=symbol, side=side, position_side=position_side, type=otype,
            orig_qty=qty if qty is not None else ZERO, price=price, stop_price=stop_price, client_order_id=cid,
            time=ts, update_time=ts, leverage=leverage, working_type=str(p.get("workingType") or "MARK_PRICE"),
            time_in_force=str(p.get("timeInForce") or "GTC"), reduce_only=reduce_only or (
                otype in ("STOP_MARKET", "TAKE_PROFIT_MARKET", "STOP", "TAKE_PROFIT") and not opening),
            close_position=close_position, stop_loss=sl, take_profit=tp,
        )
        if cid:
            acct.client_ids.add(cid)
        acct.orders.append(order)

        if otype == "MARKET":
            self._execute(acct, order, mark, taker=True)
            for attached, kind in ((sl, "STOP_MARKET"), (tp, "TAKE_PROFIT_MARKET")):
                if attached is None:
                    continue
                a_qty = dec(attached.get("quantity", order.executed_qty), "quantity")
                child = Order(
                    order_id=self.next_id(), symbol=symbol, side="SELL" if pos_dir > 0 else "BUY",
                    position_side=position_side, type=str(attached.get("type", kind)).upper(), orig_qty=a_qty,
                    price=dec(attached["price"], "price") if attached.get("price") else None,
                    stop_price=dec(attached["stopPrice"], "stopPrice"), client_order_id="", time=ts, update_time=ts,
                    leverage=leverage, working_type=str(attached.get("workingType", "MARK_PRICE")),
                    reduce_only=True, parent_order_id=order.order_id,
                    position_id=acct.positions[(symbol, position_side)].position_id
                    if (symbol, position_side) in acct.positions else 0,
                )
                acct.orders.append(child)
        elif otype == "LIMIT" and ((side == "BUY" and price >= mark) or (side == "SELL" and price <= mark)):
            self._execute(acct, order, mark, taker=True)  # marketable: fills now, at the mark, as a taker
        return order

    def _require_margin(self, acct: Account, notional: Decimal, leverage: int) -> None:
        fee = notional * self.taker_fee
        needed = notional / leverage + fee
        if needed > self.margin_summary(acct)["available"]:
            raise BingXError(*E.INSUFFICIENT_MARGIN)

    def _execute(self, acct: Account, order: Order, price: Decimal, taker: bool) -> None:
        """Fill ``order`` completely at ``price``: open, add to, reduce, close or flip the position."""
        symbol = order.symbol
        fee_rate = self.taker_fee if taker else self.maker_fee
        order_dir = 1 if order.side == "BUY" else -1
        key = (symbol, order.position_side)
        pos = acct.positions.get(key)
        if order.close_position:
            order.orig_qty = pos.qty if pos else ZERO
        remaining = order.orig_qty
        profit = ZERO
        fee_total = ZERO
        ts = self.server_time()
        # closing part
        if pos is not None and pos.direction != order_dir:
            close_qty = min(remaining, pos.qty)
            pnl = (price - pos.entry) * close_qty * pos.direction
            fee = price * close_qty * fee_rate
            released = pos.margin * close_qty / pos.qty
            pos.margin -= released
            pos.qty -= close_qty
            pos.realised += pnl - fee
            pos.update_time = ts
            acct.swap["USDT"] = acct.swap.get("USDT", ZERO) + pnl - fee
            acct.realised += pnl - fee
            profit += pnl
            fee_total += fee
            remaining -= close_qty
            if pos.qty == 0:
                del acct.positions[key]
                self._cancel_protection(acct, symbol, order.position_side, except_id=order.order_id)
            pos = acct.positions.get(key)
            if acct.hedged or order.reduce_only:
                remaining = ZERO
        # opening part
        if remaining > 0:
            fee = price * remaining * fee_rate
            leverage = self.get_leverage(acct, symbol, order.position_side)
            margin = price * remaining / leverage
            if pos is None:
                pos = Position(
                    symbol=symbol, position_side=order.position_side, direction=order_dir, qty=ZERO, entry=price,
                    margin=ZERO, leverage=leverage, isolated=self.is_isolated(acct, symbol),
                    position_id=self.next_id(), open_time=ts, update_time=ts,
                )
                acct.positions[key] = pos
            pos.entry = (pos.entry * pos.qty + price * remaining) / (pos.qty + remaining)
            pos.qty += remaining
            pos.margin += margin
            pos.leverage = leverage
            pos.realised -= fee
            pos.update_time = ts
            acct.swap["USDT"] = acct.swap.get("USDT", ZERO) - fee
            acct.realised -= fee
            fee_total += fee
        acct.fills.append({"order": order, "qty": order.orig_qty, "price": price, "fee": fee_total, "time": ts,
                           "pnl": profit})
        order.executed_qty = order.orig_qty
        order.avg_price = price
        order.cum_quote = price * order.orig_qty
        order.profit = profit
        order.commission = -fee_total
        order.status = "FILLED"
        order.update_time = ts
        acct.traded = True

    def _cancel_protection(self, acct: Account, symbol: str, position_side: str, except_id: int | None = None) -> None:
        """A closed position takes its stop-loss / take-profit orders with it."""
        ts = self.server_time()
        for o in acct.orders:
            if (o.is_open and o.symbol == symbol and o.position_side == position_side and o.reduce_only
                    and o.order_id != except_id):
                o.status = "CANCELLED"
                o.update_time = ts

    def cancel_order(self, acct: Account, symbol: str, order_id=None, client_order_id=None) -> Order:
        with self.lock:
            try:
                order = self.find_order(acct, symbol, order_id, client_order_id)
            except BingXError:
                raise BingXError(*E.CANCEL_NOT_EXIST) from None
            if not order.is_open:
                raise BingXError(*E.CANCEL_NOT_OPEN)
            order.status = "CANCELLED"
            order.update_time = self.server_time()
            return order

    def cancel_all(self, acct: Account, symbol: str | None) -> list[Order]:
        with self.lock:
            done = []
            for o in acct.orders:
                if o.is_open and (symbol is None or o.symbol == symbol):
                    o.status = "CANCELLED"
                    o.update_time = self.server_time()
                    done.append(o)
            return done

    # ---------------------------------------------------------------- prices
    def set_mark_price(self, symbol: str, price) -> list[Order]:
        """Move the mark price; returns the orders it triggered or filled."""
        with self.lock:
            contract = self.contract(symbol)
            price = Decimal(str(price)).quantize(contract.tick)
            self.mark[symbol] = price
            self.index[symbol] = price
            triggered = []
            for acct in self.accounts.values():
                for o in list(acct.orders):
                    if not o.is_open or o.symbol != symbol:
                        continue
                    if o.type == "LIMIT":
                        if self._maybe_fill_limit(acct, o):
                            triggered.append(o)
                        continue
                    if not self._triggers(o, price):
                        continue
                    key = (o.symbol, o.position_side)
                    pos = acct.positions.get(key)
                    if o.reduce_only:
                        if pos is None:
                            o.status = "CANCELLED"
                            o.update_time = self.server_time()
                            continue
                        if o.close_position or o.orig_qty > pos.qty:
                            o.orig_qty = pos.qty
                    o.trigger_order_id = o.order_id
                    if not o.reduce_only and o.orig_qty:
                        try:
                            self._require_margin(acct, o.orig_qty * price, self.get_leverage(acct, o.symbol,
                                                                                            o.position_side))
                        except BingXError:
                            o.status = "FAILED"
                            o.update_time = self.server_time()
                            continue
                    self._execute(acct, o, price if o.type.endswith("MARKET") else (o.price or price), taker=True)
                    triggered.append(o)
            return triggered

    @staticmethod
    def _triggers(o: Order, mark: Decimal) -> bool:
        if o.stop_price is None:
            return False
        if o.type in ("STOP_MARKET", "STOP"):
            return mark <= o.stop_price if o.side == "SELL" else mark >= o.stop_price
        if o.type in ("TAKE_PROFIT_MARKET", "TAKE_PROFIT"):
            return mark >= o.stop_price if o.side == "SELL" else mark <= o.stop_price
        if o.type in ("TRIGGER_MARKET", "TRIGGER_LIMIT"):
            return mark >= o.stop_price if o.side == "BUY" else mark <= o.stop_price
        return False

    def _maybe_fill_limit(self, acct: Account, o: Order) -> bool:
        mark = self.mark[o.symbol]
        if (o.side == "BUY" and mark <= o.price) or (o.side == "SELL" and mark >= o.price):
            key = (o.symbol, o.position_side)
            opening = key not in acct.positions or acct.positions[key].direction == (1 if o.side == "BUY" else -1)
            if not opening and key not in acct.positions:
                return False
            self._execute(acct, o, o.price, taker=False)
            return True
        return False
