"""The staff overview's per-day trading rollup: whole UTC days recomputed from the trades, with the same grouped
queries the overview counts live (adminpanel.selectors.trading), so a rolled-up day and a live day agree.

The rollup holds every day before TradingRollupMark.computed_until; the overview counts the rest live. A range
is replaced in one transaction (rows and mark together), under a lock on the mark, so two runs never interleave.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from adminpanel.models import TradesClosedDay, TradesOpenedDay, TradingRollupMark
from adminpanel.selectors.days import as_date, midnight
from adminpanel.selectors.trading import MARK, live_trading_days

RECENT_DAYS = 3  # recomputed on every run: trades reconciled or closed late land in the last few days


def rollup_trading_days(*, since: date | None, until: date, today: date) -> tuple[date | None, date]:
    """Recompute the rollup's days in [since, until) (since None: from the start) and move computed_until to
    ``until`` if it was before. ``until`` is at most ``today`` (a day still going is never rolled up), and the
    range starts at or before computed_until (no day left uncomputed between). Returns the range."""
    if until > today:
        raise ValueError(f"The rollup stops before today ({today}, UTC), not at {until}.")
    TradingRollupMark.objects.get_or_create(pk=MARK)
    with transaction.atomic():
        mark = TradingRollupMark.objects.select_for_update().get(pk=MARK)
        computed_until = as_date(mark.computed_until) if mark.computed_until else None
        if since is not None and (computed_until is None or since > computed_until):
            raise ValueError(f"The rollup is computed until {computed_until}: a range from {since} leaves a gap.")
        start, end = (midnight(since) if since else None), midnight(until)
        days = live_trading_days(since=start, until=end)
        for model in (TradesOpenedDay, TradesClosedDay):
            rows = model.objects.filter(day__lt=end)
            (rows.filter(day__gte=start) if start else rows).delete()
        TradesOpenedDay.objects.bulk_create(
            TradesOpenedDay(day=midnight(day), mode=mode, executed=n) for (mode, day), n in days.opened.items()
        )
        TradesClosedDay.objects.bulk_create(
            TradesClosedDay(day=midnight(day), mode=mode, signal_type=strategy, closed=n, wins=wins, pnl=pnl)
            for (mode, strategy, day), (n, wins, pnl) in days.closed.items()
        )
        if computed_until is None or until > computed_until:
            mark.computed_until = end
        mark.save()
    return since, until


def rollup_recent(*, today: date) -> tuple[date | None, date]:
    """The last RECENT_DAYS whole days, and any day since the rollup stopped; everything if it never ran."""
    mark = TradingRollupMark.objects.filter(pk=MARK).first()
    if mark is None or mark.computed_until is None:
        return rollup_trading_days(since=None, until=today, today=today)
    since = min(as_date(mark.computed_until), today - timedelta(days=RECENT_DAYS))
    return rollup_trading_days(since=since, until=today, today=today)


def rollup_all(*, today: date) -> tuple[date | None, date]:
    """Every whole day again (an old trade edited late is corrected here)."""
    return rollup_trading_days(since=None, until=today, today=today)
