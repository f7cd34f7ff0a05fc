"""Reconciliation: every PENDING trade is settled by looking its entry up by client order id.

- found filled: OPEN with the real fill (and, live, its protective orders recorded);
- proven absent (the broker answers "no such order") once FLAXU_ORDER_VISIBILITY_SECONDS have passed
  since the trade was written: FAILED with the reason (younger ones may still be in flight);
- the lookup fails: the trade stays PENDING for the next pass. Nothing is ever placed from here.

Runs when a worker starts and on a schedule (trading/migrations/0008_execution_schedules.py).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from core.errors import ApplicationError
from market import exchanges
from trading.models import Trade
from trading.services import ledger
from trading.services.brokers import broker_for

logger = logging.getLogger(__name__)


def visibility_window() -> timedelta:
    return timedelta(seconds=settings.FLAXU_ORDER_VISIBILITY_SECONDS)


def trade_reconcile(trade: Trade, *, broker=None, now: datetime | None = None) -> Trade:
    """Settle one PENDING trade if the broker can tell; returns it (still PENDING when it cannot)."""
    from trading.services.execution import entry_settle

    trade.refresh_from_db()
    if trade.status != Trade.Status.PENDING:
        return trade
    now = now or timezone.now()
    try:
        broker = broker or broker_for(trade.user, trade.mode)
        fill = broker.find_entry(trade.symbol, trade.client_order_id)
    except (exchanges.GatewayError, ApplicationError) as exc:
        logger.info("Trade %s stays PENDING: its order could not be looked up (%s)", trade.pk, exc)
        return trade
    if fill is None:
        if now - trade.created_at < visibility_window():
            return trade  # may still be on its way
        seconds = settings.FLAXU_ORDER_VISIBILITY_SECONDS
        return ledger.trade_fail(
            trade,
            f"The exchange has no order {trade.client_order_id} {seconds} s after it was to be sent: "
            "it was never placed.",
        )
    return entry_settle(trade, broker, fill)


def trades_reconcile(*, now: datetime | None = None) -> dict[str, int]:
    """Settle every PENDING trade; returns how many ended in each status."""
    counts: dict[str, int] = {}
    brokers: dict[tuple[int, str], object] = {}
    for trade in Trade.objects.filter(status=Trade.Status.PENDING).select_related("user").order_by("pk"):
        key = (trade.user_id, trade.mode)
        try:
            if key not in brokers:
                brokers[key] = broker_for(trade.user, trade.mode)
        except ApplicationError as exc:  # e.g. the key was removed: cannot look up now
            logger.warning("Trade %s stays PENDING: %s", trade.pk, exc)
            counts["PENDING"] = counts.get("PENDING", 0) + 1
            continue
        status = trade_reconcile(trade, broker=brokers[key], now=now).status
        counts[status] = counts.get(status, 0) + 1
    return counts
