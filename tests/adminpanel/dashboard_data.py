"""A constructed data set for the staff dashboard's figures, with every answer worked out by hand.

All times are relative to ``NOW`` (a fixed instant passed to the selectors), so the boundaries are exact:
bob's only trade opened exactly 30 days before NOW, carol's one second earlier; bob signed in exactly 7 days
before NOW, carol one second earlier. The answers are in ``tests/adminpanel/test_*.py`` next to each check.

Users (no staff among them; a staff user is added to show staff are not counted):

| user  | joined | verified | key now | checks (code)            | access                                    |
|-------|--------|----------|---------|--------------------------|-------------------------------------------|
| alice | -10 d  | yes      | yes     | connect (full)           | FULL, qualified -9 d                      |
| bob   | -5 d   | yes      | yes     | connect (deposit_short)  | LIMITED                                   |
| carol | -60 d  | yes      | yes     | connect (not_referred)   | LIMITED                                   |
| dave  | -20 d  | yes      | no      | none                     | LIMITED + SUSPENDED override until +1 d   |
| erin  | -15 d  | yes      | removed | connect (full), key_removed | LIMITED, qualified -14 d, FULL override to -1 s |
| frank | -2 d   | no       | no      | none                     | no Access row (LIMITED)                   |
| gina  | -100 d | yes      | yes     | connect (full) -95 d     | FULL, qualified -95 d; automation paused  |

Trades (executed = OPEN or CLOSED, i.e. the entry filled):

| trade | user  | mode  | status | strategy | signal | opened          | closed  | pnl    |
|-------|-------|-------|--------|----------|--------|-----------------|---------|--------|
| t1    | alice | live  | CLOSED | ICT      | s1     | -3 d            | -2 d    | 30.50  |
| t2    | alice | paper | OPEN   | MANUAL   |        | -1 d            |         |        |
| t3    | alice | live  | FAILED | ICT      | s2     | never           |         |        |
| t8    | alice | paper | CLOSED | ICT      | s3     | -4 d            | -3 d    | 12.00  |
| t4    | bob   | paper | CLOSED | SNIPER   |        | -30 d exactly   | -29 d   | -10.25 |
| t5    | carol | paper | CLOSED | ICT      |        | -30 d - 1 s     | -25 d   | 5.00   |
| t6    | erin  | live  | CLOSED | MANUAL   |        | -6 d            | -5 d    | -4.00  |
| t7    | erin  | live  | CLOSED | ICT      |        | -40 d           | -35 d   | 0.00   |

Signals: s1 known -3 d - 1 h, s2 known -2 d, s3 known -4 d - 1 h (live ones); s4 historical, known -1 d;
s5 known -40 d.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import connection

from accounts.models import ExchangeCredential
from gatekeeper.models import Access, AccessCheck
from tests.factories import UserFactory
from trading.models import Signal, Trade, TradingProfile

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
_ids = itertools.count(1)


def make_user(email: str, *, joined: datetime, verified: bool = True, last_login: datetime | None = None, **fields):
    user = UserFactory(email=email, verified=verified, **fields)
    type(user).objects.filter(pk=user.pk).update(date_joined=joined, last_login=last_login)
    user.refresh_from_db()
    return user


def add_key(user) -> ExchangeCredential:
    """A stored key row (the dashboard counts rows; nothing here decrypts it)."""
    return ExchangeCredential.objects.create(
        user=user, key_id="test", api_key_encrypted=b"k", api_secret_encrypted=b"s", api_key_masked="abcd…wxyz"
    )


def add_check(user, *, source: str, code: str, at: datetime, outcome: str = "LIMITED") -> AccessCheck:
    return AccessCheck.objects.create(
        user=user, created_at=at, source=source, policy="rolling", previous_level="LIMITED", outcome=outcome, code=code
    )


def add_trade(
    user, *, mode: str, status: str, signal_type: str = "MANUAL", opened=None, closed=None, pnl=None, signal=None
) -> Trade:
    return Trade.objects.create(
        user=user, mode=mode, status=status, signal_type=signal_type, signal=signal, symbol="BTC/USDT:USDT",
        side="LONG", reward_target="1:2", entry_price=Decimal("100") if opened else None, stop_loss=Decimal("90"),
        take_profit=Decimal("120"), size=Decimal("1"), remaining=Decimal("1") if status == "OPEN" else Decimal("0"),
        leverage=2, risk_amount=Decimal("10"), pnl=None if pnl is None else Decimal(pnl), opened_at=opened,
        closed_at=closed, client_order_id=f"flx-dash-{next(_ids)}",
    )  # fmt: skip


def add_signal(*, known_at: datetime, historical: bool = False) -> Signal:
    bar_time = known_at - timedelta(hours=1)
    return Signal.objects.create(
        exchange="bingx", symbol="BTC/USDT:USDT", timeframe="1h", bar_time=bar_time, known_at=known_at,
        historical=historical, direction="LONG", setup="swing_ob", entry=Decimal("100"), stop_loss=Decimal("90"),
        take_profit_1=Decimal("120"), take_profit_2=Decimal("130"), confidence=80,
    )  # fmt: skip


@dataclass
class DataSet:
    alice: object
    bob: object
    carol: object
    dave: object
    erin: object
    frank: object
    gina: object
    staff: object


def build() -> DataSet:
    alice = make_user("alice@example.com", joined=NOW - 10 * DAY, last_login=NOW - 8 * DAY)
    bob = make_user("bob@example.com", joined=NOW - 5 * DAY, last_login=NOW - 7 * DAY)
    carol = make_user("carol@example.com", joined=NOW - 60 * DAY, last_login=NOW - 7 * DAY - SECOND)
    dave = make_user("dave@example.com", joined=NOW - 20 * DAY)
    erin = make_user("erin@example.com", joined=NOW - 15 * DAY)
    frank = make_user("frank@example.com", joined=NOW - 2 * DAY, verified=False)
    gina = make_user("gina@example.com", joined=NOW - 100 * DAY)
    staff = make_user("ops@example.com", joined=NOW - 3 * DAY, last_login=NOW - DAY, is_staff=True)

    for user in (alice, bob, carol, gina, staff):
        add_key(user)
    connect, removed = AccessCheck.Source.CONNECT, AccessCheck.Source.KEY_REMOVED
    add_check(alice, source=connect, code="full", at=NOW - 9 * DAY, outcome="FULL")
    add_check(bob, source=connect, code="deposit_short", at=NOW - 4 * DAY)
    add_check(carol, source=connect, code="not_referred", at=NOW - 50 * DAY)
    add_check(erin, source=connect, code="full", at=NOW - 14 * DAY, outcome="FULL")
    add_check(erin, source=removed, code="no_key", at=NOW - 12 * DAY)
    add_check(gina, source=connect, code="full", at=NOW - 95 * DAY, outcome="FULL")
    add_check(staff, source=connect, code="full", at=NOW - 2 * DAY, outcome="FULL")

    Access.objects.create(user=alice, level="FULL", code="full", qualified_at=NOW - 9 * DAY)
    Access.objects.create(user=bob, level="LIMITED", code="deposit_short")
    Access.objects.create(user=carol, level="LIMITED", code="not_referred")
    Access.objects.create(
        user=dave, level="LIMITED", override_level="SUSPENDED", override_reason="fraud", override_expires_at=NOW + DAY
    )
    Access.objects.create(
        user=erin, level="LIMITED", code="no_key", qualified_at=NOW - 14 * DAY,
        override_level="FULL", override_reason="trial", override_expires_at=NOW - SECOND,
    )  # fmt: skip
    Access.objects.create(user=gina, level="FULL", code="full", qualified_at=NOW - 95 * DAY)
    Access.objects.create(user=staff, level="FULL", code="full", qualified_at=NOW - 2 * DAY)

    TradingProfile.objects.create(user=gina, paused_until=NOW + timedelta(hours=1), pause_reason="daily loss")
    TradingProfile.objects.create(user=alice, paused_until=NOW - timedelta(hours=1), pause_reason="daily loss")

    s1 = add_signal(known_at=NOW - 3 * DAY - timedelta(hours=1))
    s2 = add_signal(known_at=NOW - 2 * DAY)
    s3 = add_signal(known_at=NOW - 4 * DAY - timedelta(hours=1))
    add_signal(known_at=NOW - DAY, historical=True)
    add_signal(known_at=NOW - 40 * DAY)

    add_trade(alice, mode="live", status="CLOSED", signal_type="ICT", signal=s1, opened=NOW - 3 * DAY,
              closed=NOW - 2 * DAY, pnl="30.50")  # fmt: skip
    add_trade(alice, mode="paper", status="OPEN", opened=NOW - DAY)
    add_trade(alice, mode="live", status="FAILED", signal_type="ICT", signal=s2)
    add_trade(alice, mode="paper", status="CLOSED", signal_type="ICT", signal=s3, opened=NOW - 4 * DAY,
              closed=NOW - 3 * DAY, pnl="12.00")  # fmt: skip
    add_trade(bob, mode="paper", status="CLOSED", signal_type="SNIPER", opened=NOW - 30 * DAY,
              closed=NOW - 29 * DAY, pnl="-10.25")  # fmt: skip
    add_trade(carol, mode="paper", status="CLOSED", signal_type="ICT", opened=NOW - 30 * DAY - SECOND,
              closed=NOW - 25 * DAY, pnl="5.00")  # fmt: skip
    add_trade(erin, mode="live", status="CLOSED", opened=NOW - 6 * DAY, closed=NOW - 5 * DAY, pnl="-4.00")
    add_trade(erin, mode="live", status="CLOSED", signal_type="ICT", opened=NOW - 40 * DAY,
              closed=NOW - 35 * DAY, pnl="0.00")  # fmt: skip
    add_trade(staff, mode="live", status="OPEN", opened=NOW - DAY)  # staff's own trades count as trading
    return DataSet(alice, bob, carol, dave, erin, frank, gina, staff)


@contextmanager
def queries_counted() -> Iterator[list[str]]:
    """The SQL run inside the block. Not CaptureQueriesContext: a request through the test client empties
    the query log it reads (Django's reset_queries on request_started), so it would count nothing."""
    seen: list[str] = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen
