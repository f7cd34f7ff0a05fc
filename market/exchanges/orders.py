"""Orders, positions and trading settings on BingX USDT-margined perpetual swaps.

Placing an order is never blindly retried. After an answer that leaves the outcome open (timeout,
network error, 5xx, malformed body) the order is looked up by its client order id: found, it is
returned; proven absent (BingX: "order not exist"), it is placed once more under the same client order
id, so BingX's duplicate check still guards against a late first request. A duplicate-id refusal means
"already placed": the existing order is returned. When the lookup itself fails the caller gets
OrderStateUnknown with the client order id to reconcile later; so does a refusal of the retry (429,
rejection), which proves nothing about the first request, still possibly in BingX's queue.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import ccxt

from market.exchanges import bingx, calls, errors, settings_cache
from market.exchanges.credentials import ApiCredentials
from market.exchanges.types import MalformedValue, MarginMode, Order, Position, PositionMode, PositionSide, Side

logger = logging.getLogger(__name__)

_LEVERAGE_SIDES = {"long": "LONG", "short": "SHORT", "both": "BOTH"}
_POSITION_MODES = {"hedge": True, "one-way": False}
_MARGIN_MODES = ("cross", "isolated")
PLACE_ATTEMPTS = 2


def _accepted(response: Any) -> None:
    """A settings answer must be a BingX envelope with code 0."""
    if not isinstance(response, dict) or response.get("code") not in (0, "0"):
        raise MalformedValue("the answer is not a success envelope")


def _positive(value: Decimal, name: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise errors.InvalidRequest(f"{name} must be a positive Decimal.")
    return value


# --- Settings -------------------------------------------------------------------------------------
def position_mode(creds: ApiCredentials, *, cached: bool = False) -> PositionMode:
    """``hedge`` (separate long and short positions; new BingX accounts) or ``one-way``.

    ``cached``: the mode read or set on this credential within the settings TTL, if any (``settings_cache``).
    """
    mode = settings_cache.recall(creds, "position_mode") if cached else None
    if mode is None:
        mode = calls.private(
            creds, "position_mode", lambda c: bingx.position_mode_from(c.swapV1PrivateGetPositionSideDual())
        )
        settings_cache.remember(creds, mode, "position_mode")
    return mode


def set_position_mode(creds: ApiCredentials, mode: PositionMode) -> None:
    """Switch hedge / one-way mode (BingX refuses while positions or orders are open)."""
    if mode not in _POSITION_MODES:
        raise errors.InvalidRequest("The position mode is 'hedge' or 'one-way'.")
    settings_cache.forget(creds, "position_mode")
    calls.private(creds, "set_position_mode", lambda c: _accepted(c.set_position_mode(_POSITION_MODES[mode])))
    settings_cache.remember(creds, mode, "position_mode")


def set_leverage(creds: ApiCredentials, symbol: str, leverage: int, side: str, *, cached: bool = False) -> None:
    """Leverage for one side: ``long``/``short`` in hedge mode, ``both`` in one-way mode.

    ``cached``: not sent again when this credential set the same leverage for ``symbol``/``side`` within
    the settings TTL (``settings_cache``).
    """
    if isinstance(leverage, bool) or not isinstance(leverage, int) or leverage < 1:
        raise errors.InvalidRequest("Leverage is a positive integer.")
    if side not in _LEVERAGE_SIDES:
        raise errors.InvalidRequest("The leverage side is 'long', 'short' or 'both'.")
    what = ("leverage", symbol, side)
    if cached and settings_cache.recall(creds, *what) == leverage:
        return
    settings_cache.forget(creds, *what)
    calls.private(
        creds,
        "set_leverage",
        lambda c: _accepted(c.set_leverage(leverage, symbol, {"side": _LEVERAGE_SIDES[side]})),
    )
    settings_cache.remember(creds, leverage, *what)


def set_margin_mode(creds: ApiCredentials, symbol: str, mode: MarginMode) -> None:
    """``cross`` or ``isolated`` margin for one symbol (BingX refuses while positions or orders are open)."""
    if mode not in _MARGIN_MODES:
        raise errors.InvalidRequest("The margin mode is 'cross' or 'isolated'.")
    calls.private(creds, "set_margin_mode", lambda c: _accepted(c.set_margin_mode(mode, symbol)))


# --- Reading orders and positions -----------------------------------------------------------------
def fetch_order(
    creds: ApiCredentials, symbol: str, order_id: str | None = None, client_order_id: str | None = None
) -> Order | None:
    """One order by exchange id or by client order id; None when BingX says it does not exist."""
    if (order_id is None) == (client_order_id is None):
        raise errors.InvalidRequest("Give exactly one of order_id and client_order_id.")

    def fetch(c: Any) -> Order | None:
        market = c.market(symbol)
        request: dict[str, Any] = {"symbol": market["id"]}
        if order_id is not None:
            request["orderId"] = str(order_id)
        else:
            request["clientOrderId"] = bingx.normalized_client_order_id(client_order_id)
        try:
            raw = c.swapV2PrivateGetTradeOrder(request)
        except ccxt.OrderNotFound:
            return None
        return bingx.order_from(c.parse_order(bingx.order_row(raw), market))

    return calls.private(creds, "fetch_order", fetch)


def open_orders(creds: ApiCredentials, symbol: str | None = None) -> list[Order]:
    """Open orders (including attached stop-loss / take-profit orders), for one symbol or all."""

    def fetch(c: Any) -> list[Order]:
        request = {"symbol": c.market(symbol)["id"]} if symbol else {}
        rows = bingx.order_rows(c.swapV2PrivateGetTradeOpenOrders(request))
        return [bingx.order_from(c.parse_order(row)) for row in rows]

    return calls.private(creds, "open_orders", fetch)


def positions(creds: ApiCredentials, symbol: str | None = None) -> list[Position]:
    """Open positions, for one symbol or all. A malformed answer raises, never reads as "none"."""

    def fetch(c: Any) -> list[Position]:
        request = {"symbol": c.market(symbol)["id"]} if symbol else {}
        rows = bingx.position_rows(c.swapV2PrivateGetUserPositions(request))
        parsed = [bingx.position_from(c.parse_position(row)) for row in rows]
        return [p for p in parsed if p is not None and (symbol is None or p.symbol == symbol)]

    return calls.private(creds, "positions", fetch)


def cancel_order(
    creds: ApiCredentials, symbol: str, order_id: str | None = None, client_order_id: str | None = None
) -> Order:
    """Cancel one order (retried: cancelling twice is harmless). An order already cancelled is returned."""
    if (order_id is None) == (client_order_id is None):
        raise errors.InvalidRequest("Give exactly one of order_id and client_order_id.")
    cid = bingx.normalized_client_order_id(client_order_id) if client_order_id else None
    params = {"clientOrderId": cid} if cid else {}
    try:
        return calls.private(
            creds, "cancel_order", lambda c: bingx.order_from(c.cancel_order(order_id, symbol, dict(params)))
        )
    except (errors.OrderRejected, errors.InvalidRequest) as refusal:
        # A retried cancel meets an order the first attempt already cancelled.
        existing = fetch_order(creds, symbol, order_id=order_id, client_order_id=cid)
        if existing is not None and existing.status == "canceled":
            return existing
        raise refusal


# --- Placing orders -------------------------------------------------------------------------------
def client_order_id(idempotency_key: str | None = None) -> str:
    """The client order id an order will carry: derived from ``idempotency_key``, random without one."""
    return bingx.new_client_order_id(idempotency_key)


def _order_params(
    cid: str, hedged: bool, reduce_only: bool, stop_loss: Decimal | None, take_profit: Decimal | None
) -> dict[str, Any]:
    params: dict[str, Any] = {"clientOrderId": cid}
    if hedged:
        params["hedged"] = True  # ccxt sends positionSide LONG/SHORT (from side and reduceOnly)
    if reduce_only:
        params["reduceOnly"] = True
    if stop_loss is not None:
        params["stopLoss"] = {"triggerPrice": str(stop_loss)}
    if take_profit is not None:
        params["takeProfit"] = {"triggerPrice": str(take_profit)}
    return params


def _create(creds: ApiCredentials, symbol: str, side: Side, amount: Decimal, params: dict) -> Order:
    """One create_order request, never retried; an answer without an order id raises (outcome open)."""
    return calls.private(
        creds,
        "create_order",
        lambda c: bingx.order_from(c.create_order(symbol, "market", side, str(amount), None, dict(params))),
        retry=False,
        placing_order=True,
    )


def _lookup(creds: ApiCredentials, symbol: str, cid: str, cause: errors.GatewayError) -> Order | None:
    """The order with ``cid``, or None when BingX proves it absent; OrderStateUnknown if it cannot tell."""
    try:
        return fetch_order(creds, symbol, client_order_id=cid)
    except errors.GatewayError as exc:
        raise errors.OrderStateUnknown(
            f"The order's outcome is unknown ({cause.message}); looking it up failed too ({exc.message}). "
            f"Reconcile with client order id {cid}.",
            client_order_id=cid,
        ) from None


def _raise_refusal(exc: errors.GatewayError, cid: str, earlier: errors.GatewayError | None) -> None:
    """Re-raise a refusal of a retry as what it proves. Alone it proves nothing was placed; after an attempt
    whose outcome was open it does not: that request, proven absent a moment ago, may still be in BingX's
    queue and land later (a fault soak caught a 429 on the retry, then the first request filling)."""
    if earlier is None:
        raise exc
    raise errors.OrderStateUnknown(
        f"The retry was refused ({exc.message}) after an attempt whose outcome was open ({earlier.message}), "
        f"which may still land. Reconcile with client order id {cid}.",
        client_order_id=cid,
    ) from None


def _place_or_find(creds: ApiCredentials, symbol: str, side: Side, amount: Decimal, params: dict) -> Order:
    cid = params["clientOrderId"]
    last: errors.GatewayError | None = None
    for attempt in range(1, PLACE_ATTEMPTS + 1):
        try:
            return _create(creds, symbol, side, amount, params)
        except errors.DuplicateOrder as exc:
            found = _lookup(creds, symbol, cid, exc)
            if found is None:
                raise errors.OrderStateUnknown(
                    f"BingX reports client order id {cid} as taken but cannot find it.", client_order_id=cid
                ) from None
            logger.info("Order %s was already placed; returning it", cid)
            return found
        except (errors.CircuitOpen, errors.RateLimited) as exc:
            # not sent, or refused before processing: this attempt placed nothing (an earlier one may have)
            _raise_refusal(exc, cid, last)
        except (errors.OrderRejected, errors.InsufficientFunds, errors.InvalidRequest) as exc:
            # BingX's 109400 ("invalid parameters") covers a position side that no longer matches the
            # mode, and a leverage other than ours can leave the margin short: after any refusal the
            # next order reads this credential's settings again. Never retried here.
            settings_cache.forget(creds)
            _raise_refusal(exc, cid, last)
        except errors.ExchangeUnavailable as exc:
            last = exc
            found = _lookup(creds, symbol, cid, exc)
            if found is not None:
                logger.info("Order %s was placed despite %s; returning it", cid, exc.message)
                return found
            logger.info("Order %s proven absent after attempt %d (%s)", cid, attempt, exc.message)
    raise errors.ExchangeUnavailable(f"BingX did not take the order (client order id {cid}): {last.message}")


def _confirmed(creds: ApiCredentials, symbol: str, placed: Order) -> Order:
    """The order as BingX reports it after placing (create_order's answer has no status or fill)."""
    if placed.status is not None:
        return placed
    try:
        return fetch_order(creds, symbol, order_id=placed.id) or placed
    except errors.GatewayError as exc:
        logger.warning("Order %s placed but its fill could not be read: %s", placed.id, exc.message)
        return placed


def place_market_order(
    creds: ApiCredentials,
    symbol: str,
    side: Side,
    amount: Decimal,
    stop_loss: Decimal | None = None,
    take_profit: Decimal | None = None,
    client_order_id: str | None = None,
    reduce_only: bool = False,
    *,
    idempotency_key: str | None = None,
    mode: PositionMode | None = None,
) -> Order:
    """A market order with optional attached stop-loss / take-profit (trigger prices, mark price).

    ``client_order_id`` (lower-cased) or one derived from ``idempotency_key`` (or a random one) marks the
    order; the same key never places twice. Returns the order as BingX reports it after placing
    (``status`` None if that read failed). Raises OrderRejected, InsufficientFunds, RateLimited,
    ExchangeUnavailable (nothing placed) or OrderStateUnknown (reconcile by client order id).
    ``mode``: the account's position mode as the caller just read it (else it is read here).
    """
    if side not in ("buy", "sell"):
        raise errors.InvalidRequest("The side is 'buy' or 'sell'.")
    _positive(amount, "amount")
    for name, price in (("stop_loss", stop_loss), ("take_profit", take_profit)):
        if price is not None:
            _positive(price, name)
    if client_order_id is not None and idempotency_key is not None:
        raise errors.InvalidRequest("Give a client order id or an idempotency key, not both.")
    cid = (
        bingx.normalized_client_order_id(client_order_id)
        if client_order_id
        else bingx.new_client_order_id(idempotency_key)
    )
    hedged = (mode or position_mode(creds)) == "hedge"
    params = _order_params(cid, hedged, reduce_only, stop_loss, take_profit)
    placed = _place_or_find(creds, symbol, side, amount, params)
    return _confirmed(creds, symbol, placed)


def place_protective_order(
    creds: ApiCredentials,
    symbol: str,
    side: PositionSide,
    amount: Decimal,
    trigger_price: Decimal,
    kind: str,
    client_order_id: str | None = None,
    *,
    idempotency_key: str | None = None,
) -> Order:
    """A reduce-only stop-loss (``kind="stop_loss"``) or take-profit (``"take_profit"``) for ``amount`` of
    the ``side`` position: a STOP_MARKET / TAKE_PROFIT_MARKET order triggered by the mark price.

    Placed exactly once like ``place_market_order`` (same client order id rules and errors); it rests
    until the mark crosses ``trigger_price`` and goes with the position when the position closes.
    """
    if side not in ("long", "short"):
        raise errors.InvalidRequest("The position side is 'long' or 'short'.")
    if kind not in ("stop_loss", "take_profit"):
        raise errors.InvalidRequest("The kind is 'stop_loss' or 'take_profit'.")
    _positive(amount, "amount")
    _positive(trigger_price, "trigger_price")
    if client_order_id is not None and idempotency_key is not None:
        raise errors.InvalidRequest("Give a client order id or an idempotency key, not both.")
    cid = (
        bingx.normalized_client_order_id(client_order_id)
        if client_order_id
        else bingx.new_client_order_id(idempotency_key)
    )
    # ccxt turns stopLossPrice/takeProfitPrice on a market order into STOP_MARKET/TAKE_PROFIT_MARKET and,
    # in hedge mode, picks the closing positionSide from reduceOnly (which it then leaves out, as BingX wants).
    params = _order_params(cid, position_mode(creds) == "hedge", True, None, None)
    params["stopLossPrice" if kind == "stop_loss" else "takeProfitPrice"] = str(trigger_price)
    params["workingType"] = "MARK_PRICE"
    placed = _place_or_find(creds, symbol, "sell" if side == "long" else "buy", amount, params)
    return _confirmed(creds, symbol, placed)


def close_position(
    creds: ApiCredentials,
    symbol: str,
    side: PositionSide,
    amount: Decimal | None = None,
    client_order_id: str | None = None,
    *,
    idempotency_key: str | None = None,
) -> Order | None:
    """Close (all or ``amount`` of) the ``side`` position with a reduce-only market order.

    Returns None when no such position is open.
    """
    if side not in ("long", "short"):
        raise errors.InvalidRequest("The position side is 'long' or 'short'.")
    if amount is not None:
        _positive(amount, "amount")
    position = next((p for p in positions(creds, symbol) if p.side == side), None)
    if position is None:
        return None
    size = position.contracts if amount is None else min(amount, position.contracts)
    return place_market_order(
        creds,
        symbol,
        "sell" if side == "long" else "buy",
        size,
        client_order_id=client_order_id,
        reduce_only=True,
        idempotency_key=idempotency_key,
    )
