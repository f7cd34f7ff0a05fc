"""Staff dashboard: the overview (/staff/): users, the access funnel, trading (paper and live apart), charts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from adminpanel.access import staff_required
from adminpanel.forms_dashboard import DEFAULT_PRESET, PeriodForm, preset_period
from adminpanel.selectors import trading, users
from adminpanel.selectors.days import as_date, daily_series
from adminpanel.selectors.postgres import without_jit


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def chart_data(*, since: date | None, until: date, days: trading.TradingDays) -> tuple[date, dict]:
    """The charts' first day and series, [[epoch seconds, value], ...] per UTC day up to ``until`` (excluded),
    gaps filled with 0; with no ``since`` (all time), from the first day anything happened."""
    signups_by_day = users.signups_per_day(since=since, until=until)
    full_before, full_new = users.full_users_per_day(since=since, until=until)
    if since is None:
        known = [d for d in (min(signups_by_day, default=None), min(full_new, default=None), days.first_day()) if d]
        since = min(known, default=until - timedelta(days=1))
    full_total, full_points = full_before, []
    for day, n in daily_series(full_new, since, until, 0):
        full_total += n
        full_points.append([_epoch(day), full_total])
    daily = trading.trading_per_day(days)
    return since, {
        "signups": [[_epoch(day), n] for day, n in daily_series(signups_by_day, since, until, 0)],
        "full_users": full_points,
        "trades": {
            mode: [[_epoch(day), n] for day, n in daily_series(daily.trades[mode], since, until, 0)]
            for mode in trading.MODES
        },
        # Floats for the chart only; the tables show the Decimal sums.
        "pnl": {
            mode: [[_epoch(day), float(v)] for day, v in daily_series(daily.pnl[mode], since, until, Decimal("0"))]
            for mode in trading.MODES
        },
    }


@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    today = as_date(now)
    form = PeriodForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    # A bad period is shown on the form; the figures stay those of the default period.
    period = form.period(today) if form.is_bound and valid else preset_period(DEFAULT_PRESET, today)
    with without_jit():
        counts = users.user_counts(now=now)
        funnel = users.access_funnel(since=period.since, until=period.until)
        days = trading.trading_days(since=period.since, until=period.until)
        figures = trading.trading_figures(since=period.since, until=period.until, now=now, days=days)
        chart_since, charts = chart_data(since=period.first, until=period.last + timedelta(days=1), days=days)
    key_step, full_step = funnel[2], funnel[4]
    context = {
        "title": "overview",
        "form": form,
        "period": period,
        "counts": counts,
        "funnel": funnel,
        "referral_conversion": full_step.count / key_step.count if key_step.count else None,
        "trading": figures,
        "charts": charts,
        "chart_since": chart_since,
        "now": now,
    }
    return render(request, "adminpanel/overview.html", context, status=200 if valid else 400)
