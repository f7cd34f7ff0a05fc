"""Mark-price moves: the stop-loss, take-profit and trigger orders a new mark crosses execute, and
resting limit orders fill as maker when the mark reaches their price.
"""

from __future__ import annotations

from decimal import Decimal

from .errors import BingXError
from .matching import execute, require_margin
from .models import Account, Order
from .state import Exchange


def set_mark_price(ex: Exchange, symbol: str, price) -> list[Order]:
    """Move the mark price; returns the orders it triggered or filled."""
    with ex.lock:
        contract = ex.contract(symbol)
        price = Decimal(str(price)).quantize(contract.tick)
        ex.mark[symbol] = price
        ex.index[symbol] = price
        triggered = []
        for acct in ex.accounts.values():
            for o in list(acct.orders):
                if not o.is_open or o.symbol != symbol:
                    continue
                if o.type == "LIMIT":
                    if _maybe_fill_limit(ex, acct, o):
                        triggered.append(o)
                    continue
                if not _triggers(o, price):
                    continue
                key = (o.symbol, o.position_side)
                pos = acct.positions.get(key)
                if o.reduce_only:
                    if pos is None:
                        o.status = "CANCELLED"
                        o.update_time = ex.server_time()
                        continue
                    if o.close_position or o.orig_qty > pos.qty:
                        o.orig_qty = pos.qty
                o.trigger_order_id = o.order_id
                if not o.reduce_only and o.orig_qty:
                    try:
                        require_margin(ex, acct, o.orig_qty * price, ex.get_leverage(acct, o.symbol, o.position_side))
                    except BingXError:
                        o.status = "FAILED"
                        o.update_time = ex.server_time()
                        continue
                execute(ex, acct, o, price if o.type.endswith("MARKET") else (o.price or price), taker=True)
                triggered.append(o)
        return triggered


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


def _maybe_fill_limit(ex: Exchange, acct: Account, o: Order) -> bool:
    mark = ex.mark[o.symbol]
    if (o.side == "BUY" and mark <= o.price) or (o.side == "SELL" and mark >= o.price):
        key = (o.symbol, o.position_side)
        opening = key not in acct.positions or acct.positions[key].direction == (1 if o.side == "BUY" else -1)
        if not opening and key not in acct.positions:
            return False
        execute(ex, acct, o, o.price, taker=False)
        return True
    return False
