"""BingX quirks: answer shapes checked fail-closed, permissions, uid, referral, client order ids.

Functions here take BingX's raw answers (or ccxt's parse of them) and either return typed values or
raise MalformedValue, which the gateway turns into ExchangeUnavailable. An answer that lacks what we
need is never read as "nothing there".
"""

from __future__ import annotations

import hashlib
import re
import secrets
from decimal import Decimal
from typing import Any

from market.exchanges.errors import InvalidRequest
from market.exchanges.types import (
    AccountBalances,
    Balance,
    CoinBalance,
    Deposit,
    FundingPayment,
    MalformedValue,
    Order,
    Permissions,
    Position,
    PositionMode,
    ReferralCheck,
    Withdrawal,
    decimal_or_none,
    decimal_required,
    time_from_ms,
)

SWAP_SETTLE = "USDT"
# Stablecoins whose deposits count at face value in USD.
USD_STABLECOINS = frozenset({"USDT", "USDC"})
# BingX deposit status 1 = credited (0 and 6 are pending, others are failures); ccxt maps 1 to "ok".
DEPOSIT_CREDITED = "ok"
# The numbers BingX uses for key permissions in list form (``permissions: [2, 3]``).
_PERMISSION_NUMBERS = {
    1: "spot",
    2: "reading",
    3: "futures",
    4: "universal_transfer",
    5: "withdrawals",
    7: "internal_transfer",
}
_PERMISSION_FLAGS = {
    "enableReading": "reading",
    "enableFutures": "futures",
    "enableSpotAndMarginTrading": "spot",
    "enableWithdrawals": "withdrawals",
    "enableInternalTransfer": "internal_transfer",
    "permitsUniversalTransfer": "universal_transfer",
}
_CLIENT_ORDER_ID = re.compile(r"^[a-z0-9_-]{1,40}$")
_CLIENT_ORDER_ID_PREFIX = "fx"


# --- Envelopes ------------------------------------------------------------------------------------
def data_of(response: Any) -> Any:
    """``data`` of a BingX envelope ``{"code": 0, "data": ...}``; anything else is malformed."""
    if not isinstance(response, dict) or "data" not in response:
        raise MalformedValue("the answer has no data envelope")
    code = response.get("code")
    if code not in (0, "0", None):
        raise MalformedValue(f"the answer carries error code {code}")
    return response["data"]


def _flag(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise MalformedValue(f"{name} is not a boolean")


# --- Client order ids -----------------------------------------------------------------------------
def new_client_order_id(idempotency_key: str | None = None) -> str:
    """A lower-case client order id: derived from ``idempotency_key`` when given, random otherwise."""
    if idempotency_key is None:
        return _CLIENT_ORDER_ID_PREFIX + secrets.token_hex(16)
    if not idempotency_key:
        raise InvalidRequest("An idempotency key must not be empty.")
    digest = hashlib.sha256(f"flaxu-order:{idempotency_key}".encode()).hexdigest()
    return _CLIENT_ORDER_ID_PREFIX + digest[:32]


def normalized_client_order_id(value: str) -> str:
    """BingX lower-cases client order ids; we send them lower-case so they come back unchanged."""
    lowered = value.strip().lower()
    if not _CLIENT_ORDER_ID.match(lowered):
        raise InvalidRequest("A client order id is 1-40 characters of letters, digits, '_' or '-'.")
    return lowered


# --- Account --------------------------------------------------------------------------------------
def uid_from(response: Any) -> str:
    data = data_of(response)
    uid = data.get("uid") if isinstance(data, dict) else None
    if uid in (None, "", 0):
        raise MalformedValue("the uid answer has no uid")
    return str(uid)


def permissions_from(response: Any) -> Permissions:
    """Permissions from the flag form (``enableFutures: true``) and/or the number form (``[2, 3]``).

    Where both forms are present, a permission counts if either grants it, so a risky permission is
    never missed. Neither form present is malformed; an unknown permission number is kept (and refused).
    """
    data = data_of(response)
    if not isinstance(data, dict):
        raise MalformedValue("the permissions answer is not an object")
    granted: set[str] = set()
    has_flags = any(name in data for name in _PERMISSION_FLAGS)
    for name, permission in _PERMISSION_FLAGS.items():
        if name in data and _flag(data[name], name):
            granted.add(permission)
    numbers = data.get("permissions")
    if numbers is not None:
        if not isinstance(numbers, list):
            raise MalformedValue("permissions is not a list")
        for number in numbers:
            try:
                granted.add(_PERMISSION_NUMBERS.get(int(number), f"number {int(number)}"))
            except (TypeError, ValueError):
                raise MalformedValue("permissions holds a non-number") from None
    elif not has_flags:
        raise MalformedValue("the permissions answer has neither flags nor a permission list")
    known = set(_PERMISSION_FLAGS.values()) | set(_PERMISSION_NUMBERS.values())
    return Permissions(
        reading="reading" in granted,
        futures="futures" in granted,
        spot_trading="spot" in granted,
        withdrawals="withdrawals" in granted,
        internal_transfer="internal_transfer" in granted,
        universal_transfer="universal_transfer" in granted,
        ip_restricted=bool(data.get("ipRestrict")) or bool(data.get("ipAddresses")),
        unrecognised=tuple(sorted(granted - known)),
    )


def permission_refusal(permissions: Permissions) -> str | None:
    """Why FLAXU will not store this key, or None when it is acceptable."""
    risky = [
        label
        for label, granted in (
            ("withdrawals", permissions.withdrawals),
            ("internal transfers", permissions.internal_transfer),
            ("universal transfers", permissions.universal_transfer),
        )
        if granted
    ]
    if permissions.unrecognised:
        return (
            f"This API key has permissions FLAXU does not recognise ({', '.join(permissions.unrecognised)}); "
            "create a key with Read and Perpetual Futures only."
        )
    if risky:
        return (
            f"This API key allows {', '.join(risky)}. FLAXU never moves funds, so it only accepts keys "
            "without withdrawal or transfer permissions: create a key with Read and Perpetual Futures only."
        )
    missing = [
        label
        for label, granted in (("Read", permissions.reading), ("Perpetual Futures", permissions.futures))
        if not granted
    ]
    if missing:
        return f"This API key lacks the {' and '.join(missing)} permission(s) FLAXU needs to trade for you."
    return None


def referral_from(uid: str, response: Any) -> ReferralCheck:
    """BingX's inviteRelationCheck answer; the fields we decide on must be present."""
    data = data_of(response)
    if not isinstance(data, dict):
        raise MalformedValue("the referral answer is not an object")
    for name in ("inviteResult", "directInvitation"):
        if name not in data:
            raise MalformedValue(f"the referral answer lacks {name}")
    return ReferralCheck(
        uid=str(uid),
        invited=_flag(data["inviteResult"], "inviteResult"),
        direct=_flag(data["directInvitation"], "directInvitation"),
        kyc=_flag(data.get("kycResult", False), "kycResult"),
        deposited_ever=_flag(data.get("deposit", False), "deposit"),
        raw=dict(data),
    )


# --- Balances and money movements -----------------------------------------------------------------
def swap_balance_from(response: Any, currency: str = SWAP_SETTLE) -> Balance:
    """The USDT perpetual account from ``GET /openApi/swap/v3/user/balance`` (a list per asset)."""
    rows = data_of(response)
    if isinstance(rows, dict) and "balance" in rows:  # the v2 shape: {"balance": {...}}
        rows = [rows["balance"]]
    if not isinstance(rows, list):
        raise MalformedValue("the balance answer is not a list")
    row = next((r for r in rows if isinstance(r, dict) and r.get("asset") == currency), None)
    if row is None:
        raise MalformedValue(f"the balance answer has no {currency} entry")
    return Balance(
        currency=currency,
        balance=decimal_required(row.get("balance"), "balance"),
        equity=decimal_required(row.get("equity"), "equity"),
        available=decimal_required(row.get("availableMargin"), "availableMargin"),
        used_margin=decimal_or_none(row.get("usedMargin")) or Decimal(0),
        unrealized_pnl=decimal_or_none(row.get("unrealizedProfit")) or Decimal(0),
    )


def _coin_rows(response: Any, account: str) -> list[dict]:
    data = data_of(response)
    if account == "swap":
        rows = data
    else:  # spot: {"balances": [...]}; funding: {"assets": [...]}
        key = "balances" if account == "spot" else "assets"
        rows = data.get(key) if isinstance(data, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise MalformedValue(f"the {account} balance answer is not a list of assets")
    return rows


def coin_balances_from(account: str, response: Any) -> AccountBalances:
    """The non-zero coins of one account from BingX's raw balance answer (``fetch_balance``'s ``info``):
    swap ``GET /openApi/swap/v3/user/balance`` (per asset: availableMargin, usedMargin, freezedMargin,
    equity), spot ``GET /openApi/spot/v1/account/balance`` and funding ``GET /openApi/fund/v1/account/balance``
    (per asset: free, locked). BingX's own strings, so amounts are exact."""
    coins = []
    for row in _coin_rows(response, account):
        coin = row.get("asset")
        if not coin:  # BingX's swap v3 answer may carry an empty row (ccxt stops there too)
            continue
        if account == "swap":
            free = decimal_required(row.get("availableMargin"), "availableMargin")
            used = (decimal_or_none(row.get("usedMargin")) or Decimal(0)) + (
                decimal_or_none(row.get("freezedMargin")) or Decimal(0)
            )
            total = decimal_required(row.get("equity"), "equity")
        else:
            free = decimal_required(row.get("free"), "free")
            used = decimal_or_none(row.get("locked")) or Decimal(0)
            total = free + used
        if free or used or total:
            coins.append(CoinBalance(account=account, coin=str(coin), free=free, used=used, total=total))
    coins.sort(key=lambda c: c.coin)
    return AccountBalances(account=account, available=True, coins=tuple(coins))


def _transaction_list(transactions: Any) -> list[dict]:
    if not isinstance(transactions, list) or not all(isinstance(t, dict) for t in transactions):
        raise MalformedValue("the history answer is not a list of records")
    return transactions


def _raw_amount(tx: dict) -> Any:
    """BingX's own amount string (exact), falling back to ccxt's float."""
    info = tx.get("info")
    if isinstance(info, dict) and info.get("amount") not in (None, ""):
        return info["amount"]
    return tx.get("amount")


def deposits_from(transactions: Any) -> list[Deposit]:
    """Credited deposits only (ccxt status "ok" = BingX status 1), oldest first."""
    deposits = []
    for tx in _transaction_list(transactions):
        if tx.get("status") != DEPOSIT_CREDITED:
            continue
        currency = tx.get("currency")
        credited_at = time_from_ms(tx.get("timestamp"))
        if not currency or credited_at is None:
            raise MalformedValue("a deposit lacks its currency or time")
        amount = decimal_required(_raw_amount(tx), "amount")
        deposits.append(
            Deposit(
                currency=currency,
                amount=amount,
                usd_value=amount if currency in USD_STABLECOINS else None,
                credited_at=credited_at,
                tx_id=tx.get("txid"),
                network=tx.get("network"),
            )
        )
    return sorted(deposits, key=lambda d: d.credited_at)


def withdrawals_from(transactions: Any) -> list[Withdrawal]:
    withdrawals = []
    for tx in _transaction_list(transactions):
        currency = tx.get("currency")
        if not currency or tx.get("status") is None:
            raise MalformedValue("a withdrawal lacks its currency or status")
        fee = tx.get("fee") or {}
        withdrawals.append(
            Withdrawal(
                currency=currency,
                amount=decimal_required(_raw_amount(tx), "amount"),
                status=str(tx["status"]),
                requested_at=time_from_ms(tx.get("timestamp")),
                tx_id=tx.get("txid"),
                network=tx.get("network"),
                fee=decimal_or_none(fee.get("cost")) if isinstance(fee, dict) else None,
            )
        )
    return sorted(withdrawals, key=lambda w: w.requested_at or time_from_ms(0))


# --- Positions and orders -------------------------------------------------------------------------
def position_mode_from(response: Any) -> PositionMode:
    data = data_of(response)
    value = data.get("dualSidePosition") if isinstance(data, dict) else None
    if value in (True, "true"):
        return "hedge"
    if value in (False, "false"):
        return "one-way"
    raise MalformedValue("the position mode answer has no dualSidePosition")


def position_rows(response: Any) -> list[dict]:
    """The raw rows of ``GET /openApi/swap/v2/user/positions``; a missing list is malformed."""
    rows = data_of(response)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise MalformedValue("the positions answer is not a list of positions")
    for row in rows:
        if not row.get("symbol") or row.get("positionAmt") in (None, "") or not row.get("positionSide"):
            raise MalformedValue("a position lacks its symbol, size or side")
    return rows


def position_from(parsed: dict) -> Position | None:
    """A Position from ccxt's parse of one row; None for an empty (zero-size) row."""
    contracts = decimal_required(parsed.get("contracts"), "contracts")
    if contracts == 0:
        return None
    side = parsed.get("side")
    if side == "both":  # one-way mode: the sign says which way
        side = "long" if contracts > 0 else "short"
    if side not in ("long", "short"):
        raise MalformedValue(f"unknown position side {side!r}")
    info = parsed.get("info") or {}
    return Position(
        symbol=parsed["symbol"],
        side=side,
        contracts=abs(contracts),
        entry_price=decimal_or_none(parsed.get("entryPrice")),
        mark_price=decimal_or_none(parsed.get("markPrice")),
        unrealized_pnl=decimal_or_none(parsed.get("unrealizedPnl")),
        leverage=decimal_or_none(parsed.get("leverage")),
        margin_mode=parsed.get("marginMode"),
        liquidation_price=decimal_or_none(parsed.get("liquidationPrice")),
        notional=decimal_or_none(parsed.get("notional")),
        position_id=info.get("positionId") and str(info["positionId"]),
    )


def order_from(parsed: dict) -> Order:
    """An Order from ccxt's parse; an order without id or side is malformed."""
    order_id = parsed.get("id")
    side = parsed.get("side")
    if not order_id or side not in ("buy", "sell") or not parsed.get("symbol"):
        raise MalformedValue("the order answer lacks its id, side or symbol")
    info = parsed.get("info") or {}
    fee = parsed.get("fee") or {}
    return Order(
        id=str(order_id),
        client_order_id=(parsed.get("clientOrderId") or None) and str(parsed["clientOrderId"]).lower(),
        symbol=parsed["symbol"],
        side=side,
        type=str(info.get("type") or parsed.get("type") or "").lower(),  # BingX's: market, stop_market, ...
        amount=decimal_or_none(parsed.get("amount")),
        filled=decimal_or_none(parsed.get("filled")),
        average_price=decimal_or_none(parsed.get("average")),
        price=decimal_or_none(parsed.get("price")),
        status=parsed.get("status"),
        reduce_only=parsed.get("reduceOnly"),
        position_side=(info.get("positionSide") or None) and str(info["positionSide"]).lower(),
        stop_loss_price=decimal_or_none(parsed.get("stopLossPrice")),
        take_profit_price=decimal_or_none(parsed.get("takeProfitPrice")),
        fee=decimal_or_none(fee.get("cost")) if isinstance(fee, dict) else None,
        fee_currency=fee.get("currency") if isinstance(fee, dict) else None,
        created_at=time_from_ms(parsed.get("timestamp")),
    )


def order_row(response: Any) -> dict:
    """The order object of ``GET /openApi/swap/v2/trade/order`` (``data.order``)."""
    data = data_of(response)
    order = data.get("order", data) if isinstance(data, dict) else None
    if not isinstance(order, dict) or not order.get("orderId"):
        raise MalformedValue("the order answer has no order")
    return order


def order_rows(response: Any) -> list[dict]:
    """The orders of ``GET /openApi/swap/v2/trade/openOrders`` (``data.orders``)."""
    data = data_of(response)
    orders = data.get("orders") if isinstance(data, dict) else None
    if not isinstance(orders, list) or not all(isinstance(o, dict) for o in orders):
        raise MalformedValue("the open orders answer has no order list")
    return orders


def funding_payments_from(response: Any, market_id: str, symbol: str) -> list[FundingPayment]:
    """The FUNDING_FEE rows of ``GET /openApi/swap/v2/user/income`` for ``market_id`` (BingX id), oldest
    first; a row without its amount, time or id makes the whole answer malformed."""
    rows = data_of(response)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise MalformedValue("the income answer is not a list of rows")
    payments = []
    for row in rows:
        if row.get("incomeType") != "FUNDING_FEE" or row.get("symbol") != market_id:
            continue
        at = time_from_ms(row.get("time"))
        if at is None or not row.get("tranId"):
            raise MalformedValue("a funding row lacks its time or id")
        amount = decimal_required(row.get("income"), "income")
        payments.append(FundingPayment(str(row["tranId"]), symbol, amount, str(row.get("asset") or SWAP_SETTLE), at))
    return sorted(payments, key=lambda p: p.time)
