"""UTC days for the staff figures: a day's first instant, a database day as a date, a gap-free daily series."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from django.utils import timezone

T = TypeVar("T")


def midnight(day: date) -> datetime:
    """The first instant of ``day`` in UTC."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def as_date(value: datetime | date) -> date:
    """TruncDay gives datetimes on PostgreSQL and may give dates elsewhere: always a date."""
    return value.astimezone(UTC).date() if isinstance(value, datetime) else value


def today_utc() -> date:
    """Today's date in UTC (the dashboard's and the rollup's days are UTC days)."""
    return as_date(timezone.now())


def daily_series(values: Mapping[date, T], since: date, until: date, empty: T) -> list[tuple[date, T]]:
    """One (day, value) per day in [since, until), ``empty`` for days the database had no row for."""
    days = (until - since).days
    return [(day, values.get(day, empty)) for day in (since + timedelta(days=i) for i in range(max(days, 0)))]
