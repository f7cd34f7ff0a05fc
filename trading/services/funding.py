"""Funding on open live trades: BingX's funding fees, counted once each into the trade's PnL.

Each sync asks BingX for the funding settled on the trade's symbol since the last payment counted
(``Trade.funding_until``; from the opening on for a new trade) and adds it through the ledger
(``trade_add_funding``: paid positive, received negative, as ``Trade.funding``), moving ``funding_until`` in the
same transaction, under the trade's row lock: a payment is never counted twice, whoever syncs.

BingX's income rows name the symbol, not the position: FLAXU trades open on one symbol of one account at a
payment's time share it in proportion to their open size. A payment settled between the last sync and a
trade's close is not counted (funding settles every few hours; the sync runs every few seconds).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from market import exchanges
from trading.models import Trade
from trading.services import ledger

logger = logging.getLogger(__name__)
_MS = timedelta(milliseconds=1)


def _counted_until(trade: Trade):
    """Payments at or before this time are already counted (or predate the trade)."""
    return trade.funding_until or (trade.opened_at - _MS if trade.opened_at else None)


def _share(trade: Trade, payment, open_trades: list[Trade]) -> Decimal:
    """The part of ``payment`` (received) that ``trade`` received: by open size among the trades open then."""
    holders = [t for t in open_trades if t.opened_at and t.opened_at <= payment.time]
    total = sum((t.remaining for t in holders), Decimal(0))
    if trade not in holders or not total:
        return Decimal(0)
    return payment.amount * trade.remaining / total


def _count(trade: Trade, payments: list, open_trades: list[Trade]) -> None:
    with transaction.atomic():
        locked = Trade.objects.select_for_update().get(pk=trade.pk)
        until = _counted_until(locked)
        if locked.status != Trade.Status.OPEN or until is None:
            return
        new = [p for p in payments if p.time > until]
        if not new:
            return
        received = sum((_share(locked, p, open_trades) for p in new), Decimal(0))
        ledger.trade_add_funding(locked, -received)
        Trade.objects.filter(pk=locked.pk).update(funding_until=max(p.time for p in new))
    trade.refresh_from_db()


def trades_add_funding(trades: list[Trade], broker) -> None:
    """Count the funding settled on these live trades' symbols since each one's last counted payment.
    An unreadable answer counts nothing (logged; the next sync asks again)."""
    by_symbol: dict[str, list[Trade]] = defaultdict(list)
    for trade in trades:
        if trade.status == Trade.Status.OPEN and trade.mode == "live" and _counted_until(trade) is not None:
            by_symbol[trade.symbol].append(trade)
    for symbol, group in by_symbol.items():
        since = min(_counted_until(t) for t in group) + _MS
        try:
            payments = broker.funding_payments(symbol, since)
        except exchanges.GatewayError as exc:
            logger.warning("Funding on %s not counted now: %s", symbol, exc.message)
            continue
        for trade in group:
            _count(trade, payments, group)
