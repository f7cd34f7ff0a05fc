"""Inactive users (zero trading volume in the last 30 days) on the constructed data set: the boundary at
exactly 30 days on both sides, the filters, the CSV (same filters, spreadsheet-safe cells)."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adminpanel.selectors.inactive import InactiveFilters, inactive_users, inactive_users_csv
from tests.adminpanel.dashboard_data import DAY, NOW, SECOND, add_trade, build, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return build()


def emails(rows) -> list[str]:
    return [u.email for u in rows]


def test_inactive_users_newest_registration_first(data):
    # alice (-1 d) and erin (-6 d) traded; bob's trade opened exactly 30 days ago; carol's one second
    # earlier; dave, frank and gina never traded. The staff account is not listed.
    assert emails(inactive_users(now=NOW)) == [
        "frank@example.com",
        "dave@example.com",
        "carol@example.com",
        "gina@example.com",
    ]


def test_a_trade_opened_exactly_30_days_ago_still_counts_as_activity(data):
    assert "bob@example.com" not in emails(inactive_users(now=NOW))
    # One second later the trade is older than the window: bob is inactive.
    assert "bob@example.com" in emails(inactive_users(now=NOW + SECOND))


def test_a_trade_opened_a_second_more_than_30_days_ago_does_not(data):
    assert "carol@example.com" in emails(inactive_users(now=NOW))
    assert "carol@example.com" not in emails(inactive_users(now=NOW - SECOND))


def test_a_trade_that_never_filled_is_no_volume(data):
    lone = make_user("lone@example.com", joined=NOW - 3 * DAY)
    add_trade(lone, mode="live", status="FAILED")
    add_trade(lone, mode="paper", status="CANCELLED")
    assert "lone@example.com" in emails(inactive_users(now=NOW))
    add_trade(lone, mode="paper", status="CLOSED", opened=NOW - DAY, closed=NOW - DAY, pnl="0")
    assert "lone@example.com" not in emails(inactive_users(now=NOW))


def test_rows_carry_level_key_and_last_trade(data):
    rows = {u.email: u for u in inactive_users(now=NOW)}
    assert (rows["dave@example.com"].level, rows["dave@example.com"].keyed) == ("SUSPENDED", False)
    assert (rows["carol@example.com"].level, rows["carol@example.com"].keyed) == ("LIMITED", True)
    assert rows["carol@example.com"].last_trade_at == NOW - 30 * DAY - SECOND
    assert rows["gina@example.com"].last_trade_at is None


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (InactiveFilters(level="SUSPENDED"), ["dave"]),
        (InactiveFilters(level="FULL"), ["gina"]),
        (InactiveFilters(level="LIMITED"), ["frank", "carol"]),
        (InactiveFilters(has_key=True), ["carol", "gina"]),
        (InactiveFilters(has_key=False), ["frank", "dave"]),
        (InactiveFilters(joined_before=(NOW - 50 * DAY).date()), ["carol", "gina"]),
        (InactiveFilters(joined_after=(NOW - 20 * DAY).date()), ["frank", "dave"]),  # the day dave registered
        (InactiveFilters(joined_after=(NOW - 19 * DAY).date()), ["frank"]),
        (InactiveFilters(email="CAR"), ["carol"]),
        (InactiveFilters(has_key=True, level="FULL"), ["gina"]),
    ],
)
def test_filters(data, filters, expected):
    assert emails(inactive_users(now=NOW, filters=filters)) == [f"{name}@example.com" for name in expected]


def read_csv(rows) -> list[dict]:
    return list(csv.DictReader(io.StringIO("".join(inactive_users_csv(rows)))))


def test_csv_has_the_listed_users_with_their_fields(data):
    lines = read_csv(inactive_users(now=NOW, filters=InactiveFilters(has_key=True)))
    assert [(r["email"], r["access_level"], r["has_key"]) for r in lines] == [
        ("carol@example.com", "LIMITED", "true"),
        ("gina@example.com", "FULL", "true"),
    ]
    assert lines[0]["last_trade_at"] == (NOW - 30 * DAY - SECOND).isoformat()
    assert lines[1]["last_trade_at"] == ""


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_made_text(data):
    make_user("=HYPERLINK(1)@example.com", joined=NOW - DAY)
    make_user("+cmd@example.com", joined=NOW - DAY)
    got = {r["email"] for r in read_csv(inactive_users(now=NOW))}
    assert "'=HYPERLINK(1)@example.com" in got and "'+cmd@example.com" in got
    assert "=HYPERLINK(1)@example.com" not in got


def test_the_list_takes_the_same_queries_whatever_the_number_of_users(data):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            list(inactive_users(now=NOW)[:50])
        return len(captured)

    few = queries()
    for i in range(30):
        make_user(f"more{i}@example.com", joined=NOW - DAY)
    assert queries() == few == 1
