"""Signed perpetual-futures trading: positions, leverage, margin type, position mode, orders (place,
query, list, cancel, close all) and fills, and the BingX answer shapes of orders and positions. The
rules themselves live in ``matching.py``.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal

from . import errors as E
from . import matching
from .errors import BingXError
from .markets import Contract
from .models import ZERO, Account, Order, Position, dec, fmt
from .state import Exchange
from .wire import Answer, num, ok


def order_query_json(o: Order, c: Contract) -> dict:
    """An order as GET /openApi/swap/v2/trade/order (data.order) and openOrders answer it."""
    pp, qp = c.price_precision, c.quantity_precision

    def attached(a: dict | None, default_type: str) -> dict:
        if not a:
            return {"type": "", "quantity": 0, "stopPrice": 0, "price": 0, "workingType": "", "stopGuaranteed": ""}
        return {
            "type": str(a.get("type", default_type)),
            "quantity": num(dec(a.get("quantity", o.orig_qty))),
            "stopPrice": num(dec(a["stopPrice"])),
            "price": num(dec(a.get("price", 0))),
            "workingType": str(a.get("workingType", "MARK_PRICE")),
            "stopGuaranteed": "",
        }

    return {
        "symbol": o.symbol,
        "orderId": o.order_id,
        "side": o.side,
        "positionSide": o.position_side,
        "type": o.type,
        "origQty": fmt(o.orig_qty, qp),
        "price": fmt(o.price or ZERO, pp),
        "executedQty": fmt(o.executed_qty, qp),
        "avgPrice": fmt(o.avg_price, pp),
        "cumQuote": fmt(o.cum_quote, 4) if o.executed_qty else "0",
        "stopPrice": fmt(o.stop_price, pp) if o.stop_price is not None else "",
        "profit": fmt(o.profit, 4),
        "commission": fmt(o.commission, 6),
        "status": o.status,
        "time": o.time,
        "updateTime": o.update_time,
        "clientOrderId": o.client_order_id,
        "leverage": f"{o.leverage}X",
        "takeProfit": attached(o.take_profit, "TAKE_PROFIT_MARKET"),
        "stopLoss": attached(o.stop_loss, "STOP_MARKET"),
        "advanceAttr": 0,
        "positionID": o.position_id,
        "takeProfitEntrustPrice": 0,
        "stopLossEntrustPrice": 0,
        "orderType": "",
        "workingType": o.working_type,
        "onlyOnePosition": False,
        "reduceOnly": o.reduce_only,
        "stopGuaranteed": "false",
        "triggerOrderId": o.trigger_order_id,
        "closePosition": "true" if o.close_position else "",
    }


def order_placed_json(o: Order, params: dict) -> dict:
    """The order as POST /openApi/swap/v2/trade/order answers it (data.order): an echo of the request,
    without status or fill (BingX answers before the fill is reported)."""
    return {
        "symbol": o.symbol,
        "orderId": o.order_id,
        "side": o.side,
        "positionSide": o.position_side,
        "type": o.type,
        "price": num(o.price),
        "quantity": num(o.orig_qty),
        "stopPrice": num(o.stop_price),
        "workingType": o.working_type,
        "clientOrderID": o.client_order_id,
        "timeInForce": o.time_in_force,
        "priceRate": num(dec(params["priceRate"])) if params.get("priceRate") else 0,
        "stopLoss": params.get("stopLoss", ""),
        "takeProfit": params.get("takeProfit", ""),
        "reduceOnly": o.reduce_only,
        "activationPrice": 0,
        "closePosition": "true" if o.close_position else "",
        "stopGuaranteed": "",
    }


def position_json(ex: Exchange, acct: Account, p: Position) -> dict:
    c = ex.contracts[p.symbol]
    mark = ex.mark[p.symbol]
    upnl = ex.unrealized(p)
    lev = Decimal(p.leverage)
    liq = p.entry * (1 - 1 / lev + Decimal("0.005")) if p.direction > 0 else p.entry * (1 + 1 / lev - Decimal("0.005"))
    return {
        "positionId": str(p.position_id),
        "symbol": p.symbol,
        "currency": c.currency,
        "positionAmt": fmt(p.qty, c.quantity_precision),
        "availableAmt": fmt(p.qty, c.quantity_precision),
        "positionSide": p.side_name,
        "isolated": p.isolated,
        "avgPrice": fmt(p.entry, c.price_precision + 1),
        "initialMargin": fmt(p.margin, 4),
        "margin": fmt(p.margin + (upnl if p.isolated else ZERO), 4),
        "leverage": p.leverage,
        "unrealizedProfit": fmt(upnl, 4),
        "realisedProfit": fmt(p.realised, 4),
        "liquidationPrice": num(liq.quantize(c.tick)),
        "pnlRatio": fmt(upnl / p.margin if p.margin else ZERO, 4),
        "maxMarginReduction": "0.0000",
        "riskRate": fmt(Decimal("0.0010"), 4),
        "markPrice": fmt(mark, c.price_precision),
        "positionValue": fmt(p.qty * mark, 4),
        "onlyOnePosition": not acct.hedged,
        "updateTime": p.update_time,
    }


def positions(ex: Exchange, acct: Account, p: dict) -> Answer:
    out = [
        position_json(ex, acct, pos)
        for pos in acct.positions.values()
        if not p.get("symbol") or pos.symbol == p["symbol"]
    ]
    return ok(ex, out)


def get_leverage(ex: Exchange, acct: Account, p: dict) -> Answer:
    c = ex.contract(p.get("symbol"))
    long_side, short_side = ("LONG", "SHORT") if acct.hedged else ("BOTH", "BOTH")
    return ok(
        ex,
        {
            "longLeverage": ex.get_leverage(acct, c.symbol, long_side),
            "shortLeverage": ex.get_leverage(acct, c.symbol, short_side),
            "maxLongLeverage": c.max_leverage,
            "maxShortLeverage": c.max_leverage,
            "availableLongVol": "0.0000",
            "availableShortVol": "0.0000",
            "availableLongVal": "0.0",
            "availableShortVal": "0.0",
            "maxPositionLongVal": "0.0",
            "maxPositionShortVal": "0.0",
        },
    )


def set_leverage(ex: Exchange, acct: Account, p: dict) -> Answer:
    c = ex.contract(p.get("symbol"))
    lev = matching.set_leverage(ex, acct, c.symbol, p.get("side"), p.get("leverage"))
    return ok(
        ex,
        {
            "leverage": lev,
            "symbol": c.symbol,
            "availableLongVol": "0.0000",
            "availableShortVol": "0.0000",
            "availableLongVal": "0.0",
            "availableShortVal": "0.0",
            "maxPositionLongVal": "0.0",
            "maxPositionShortVal": "0.0",
        },
    )


def get_margin_type(ex: Exchange, acct: Account, p: dict) -> Answer:
    c = ex.contract(p.get("symbol"))
    return ok(ex, {"marginType": acct.margin_type.get(c.symbol, "CROSSED")})


def set_margin_type(ex: Exchange, acct: Account, p: dict) -> Answer:
    c = ex.contract(p.get("symbol"))
    matching.set_margin_type(ex, acct, c.symbol, p.get("marginType"))
    return 200, json.dumps({"code": 0, "msg": ""}).encode()


def get_position_mode(ex: Exchange, acct: Account, p: dict) -> Answer:
    return 200, json.dumps(
        {
            "code": "0",
            "msg": "",
            "timeStamp": str(ex.server_time()),
            "data": {"dualSidePosition": "true" if acct.hedged else "false"},
        }
    ).encode()


def set_position_mode(ex: Exchange, acct: Account, p: dict) -> Answer:
    value = str(p.get("dualSidePosition", "")).lower()
    if value not in ("true", "false"):
        raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, dualSidePosition: must be true or false")
    matching.set_position_mode(ex, acct, value == "true")
    return 200, json.dumps(
        {"code": "0", "msg": "", "timeStamp": str(ex.server_time()), "data": {"dualSidePosition": value}}
    ).encode()


def _order_id(p) -> int | None:
    raw = p.get("orderId")
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise BingXError(
            E.INVALID_PARAMETERS, f'Invalid parameters, err: orderId: strconv.ParseInt: parsing "{raw}": invalid syntax'
        ) from None


def place_order(ex: Exchange, acct: Account, p: dict) -> Answer:
    order = matching.place_order(ex, acct, p)
    return ok(ex, {"order": order_placed_json(order, p)})


def _order_ref(p: dict, spelling: str) -> tuple[int | None, str | None]:
    """The order id and client order id an order call names; BingX's endpoints spell the client id
    differently (``spelling`` is read first and named in the refusal)."""
    other = "clientOrderID" if spelling == "clientOrderId" else "clientOrderId"
    oid, cid = _order_id(p), p.get(spelling) or p.get(other)
    if oid is None and not cid:
        raise BingXError(80001, f"orderId and {spelling} are both empty")
    return oid, cid


def query_order(ex: Exchange, acct: Account, p: dict) -> Answer:
    c = ex.contract(p.get("symbol"))
    oid, cid = _order_ref(p, "clientOrderId")
    order = matching.find_order(ex, acct, c.symbol, oid, cid)
    return ok(ex, {"order": order_query_json(order, c)})


def open_orders(ex: Exchange, acct: Account, p: dict) -> Answer:
    symbol = p.get("symbol")
    if symbol:
        ex.contract(symbol)
    orders = [
        order_query_json(o, ex.contracts[o.symbol])
        for o in acct.orders
        if o.is_open and (not symbol or o.symbol == symbol)
    ]
    if p.get("type"):
        orders = [o for o in orders if o["type"] == p["type"]]
    return ok(ex, {"orders": orders})


def all_orders(ex: Exchange, acct: Account, p: dict) -> Answer:
    symbol = p.get("symbol")
    rows = [o for o in acct.orders if not symbol or o.symbol == symbol]
    if p.get("startTime"):
        rows = [o for o in rows if o.time >= int(p["startTime"])]
    if p.get("endTime"):
        rows = [o for o in rows if o.time <= int(p["endTime"])]
    limit = min(int(p.get("limit") or 500), 1000)
    return ok(ex, {"orders": [order_query_json(o, ex.contracts[o.symbol]) for o in rows[-limit:]]})


def full_orders(ex: Exchange, acct: Account, p: dict) -> Answer:
    return all_orders(ex, acct, p)


def fill_orders(ex: Exchange, acct: Account, p: dict) -> Answer:
    """Fills (ccxt fetch_my_trades). ``tradingUnit`` CONT counts contract sheets of the listing's
    ``size``, COIN counts coins; ccxt sends CONT unless told otherwise (pass tradingUnit=COIN)."""
    for name in ("tradingUnit", "startTs", "endTs"):
        if not p.get(name):
            raise BingXError(E.INVALID_PARAMETERS, f"Invalid parameters, err:{name}: This field is required.")
    unit = p["tradingUnit"].upper()
    if unit not in ("COIN", "CONT"):
        raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, err:tradingUnit: must be COIN or CONT")
    start, end = int(p["startTs"]), int(p["endTs"])
    oid = _order_id(p)
    rows = []
    for f in acct.fills:
        o: Order = f["order"]
        if not start <= f["time"] <= end or (p.get("symbol") and o.symbol != p["symbol"]):
            continue
        if oid is not None and o.order_id != oid:
            continue
        c = ex.contracts[o.symbol]
        volume = f["qty"] if unit == "COIN" else f["qty"] / c.trade_min_quantity
        stamp = time.gmtime(f["time"] / 1000)
        rows.append(
            {
                "filledTm": time.strftime("%Y-%m-%dT%H:%M:%SZ", stamp),
                "symbol": o.symbol,
                "volume": fmt(volume, c.quantity_precision if unit == "COIN" else 0),
                "price": fmt(f["price"], c.price_precision),
                "amount": fmt(f["qty"] * f["price"], 4),
                "commission": fmt(-f["fee"], 6),
                "currency": c.currency,
                "orderId": str(o.order_id),
                "liquidatedPrice": "0.00",
                "liquidatedMarginRatio": "0.00",
                "workingType": o.working_type,
                "filledTime": time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", stamp),
                "side": o.side,
                "type": o.type,
                "positionSide": o.position_side,
                "clientOrderID": o.client_order_id,
                "onlyOnePosition": not acct.hedged,
            }
        )
    return ok(ex, {"fill_orders": rows})


def cancel_order(ex: Exchange, acct: Account, p: dict) -> Answer:
    c = ex.contract(p.get("symbol"))
    oid, cid = _order_ref(p, "clientOrderID")
    order = matching.cancel_order(ex, acct, c.symbol, oid, cid)
    return ok(ex, {"order": order_query_json(order, c)})


def cancel_all(ex: Exchange, acct: Account, p: dict) -> Answer:
    symbol = p.get("symbol")
    if symbol:
        ex.contract(symbol)
    done = matching.cancel_all(ex, acct, symbol)
    return ok(ex, {"success": [order_query_json(o, ex.contracts[o.symbol]) for o in done], "failed": None})


def close_all_positions(ex: Exchange, acct: Account, p: dict) -> Answer:
    symbol = p.get("symbol")
    ok_ids = []
    for pos in list(acct.positions.values()):
        if symbol and pos.symbol != symbol:
            continue
        c = ex.contracts[pos.symbol]
        order = matching.place_order(
            ex,
            acct,
            {
                "symbol": pos.symbol,
                "type": "MARKET",
                "side": "SELL" if pos.direction > 0 else "BUY",
                "positionSide": pos.position_side,
                "quantity": fmt(pos.qty, c.quantity_precision),
                **({} if acct.hedged else {"reduceOnly": "true"}),
            },
        )
        ok_ids.append(order.order_id)
    return ok(ex, {"success": ok_ids, "failed": None})
