"""The ledger: the one place a trade's fills and exits are written and its PnL computed.

Every broker path (live BingX, paper, monitoring, reconciliation, "close now", the kill switch) records
through these functions, so a trade's numbers mean the same whatever closed it:

- ``gross`` = (exit - entry) x exited size for a long, (entry - exit) x exited size for a short;
- ``pnl`` = gross - fees (entry and every exit) - funding (paid; negative when received);
- ``pnl_pct`` = pnl / equity_at_entry x 100; ``r_multiple`` = pnl / risk_amount.

Each function locks the trade row, so two recorders (the paper watcher and the monitor, say) cannot
interleave; recording the same exit twice is harmless when it carries a client order id, and an exit
never takes more than what remains open. The caller's ``trade`` instance is refreshed in place.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.realtime.push import push_to_user
from trading.models import Trade, TradeOrder, TradingProfile
from trading.services.brokers.base import Fill

logger = logging.getLogger(__name__)
ZERO = Decimal(0)
_AMOUNT = Decimal("0.00000001")
_PRICE = Decimal("0.000000000001")
_PERCENT = Decimal("0.0001")
TRADE_EVENT = "trade"  # the push each change sends to the trade's owner


def _q(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step)


def _locked(trade: Trade) -> Trade:
    return Trade.objects.select_for_update().get(pk=trade.pk)


def trade_payload(trade: Trade) -> dict:
    """What the owner's pages are told about a trade (strings for Decimals: exact, JSON-safe)."""

    def s(value):
        return None if value is None else str(value)

    return {
        "id": trade.pk,
        "mode": trade.mode,
        "symbol": trade.symbol,
        "side": trade.side,
        "status": trade.status,
        "signal_type": trade.signal_type,
        "entry_price": s(trade.entry_price),
        "exit_price": s(trade.exit_price),
        "stop_loss": s(trade.stop_loss),
        "take_profit": s(trade.take_profit),
        "size": s(trade.size),
        "remaining": s(trade.remaining),
        "leverage": trade.leverage,
        "fees": s(trade.fees),
        "pnl": s(trade.pnl),
        "pnl_pct": s(trade.pnl_pct),
        "r_multiple": s(trade.r_multiple),
        "close_reason": trade.close_reason,
        "failure_reason": trade.failure_reason,
    }


def _push_after_commit(trade: Trade) -> None:
    payload = trade_payload(trade)
    user_id = trade.user_id
    transaction.on_commit(lambda: push_to_user(user_id, TRADE_EVENT, payload), robust=True)


def _finish(locked: Trade, caller: Trade) -> Trade:
    locked.save()
    _push_after_commit(locked)
    caller.refresh_from_db()
    return caller


# --- PnL ------------------------------------------------------------------------------------------
def gross_pnl(side: str, entry: Decimal, exit_price: Decimal, size: Decimal) -> Decimal:
    """Price PnL of ``size`` exited at ``exit_price`` (before fees and funding)."""
    move = exit_price - entry if side == Trade.Side.LONG else entry - exit_price
    return move * size


def _exited(trade: Trade) -> Decimal:
    return trade.size - trade.remaining


def _recompute_pnl(trade: Trade) -> None:
    """pnl, pnl_pct and r_multiple from what has been exited so far (final once the trade is CLOSED)."""
    exited = _exited(trade)
    gross = ZERO
    if exited > 0 and trade.entry_price is not None and trade.exit_price is not None:
        gross = gross_pnl(trade.side, trade.entry_price, trade.exit_price, exited)
    pnl = gross - trade.fees - trade.funding
    trade.pnl = _q(pnl, _AMOUNT)
    trade.pnl_pct = _q(pnl / trade.equity_at_entry * 100, _PERCENT) if trade.equity_at_entry else None
    trade.r_multiple = _q(pnl / trade.risk_amount, _PERCENT) if trade.risk_amount else None


# --- Entry ----------------------------------------------------------------------------------------
def trade_record_entry(trade: Trade, fill: Fill, *, at: datetime | None = None) -> Trade:
    """The entry filled: the trade is OPEN at the fill's average price and filled size, its fee counted.

    Idempotent: an OPEN or CLOSED trade is left as it is (reconciliation and the placing task may both
    learn of the same fill). A FAILED trade is opened: a real fill is proof the order exists, and a
    position FLAXU does not record would be watched by nobody.
    """
    if fill.filled <= 0 or fill.average_price is None:
        raise ValueError("An entry fill needs a positive filled size and an average price.")
    with transaction.atomic():
        locked = _locked(trade)
        if locked.status not in (Trade.Status.PENDING, Trade.Status.FAILED):
            trade.refresh_from_db()
            return trade
        if locked.status == Trade.Status.FAILED:
            logger.warning("Trade %s was FAILED (%s) but its entry filled: opened", locked.pk, locked.failure_reason)
        locked.status = Trade.Status.OPEN
        locked.closed_at = None
        locked.entry_price = _q(fill.average_price, _PRICE)
        locked.size = fill.filled
        locked.remaining = fill.filled
        locked.fees = _q(locked.fees + fill.fee, _AMOUNT)
        locked.exchange_order_id = fill.order_id or ""
        locked.opened_at = at or timezone.now()
        locked.failure_reason = ""
        _recompute_pnl(locked)
        TradeOrder.objects.update_or_create(
            client_order_id=locked.client_order_id,
            defaults={
                "trade": locked,
                "role": TradeOrder.Role.ENTRY,
                "side": "buy" if locked.side == Trade.Side.LONG else "sell",
                "amount": fill.filled,
                "exchange_order_id": fill.order_id or "",
                "status": "closed",
                "filled": fill.filled,
                "average_price": fill.average_price,
                "fee": fill.fee,
            },
        )
        return _finish(locked, trade)


# --- Exits ----------------------------------------------------------------------------------------
def trade_record_exit(
    trade: Trade,
    size: Decimal,
    price: Decimal,
    fee: Decimal,
    reason: str,
    at: datetime | None = None,
    *,
    client_order_id: str | None = None,
    exchange_order_id: str = "",
    role: str = TradeOrder.Role.CLOSE,
) -> Trade:
    """``size`` of an OPEN trade left the market at ``price`` paying ``fee``; partial exits allowed.

    ``remaining`` decreases (never below 0; a larger ``size`` is clipped), ``exit_price`` is the
    size-weighted average of all exits, PnL is recomputed; at 0 remaining the trade is CLOSED with
    ``reason`` (a ``Trade.CloseReason``) at ``at``. With ``client_order_id`` the exit is also a
    ``TradeOrder`` row (``role``) and recording the same id again changes nothing. A trade that is not
    OPEN is left unchanged.
    """
    if size <= 0 or price <= 0 or fee < 0:
        raise ValueError("An exit needs a positive size and price and a non-negative fee.")
    with transaction.atomic():
        locked = _locked(trade)
        if locked.status != Trade.Status.OPEN or locked.remaining <= 0:
            trade.refresh_from_db()
            return trade
        if client_order_id and TradeOrder.objects.filter(client_order_id=client_order_id, status="closed").exists():
            trade.refresh_from_db()
            return trade
        size = min(size, locked.remaining)
        exited = _exited(locked)
        previous = locked.exit_price or ZERO
        locked.exit_price = _q((previous * exited + price * size) / (exited + size), _PRICE)
        locked.remaining = locked.remaining - size
        locked.fees = _q(locked.fees + fee, _AMOUNT)
        if locked.remaining == 0:
            locked.status = Trade.Status.CLOSED
            locked.close_reason = reason
            locked.closed_at = at or timezone.now()
        _recompute_pnl(locked)
        if locked.status == Trade.Status.CLOSED and locked.pnl < 0:
            _daily_loss_check_on_commit(locked)
        if client_order_id:
            TradeOrder.objects.update_or_create(
                client_order_id=client_order_id,
                defaults={
                    "trade": locked,
                    "role": role,
                    "side": "sell" if locked.side == Trade.Side.LONG else "buy",
                    "amount": size,
                    "exchange_order_id": exchange_order_id,
                    "status": "closed",
                    "filled": size,
                    "average_price": price,
                    "fee": fee,
                },
            )
        return _finish(locked, trade)


def _daily_loss_check_on_commit(trade: Trade) -> None:
    """A trade closed at a loss: check the daily loss limit now (orders queue), not at the next minute's sweep,
    so automation pauses before it can open another trade. Only where there is automation to pause."""
    now = timezone.now()
    automated = TradingProfile.objects.filter(user_id=trade.user_id, automation_enabled=True).exclude(
        paused_until__gt=now
    )
    if not automated.exists():
        return
    from trading.tasks import check_daily_loss_for_user  # tasks import the services: imported when needed

    user_id, mode = trade.user_id, trade.mode
    transaction.on_commit(lambda: check_daily_loss_for_user.delay(user_id, mode), robust=True)


def trade_add_funding(trade: Trade, amount: Decimal) -> Trade:
    """Funding paid by the position (negative: received); counted in PnL."""
    with transaction.atomic():
        locked = _locked(trade)
        locked.funding = _q(locked.funding + amount, _AMOUNT)
        _recompute_pnl(locked)
        return _finish(locked, trade)


# --- Never opened ---------------------------------------------------------------------------------
def trade_fail(trade: Trade, reason: str) -> Trade:
    """The exchange did not take the entry: a PENDING trade becomes FAILED with ``reason``.

    Only PENDING trades fail (a trade reconciliation already opened stays open).
    """
    with transaction.atomic():
        locked = _locked(trade)
        if locked.status != Trade.Status.PENDING:
            trade.refresh_from_db()
            return trade
        locked.status = Trade.Status.FAILED
        locked.failure_reason = reason[:500]
        locked.remaining = ZERO
        locked.closed_at = timezone.now()
        return _finish(locked, trade)
