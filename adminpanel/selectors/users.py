"""Who the users are, for the staff overview: counts by state, the access funnel, signups and FULL users per day.

"Users" are the platform's customers: staff accounts are left out of every figure. Each figure is counted
by the database (one aggregate per table), whatever the number of users.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from allauth.account.models import EmailAddress
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncDay

from accounts.models import ExchangeCredential, User
from adminpanel.selectors.days import as_date, midnight
from gatekeeper import rules
from gatekeeper.models import AccessCheck
from trading.models import Trade

ACTIVE_WINDOW = timedelta(days=7)
# The gatekeeper's decision codes that mean BingX confirmed a direct referral by the owner's account.
REFERRED_CODES = ("full", "qualified_before", "deposit_short")
EXECUTED = (Trade.Status.OPEN, Trade.Status.CLOSED)  # the entry order filled


def customers() -> QuerySet[User]:
    return User.objects.filter(is_staff=False)


def effective_level(now: datetime) -> Case:
    """Access.effective_level() in SQL: an override wins until it expires (strictly after ``now``), else the
    checked level; a user without an Access row is LIMITED, as the gatekeeper treats them."""
    override_active = Q(access__override_level__in=(rules.LIMITED, rules.FULL, rules.SUSPENDED)) & (
        Q(access__override_expires_at__isnull=True) | Q(access__override_expires_at__gt=now)
    )
    return Case(
        When(override_active, then=F("access__override_level")),
        When(access__level__isnull=False, then=F("access__level")),
        default=Value(rules.LIMITED),
    )


def email_verified() -> Exists:
    return Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True))


def has_key() -> Exists:
    return Exists(ExchangeCredential.objects.filter(user=OuterRef("pk")))


def traded_since(since: datetime) -> Exists:
    """An executed trade (paper or live) opened at or after ``since``."""
    return Exists(Trade.objects.filter(user=OuterRef("pk"), status__in=EXECUTED, opened_at__gte=since))


@dataclass(frozen=True)
class UserCounts:
    total: int
    verified: int
    with_keys: int
    full: int
    limited: int
    suspended: int
    active_7d: int


def _among(rows: QuerySet) -> Q:
    """The user is among ``rows``' user_id: an IN (subquery) the database reads once and hashes (a correlated
    EXISTS in an aggregate's FILTER would be run once per user)."""
    return Q(pk__in=rows.values("user_id"))


def user_counts(*, now: datetime) -> UserCounts:
    """Users by state now, in one query. Active: signed in, or an executed trade opened, in the last 7 days
    (both inclusive of the instant exactly 7 days ago)."""
    since = now - ACTIVE_WINDOW
    traded = Trade.objects.filter(status__in=EXECUTED, opened_at__gte=since)
    figures = (
        customers()
        .annotate(lvl=effective_level(now))
        .aggregate(
            total=Count("pk"),
            verified=Count("pk", filter=_among(EmailAddress.objects.filter(verified=True))),
            keyed=Count("pk", filter=_among(ExchangeCredential.objects.all())),
            full=Count("pk", filter=Q(lvl=rules.FULL)),
            limited=Count("pk", filter=Q(lvl=rules.LIMITED)),
            suspended=Count("pk", filter=Q(lvl=rules.SUSPENDED)),
            active=Count("pk", filter=Q(last_login__gte=since) | _among(traded)),
        )
    )
    return UserCounts(
        total=figures["total"],
        verified=figures["verified"],
        with_keys=figures["keyed"],
        full=figures["full"],
        limited=figures["limited"],
        suspended=figures["suspended"],
        active_7d=figures["active"],
    )


@dataclass(frozen=True)
class FunnelStep:
    name: str
    count: int
    of_previous: float | None  # a fraction (0-1); None when the step before counts nobody
    of_registered: float | None


FUNNEL_STEPS = ("Registered", "Email verified", "Key connected", "Referred", "FULL")


def access_funnel(*, since: datetime | None, until: datetime) -> list[FunnelStep]:
    """The cohort who registered in [since, until) (since None: from the start), and how far each got.

    Each step needs the ones before it. Key connected: a key is stored now, or one was connected and checked
    (an AccessCheck of source "connect"), so removing a key later does not undo the step. Referred: BingX
    confirmed a direct referral by the owner's account at some check. FULL: the gatekeeper granted FULL at
    least once (``Access.qualified_at``; a staff override is not a conversion).
    """
    cohort = customers().filter(date_joined__lt=until)
    if since is not None:
        cohort = cohort.filter(date_joined__gte=since)
    verified = _among(EmailAddress.objects.filter(verified=True))
    keyed = verified & (
        _among(ExchangeCredential.objects.all()) | _among(AccessCheck.objects.filter(source=AccessCheck.Source.CONNECT))
    )
    referred = keyed & _among(AccessCheck.objects.filter(code__in=REFERRED_CODES))
    figures = cohort.aggregate(
        n0=Count("pk"),
        n1=Count("pk", filter=verified),
        n2=Count("pk", filter=keyed),
        n3=Count("pk", filter=referred),
        n4=Count("pk", filter=referred & Q(access__qualified_at__isnull=False)),
    )
    counts = [figures[f"n{i}"] for i in range(len(FUNNEL_STEPS))]
    return funnel_steps(counts)


def funnel_steps(counts: list[int]) -> list[FunnelStep]:
    """Each step's count with its rate over the step before and over the registered (pure)."""
    registered = counts[0] if counts else 0
    steps = []
    for i, (name, count) in enumerate(zip(FUNNEL_STEPS, counts, strict=True)):
        previous = counts[i - 1] if i else None
        steps.append(
            FunnelStep(
                name=name,
                count=count,
                of_previous=None if not previous else count / previous,
                of_registered=None if not registered else count / registered,
            )
        )
    return steps


def signups_per_day(*, since: date | None, until: date) -> dict[date, int]:
    """Users who registered on each UTC day in [since, until) (since None: from the start)."""
    return _per_day(customers(), "date_joined", since, until)


def full_users_per_day(*, since: date | None, until: date) -> tuple[int, dict[date, int]]:
    """How many users had earned FULL before ``since``, and how many first earned it on each day after."""
    earned = customers().filter(access__qualified_at__isnull=False)
    before = earned.filter(access__qualified_at__lt=midnight(since)).count() if since else 0
    return before, _per_day(earned, "access__qualified_at", since, until)


def _per_day(rows: QuerySet, field: str, since: date | None, until: date) -> dict[date, int]:
    rows = rows.filter(**{f"{field}__lt": midnight(until)})
    if since is not None:
        rows = rows.filter(**{f"{field}__gte": midnight(since)})
    counted = rows.annotate(day=TruncDay(field)).values("day").annotate(n=Count("pk")).order_by()
    return {as_date(row["day"]): row["n"] for row in counted}
