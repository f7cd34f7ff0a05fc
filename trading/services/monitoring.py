"""Live position monitoring: what BingX did to FLAXU's open trades since the last look.

``positions_sync(user)`` reads the account's positions and each open trade's protective orders:

- a stop-loss or take-profit order that filled is recorded as an exit with its real fill (price, fee);
- a position that is gone (or smaller) with no FLAXU order to explain it was closed by hand on BingX
  (or liquidated): recorded as EXTERNAL at the mark price, the taker fee estimated (the gateway reads
  no fill history yet);
- the partial plan: once TP1 has filled, a stop at the entry (break-even) is placed for the rest and the
  original stop cancelled (the new one first, so the position is never unprotected).
- funding settled on the open trades' symbols since the last sync is counted once in their PnL
  (``trading.services.funding``).

Paper trades are not synced here: the paper broker's watcher records their exits and counts their funding
(``trading.services.paper_funding``) on every price update.
Several FLAXU trades on the same symbol and side of one account are not told apart (each is checked
against the whole position); FLAXU opens one per idea, and ideas on the same market rarely overlap.
"""

from __future__ import annotations

import logging
from decimal import ROUND_DOWN, Decimal

from accounts.models import User
from core.realtime.push import push_to_user
from market import exchanges
from trading.models import Trade, TradeOrder
from trading.services import ledger
from trading.services.brokers import broker_for
from trading.services.funding import trades_add_funding

logger = logging.getLogger(__name__)
LIVE_PNL_EVENT = "trade.pnl"  # pushed after each sync: open trades' mark price and unrealised PnL
PROTECTIVE = (TradeOrder.Role.STOP, TradeOrder.Role.TP1, TradeOrder.Role.TP2)


def _cid(trade: Trade, role: str) -> str:
    """A deterministic local id for one of the trade's orders (sent to BingX for the ones FLAXU places)."""
    return exchanges.client_order_id(f"{trade.client_order_id}:{role.lower()}")


def _close_side(trade: Trade) -> str:
    return "sell" if trade.side == Trade.Side.LONG else "buy"


def _record_order(trade: Trade, role: str, order_id: str, amount: Decimal, trigger: Decimal | None, cid: str) -> None:
    TradeOrder.objects.get_or_create(
        client_order_id=cid,
        defaults={
            "trade": trade,
            "role": role,
            "side": _close_side(trade),
            "type": "stop_market" if role == TradeOrder.Role.STOP else "take_profit_market",
            "exchange_order_id": order_id,
            "amount": amount,
            "trigger_price": trigger,
            "status": "open",
        },
    )


def _half(trade: Trade, broker) -> Decimal:
    rules = broker.rules(trade.symbol)
    half = trade.size / 2
    if rules.amount_step:
        half = (half / rules.amount_step).to_integral_value(rounding=ROUND_DOWN) * rules.amount_step
    if rules.min_amount and half < rules.min_amount:
        return Decimal(0)
    return half


def live_protect(trade: Trade, broker) -> None:
    """Record the entry's attached stop and target as the trade's orders and, for the partial plan, place
    the half-size take-profit at TP1. Safe to repeat; failures are logged (the stop already protects)."""
    try:
        known = set(trade.orders.values_list("role", flat=True))
        attached_tp = trade.take_profit_2 or trade.take_profit
        attached_role = TradeOrder.Role.TP2 if trade.take_profit_2 else TradeOrder.Role.TP1
        if TradeOrder.Role.STOP not in known or attached_role not in known:
            for order in broker.protective_orders(trade.symbol, trade.side):
                if order.type == "stop_market" and order.stop_loss_price == trade.stop_loss:
                    _record_order(
                        trade, TradeOrder.Role.STOP, order.id, trade.size, trade.stop_loss, _cid(trade, "stop")
                    )
                elif order.type == "take_profit_market" and order.take_profit_price == attached_tp:
                    _record_order(trade, attached_role, order.id, trade.size, attached_tp, _cid(trade, "tpa"))
        if trade.take_profit_2 and TradeOrder.Role.TP1 not in known and trade.remaining == trade.size:
            half = _half(trade, broker)
            if not half:
                logger.info("Trade %s: too small to split; all of it exits at TP2", trade.pk)
                return
            cid = _cid(trade, "tp1")
            fill = broker.protect(trade.symbol, trade.side, half, trade.take_profit, "take_profit", cid)
            _record_order(trade, TradeOrder.Role.TP1, fill.order_id, half, trade.take_profit, cid)
    except exchanges.GatewayError as exc:
        logger.warning("Trade %s: protective orders not completed (%s); the next sync retries", trade.pk, exc.message)


def _exit_reason(trade: Trade, order: TradeOrder) -> str:
    if order.role == TradeOrder.Role.STOP:
        is_breakeven = trade.entry_price is not None and order.trigger_price == trade.entry_price
        return Trade.CloseReason.BREAKEVEN if is_breakeven else Trade.CloseReason.STOP_LOSS
    return Trade.CloseReason.TAKE_PROFIT


def _record_filled_orders(trade: Trade, broker) -> None:
    for order in trade.orders.filter(role__in=PROTECTIVE, status="open").exclude(exchange_order_id=""):
        fill = broker.order(trade.symbol, order.exchange_order_id)
        if fill is None:
            continue
        if fill.filled > 0 and fill.average_price:
            ledger.trade_record_exit(
                trade,
                fill.filled,
                fill.average_price,
                fill.fee,
                _exit_reason(trade, order),
                client_order_id=order.client_order_id,
                exchange_order_id=order.exchange_order_id,
                role=order.role,
            )
        elif fill.status == "canceled":
            TradeOrder.objects.filter(pk=order.pk).update(status="canceled")


def _breakeven(trade: Trade, broker) -> None:
    """After TP1 of the partial plan: a stop at the entry for the rest, then the first stop cancelled."""
    if not trade.take_profit_2 or trade.status != Trade.Status.OPEN or trade.remaining >= trade.size:
        return
    if not trade.orders.filter(role=TradeOrder.Role.TP1, status="closed").exists():
        return
    cid = _cid(trade, "be")
    if trade.orders.filter(client_order_id=cid).exists():
        return
    try:
        fill = broker.protect(trade.symbol, trade.side, trade.remaining, trade.entry_price, "stop_loss", cid)
    except exchanges.GatewayError as exc:
        logger.warning("Trade %s: break-even stop not placed (%s); the first stop stays", trade.pk, exc.message)
        return
    _record_order(trade, TradeOrder.Role.STOP, fill.order_id, trade.remaining, trade.entry_price, cid)
    for first in trade.orders.filter(role=TradeOrder.Role.STOP, status="open").exclude(client_order_id=cid):
        try:
            broker.cancel(trade.symbol, first.exchange_order_id)
            TradeOrder.objects.filter(pk=first.pk).update(status="canceled")
        except exchanges.GatewayError as exc:
            logger.warning("Trade %s: first stop not cancelled (%s)", trade.pk, exc.message)


def _external(trade: Trade, broker, position_size: Decimal) -> None:
    """What the position lost that no FLAXU order explains: closed by hand on BingX (or liquidated)."""
    gone = trade.remaining - position_size
    if gone <= 0:
        return
    price = broker.mark_price(trade.symbol)
    fee = gone * price * broker.rules(trade.symbol).taker_fee
    ledger.trade_record_exit(trade, gone, price, fee, Trade.CloseReason.EXTERNAL)


def trade_sync(trade: Trade, broker, position_size: Decimal) -> Trade:
    """Bring one OPEN live trade up to date with its position (``position_size``: 0 when gone)."""
    live_protect(trade, broker)
    _record_filled_orders(trade, broker)
    trade.refresh_from_db()
    if trade.status == Trade.Status.OPEN:
        _external(trade, broker, position_size)
        trade.refresh_from_db()
    _breakeven(trade, broker)
    return trade


def positions_sync(user: User, *, broker=None) -> list[Trade]:
    """Sync the user's OPEN live trades with BingX; returns them. An unreadable account changes nothing."""
    trades = list(Trade.objects.filter(user=user, mode="live", status=Trade.Status.OPEN).order_by("pk"))
    if not trades:
        return []
    broker = broker or broker_for(user, "live")
    try:
        positions = {(p.symbol, p.side): p for p in broker.positions()}
        synced = [trade_sync(t, broker, _size(positions.get((t.symbol, t.side)))) for t in trades]
    except exchanges.GatewayError as exc:
        logger.warning("Positions of user %s not synced: %s", user.pk, exc.message)
        return trades
    trades_add_funding(synced, broker)
    _push_live_pnl(user, synced, positions)
    return synced


def _size(position) -> Decimal:
    return position.size if position is not None else Decimal(0)


def _push_live_pnl(user: User, trades: list[Trade], positions: dict) -> None:
    """The open trades' mark price and unrealised PnL (the position's, as BingX computes it) to the owner."""
    rows = []
    for trade in trades:
        position = positions.get((trade.symbol, trade.side))
        if trade.status == Trade.Status.OPEN and position is not None:
            rows.append(
                {
                    "id": trade.pk,
                    "mark_price": None if position.mark_price is None else str(position.mark_price),
                    "unrealized_pnl": None if position.unrealized_pnl is None else str(position.unrealized_pnl),
                }
            )
    if rows:
        push_to_user(user.pk, LIVE_PNL_EVENT, {"trades": rows})


def users_with_open_live_trades() -> list[int]:
    return list(
        Trade.objects.filter(mode="live", status=Trade.Status.OPEN).values_list("user_id", flat=True).distinct()
    )
