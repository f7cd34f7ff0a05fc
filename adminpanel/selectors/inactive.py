"""Inactive users: the product's definition, "zero trading volume in the last 30 days", in the ORM.

A user is inactive at ``now`` when no trade of theirs was *executed* (entry filled: OPEN or CLOSED; paper or
live) with ``opened_at`` in [now - 30 days, now]: the window includes its first instant, so a trade opened
exactly 30 days ago still counts as activity (as the product's query, ``openedAt >= NOW() - 30 days``). An
executed trade always has a volume (size x fill price > 0), so "no executed trade" is "zero volume", and the
database answers it with one NOT EXISTS per user on the (user, opened_at) index. Never-traded users are
inactive too; staff accounts are not listed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import User
from adminpanel.selectors.days import midnight
from adminpanel.selectors.users import EXECUTED, customers, effective_level, has_key, traded_since
from core.csv_stream import csv_lines
from trading.models import Trade

INACTIVE_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class InactiveFilters:
    level: str = ""  # FULL | LIMITED | SUSPENDED; "" any
    has_key: bool | None = None
    joined_after: date | None = None  # registered on or after that UTC day
    joined_before: date | None = None  # registered before that UTC day
    email: str = ""  # part of the address, any case


def inactive_users(*, now: datetime, filters: InactiveFilters = InactiveFilters()) -> QuerySet[User]:
    """Inactive users, newest registration first, with ``level``, ``keyed`` and ``last_trade_at`` annotated."""
    last_trade = Trade.objects.filter(user=OuterRef("pk"), status__in=EXECUTED).order_by("-opened_at")
    rows = (
        customers()
        .annotate(
            level=effective_level(now),
            keyed=has_key(),
            recent=traded_since(now - INACTIVE_WINDOW),
            last_trade_at=Subquery(last_trade.values("opened_at")[:1]),
        )
        .filter(recent=False)
    )
    if filters.level:
        rows = rows.filter(level=filters.level)
    if filters.has_key is not None:
        rows = rows.filter(keyed=filters.has_key)
    if filters.joined_after:
        rows = rows.filter(date_joined__gte=midnight(filters.joined_after))
    if filters.joined_before:
        rows = rows.filter(date_joined__lt=midnight(filters.joined_before))
    if filters.email:
        rows = rows.filter(email__icontains=filters.email.strip())
    return rows.order_by("-date_joined", "-pk")


CSV_COLUMNS = ("email", "access_level", "has_key", "date_joined", "last_login", "last_trade_at")


def inactive_users_csv(rows: QuerySet[User]) -> Iterator[str]:
    """The rows as CSV lines (header first), streamed from the database in chunks."""
    values = rows.values_list("email", "level", "keyed", "date_joined", "last_login", "last_trade_at")
    return csv_lines(CSV_COLUMNS, values.iterator(chunk_size=2000))
