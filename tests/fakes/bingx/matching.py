"""The fake exchange's order rules: leverage, margin type and position mode; placing an order (BingX's
checks and codes), filling it against the position, cancelling it.

Functions take the ``Exchange`` first and expect its lock held (``place_order`` takes it itself), as
the HTTP dispatch does for every request.
"""

from __future__ import annotations

import json
from decimal import ROUND_DOWN, Decimal

from . import errors as E
from .errors import BingXError
from .markets import Contract
from .models import CONDITIONAL_TYPES, ZERO, Account, Order, Position, dec
from .state import Exchange


def set_leverage(ex: Exchange, acct: Account, symbol: str, side: str, leverage) -> int:
    contract = ex.contract(symbol)
    side = (side or "").upper()
    if side not in ("LONG", "SHORT", "BOTH"):
        raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, side: must be LONG, SHORT or BOTH")
    if acct.hedged and side == "BOTH":
        raise BingXError(E.INVALID_PARAMETERS, "In the Hedge mode, the 'side' field can only be set to LONG or SHORT.")
    if not acct.hedged and side != "BOTH":
        raise BingXError(E.INVALID_PARAMETERS, "In the One-way mode, the 'side' field can only be set to BOTH.")
    lev = dec(leverage, "leverage")
    if lev != lev.to_integral_value() or lev < 1:
        raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, leverage: must be a positive integer")
    if lev > contract.max_leverage:
        raise BingXError(
            101414, f"The maximum leverage for the trading pair is {contract.max_leverage}, please reduce the leverage"
        )
    acct.leverage[(symbol, side)] = int(lev)
    return int(lev)


def set_margin_type(ex: Exchange, acct: Account, symbol: str, margin_type: str) -> None:
    ex.contract(symbol)
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


def set_position_mode(ex: Exchange, acct: Account, hedged: bool) -> None:
    mode = "hedge" if hedged else "oneway"
    if mode == acct.position_mode:
        return
    if acct.positions or any(o.is_open for o in acct.orders):
        raise BingXError(*E.HAS_POSITIONS_OR_ORDERS)
    acct.position_mode = mode


def find_order(ex: Exchange, acct: Account, symbol: str, order_id=None, client_order_id=None) -> Order:
    for o in acct.orders:
        if o.symbol != symbol:
            continue
        if order_id is not None and o.order_id == order_id:
            return o
        if order_id is None and client_order_id and o.client_order_id == client_order_id.lower():
            return o
    raise BingXError(*E.ORDER_NOT_EXIST)


def _check_qty(contract: Contract, qty: Decimal) -> None:
    if qty <= 0:
        raise BingXError(E.PARAM_INVALID, "Invalid parameters, quantity: must be greater than 0")
    if qty != qty.quantize(contract.step, rounding=ROUND_DOWN):
        raise BingXError(*E.ORDER_SIZE_ERROR)
    if qty < contract.trade_min_quantity:
        raise BingXError(101400, f"The minimum order amount is {contract.trade_min_quantity} {contract.asset}.")


def _check_stop(kind: str, closing_direction: int, stop_price: Decimal, mark: Decimal) -> None:
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


def _parse_attached(raw: str | None, name: str) -> dict | None:
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


def place_order(ex: Exchange, acct: Account, params: dict) -> Order:
    with ex.lock:
        return _place_order(ex, acct, params)


def _place_order(ex: Exchange, acct: Account, p: dict) -> Order:
    contract = ex.contract(p.get("symbol"))
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
        raise BingXError(
            E.INVALID_PARAMETERS,
            "Invalid parameters, reduceOnly: this parameter is not accepted "
            "in the Hedge mode, close with side + positionSide",
        )
    close_position = str(p.get("closePosition", "false")).lower() == "true"
    cid_raw = p.get("clientOrderID", p.get("clientOrderId"))
    cid = ""
    if cid_raw not in (None, ""):
        cid = str(cid_raw).lower()
        if len(cid) > 40:
            raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, clientOrderID: length must be 1 to 40")
        if cid in acct.client_ids:
            raise BingXError(*E.DUPLICATE_CLIENT_ORDER_ID)
    mark = ex.mark[symbol]

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
        _check_qty(contract, qty)
    price = dec(p["price"], "price") if p.get("price") not in (None, "", "0") else None
    stop_price = dec(p["stopPrice"], "stopPrice") if p.get("stopPrice") not in (None, "", "0") else None
    if otype in ("LIMIT", "STOP", "TAKE_PROFIT", "TRIGGER_LIMIT") and price is None:
        raise BingXError(E.PARAM_INVALID, "Invalid parameters, price: This field is required.")
    if otype in CONDITIONAL_TYPES and stop_price is None:
        raise BingXError(E.PARAM_INVALID, "Invalid parameters, stopPrice: This field is required.")
    if close_position and otype not in ("STOP_MARKET", "TAKE_PROFIT_MARKET"):
        raise BingXError(
            E.INVALID_PARAMETERS, "Invalid parameters, closePosition: only STOP_MARKET and TAKE_PROFIT_MARKET"
        )
    for value, what in ((price, "price"), (stop_price, "stopPrice")):
        if value is not None and value != value.quantize(contract.tick, rounding=ROUND_DOWN):
            raise BingXError(
                E.INVALID_PARAMETERS,
                f"Invalid parameters, {what}: precision is over the maximum "
                f"defined for this asset ({contract.price_precision})",
            )

    sl = _parse_attached(p.get("stopLoss"), "stopLoss")
    tp = _parse_attached(p.get("takeProfit"), "takeProfit")
    if (sl or tp) and not opening:
        raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, stopLoss/takeProfit: only when opening a position")
    for attached, kind, allowed_types in (
        (sl, "SL", ("STOP_MARKET", "STOP")),
        (tp, "TP", ("TAKE_PROFIT_MARKET", "TAKE_PROFIT")),
    ):
        if attached is None:
            continue
        atype = str(attached.get("type", allowed_types[0])).upper()
        if atype not in allowed_types:
            raise BingXError(E.INVALID_PARAMETERS, f"Invalid parameters, type: only supports {allowed_types}")
        _check_stop(kind, pos_dir, dec(attached["stopPrice"], "stopPrice"), mark)

    # standalone conditional orders that protect a position
    if otype in ("STOP_MARKET", "STOP", "TAKE_PROFIT_MARKET", "TAKE_PROFIT") and not opening:
        kind = "SL" if otype in ("STOP_MARKET", "STOP") else "TP"
        _check_stop(kind, pos_dir, stop_price, mark)
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

    leverage = ex.get_leverage(acct, symbol, position_side)
    if otype == "LIMIT" and opening:
        require_margin(ex, acct, qty * min(price, mark) if side == "BUY" else qty * max(price, mark), leverage)
    if otype == "MARKET" and opening:
        notional = qty * mark
        if notional < contract.trade_min_usdt:
            raise BingXError(
                101400,
                "Please ensure that the minimum nominal value of the order placed must be "
                f"greater than {contract.trade_min_usdt}u",
            )
        require_margin(ex, acct, notional, leverage)
    elif otype == "MARKET" and not acct.hedged:
        pos = acct.positions[(symbol, "BOTH")]
        if qty > pos.qty:  # flips: the part beyond the position opens the other way
            require_margin(ex, acct, (qty - pos.qty) * mark, leverage)

    ts = ex.server_time()
    order = Order(
        order_id=ex.next_id(),
        symbol=symbol,
        side=side,
        position_side=position_side,
        type=otype,
        orig_qty=qty if qty is not None else ZERO,
        price=price,
        stop_price=stop_price,
        client_order_id=cid,
        time=ts,
        update_time=ts,
        leverage=leverage,
        working_type=str(p.get("workingType") or "MARK_PRICE"),
        time_in_force=str(p.get("timeInForce") or "GTC"),
        reduce_only=reduce_only
        or (otype in ("STOP_MARKET", "TAKE_PROFIT_MARKET", "STOP", "TAKE_PROFIT") and not opening),
        close_position=close_position,
        stop_loss=sl,
        take_profit=tp,
    )
    if cid:
        acct.client_ids.add(cid)
    acct.orders.append(order)

    if otype == "MARKET":
        execute(ex, acct, order, mark, taker=True)
        for attached, kind in ((sl, "STOP_MARKET"), (tp, "TAKE_PROFIT_MARKET")):
            if attached is None:
                continue
            a_qty = dec(attached.get("quantity", order.executed_qty), "quantity")
            child = Order(
                order_id=ex.next_id(),
                symbol=symbol,
                side="SELL" if pos_dir > 0 else "BUY",
                position_side=position_side,
                type=str(attached.get("type", kind)).upper(),
                orig_qty=a_qty,
                price=dec(attached["price"], "price") if attached.get("price") else None,
                stop_price=dec(attached["stopPrice"], "stopPrice"),
                client_order_id="",
                time=ts,
                update_time=ts,
                leverage=leverage,
                working_type=str(attached.get("workingType", "MARK_PRICE")),
                reduce_only=True,
                parent_order_id=order.order_id,
                position_id=acct.positions[(symbol, position_side)].position_id
                if (symbol, position_side) in acct.positions
                else 0,
            )
            acct.orders.append(child)
    elif otype == "LIMIT" and ((side == "BUY" and price >= mark) or (side == "SELL" and price <= mark)):
        execute(ex, acct, order, mark, taker=True)  # marketable: fills now, at the mark, as a taker
    return order


def require_margin(ex: Exchange, acct: Account, notional: Decimal, leverage: int) -> None:
    fee = notional * ex.taker_fee
    needed = notional / leverage + fee
    if needed > ex.margin_summary(acct)["available"]:
        raise BingXError(*E.INSUFFICIENT_MARGIN)


def execute(ex: Exchange, acct: Account, order: Order, price: Decimal, taker: bool) -> None:
    """Fill ``order`` completely at ``price``: open, add to, reduce, close or flip the position."""
    symbol = order.symbol
    fee_rate = ex.taker_fee if taker else ex.maker_fee
    order_dir = 1 if order.side == "BUY" else -1
    key = (symbol, order.position_side)
    pos = acct.positions.get(key)
    if order.close_position:
        order.orig_qty = pos.qty if pos else ZERO
    remaining = order.orig_qty
    profit = ZERO
    fee_total = ZERO
    ts = ex.server_time()
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
            _cancel_protection(ex, acct, symbol, order.position_side, except_id=order.order_id)
        pos = acct.positions.get(key)
        if acct.hedged or order.reduce_only:
            remaining = ZERO
    # opening part
    if remaining > 0:
        fee = price * remaining * fee_rate
        leverage = ex.get_leverage(acct, symbol, order.position_side)
        margin = price * remaining / leverage
        if pos is None:
            pos = Position(
                symbol=symbol,
                position_side=order.position_side,
                direction=order_dir,
                qty=ZERO,
                entry=price,
                margin=ZERO,
                leverage=leverage,
                isolated=ex.is_isolated(acct, symbol),
                position_id=ex.next_id(),
                open_time=ts,
                update_time=ts,
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
    acct.fills.append(
        {"order": order, "qty": order.orig_qty, "price": price, "fee": fee_total, "time": ts, "pnl": profit}
    )
    order.executed_qty = order.orig_qty
    order.avg_price = price
    order.cum_quote = price * order.orig_qty
    order.profit = profit
    order.commission = -fee_total
    order.status = "FILLED"
    order.update_time = ts
    acct.traded = True


def _cancel_protection(
    ex: Exchange, acct: Account, symbol: str, position_side: str, except_id: int | None = None
) -> None:
    """A closed position takes its stop-loss / take-profit orders with it."""
    ts = ex.server_time()
    for o in acct.orders:
        if (
            o.is_open
            and o.symbol == symbol
            and o.position_side == position_side
            and o.reduce_only
            and o.order_id != except_id
        ):
            o.status = "CANCELLED"
            o.update_time = ts


def cancel_order(ex: Exchange, acct: Account, symbol: str, order_id=None, client_order_id=None) -> Order:
    with ex.lock:
        try:
            order = find_order(ex, acct, symbol, order_id, client_order_id)
        except BingXError:
            raise BingXError(*E.CANCEL_NOT_EXIST) from None
        if not order.is_open:
            raise BingXError(*E.CANCEL_NOT_OPEN)
        order.status = "CANCELLED"
        order.update_time = ex.server_time()
        return order


def cancel_all(ex: Exchange, acct: Account, symbol: str | None) -> list[Order]:
    with ex.lock:
        done = []
        for o in acct.orders:
            if o.is_open and (symbol is None or o.symbol == symbol):
                o.status = "CANCELLED"
                o.update_time = ex.server_time()
                done.append(o)
        return done
