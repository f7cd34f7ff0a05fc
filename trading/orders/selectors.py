"""What the trading page lists: the user's active trades, and the ones that ended in the last day."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from trading.models import Trade

ACTIVE_SHOWN = 200
RECENT_SHOWN = 10
RECENT = timedelta(hours=24)
ACTIVE = (Trade.Status.PENDING, Trade.Status.OPEN)


def trades_overview(*, user) -> dict:
    """``active``: PENDING and OPEN trades (every mode), newest first; ``recent``: trades closed, failed or
    cancelled in the last 24 h, latest first (so a trade closing while the page is open stays in sight)."""
    trades = Trade.objects.filter(user=user)
    return {
        "trades": list(trades.filter(status__in=ACTIVE).order_by("-created_at", "-id")[:ACTIVE_SHOWN]),
        "recent": list(
            trades.exclude(status__in=ACTIVE)
            .filter(closed_at__gte=timezone.now() - RECENT)
            .order_by("-closed_at", "-id")[:RECENT_SHOWN]
        ),
    }
