"""Staff dashboard: the overview (/staff/): users, the access funnel, trading (paper and live apart), charts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from adminpanel.access import staff_required
from adminpanel.forms_dashboard import DEFAULT_PRESET, PeriodForm, preset_period
from adminpanel.selectors import trading, users
from adminpanel.selectors.days import daily_series


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def chart_data(*, since: date, until: date) -> dict:
    """The charts' series, [[epoch seconds, value], ...] per UTC day in [since, until), gaps filled with 0."""
    signups = daily_series(users.signups_per_day(since=since, until=until), since, until, 0)
    full_before, full_new = users.full_users_per_day(since=since, until=until)
    full_total, full_points = full_before, []
    for day, n in daily_series(full_new, since, until, 0):
        full_total += n
        full_points.append([_epoch(day), full_total])
    daily = trading.trading_per_day(since=since, until=until)
    return {
        "signups": [[_epoch(day), n] for day, n in signups],
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
    today = now.astimezone(UTC).date()
    form = PeriodForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    # A bad period is shown on the form; the figures stay those of the default period.
    period = form.period(today) if form.is_bound and valid else preset_period(DEFAULT_PRESET, today)
    funnel = users.access_funnel(since=period.since, until=period.until)
    key_step, full_step = funnel[2], funnel[4]
    chart_since, chart_until = period.chart_days()
    context = {
        "title": "overview",
        "form": form,
        "period": period,
        "counts": users.user_counts(now=now),
        "funnel": funnel,
        "referral_conversion": full_step.count / key_step.count if key_step.count else None,
        "trading": trading.trading_figures(since=period.since, until=period.until, now=now),
        "charts": chart_data(since=chart_since, until=chart_until),
        "chart_since": chart_since,
        "now": now,
    }
    return render(request, "adminpanel/overview.html", context, status=200 if valid else 400)
