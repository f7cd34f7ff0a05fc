"""User figures on the constructed data set (tests/adminpanel/dashboard_data.py): counts by state, effective
levels with overrides, the 7-day activity boundary, the access funnel and its rates, signups and FULL per day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adminpanel.selectors import users
from tests.adminpanel.dashboard_data import DAY, NOW, SECOND, build, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return build()


def test_counts_by_state_leave_staff_out_and_use_effective_levels(data):
    counts = users.user_counts(now=NOW)
    assert counts == users.UserCounts(total=7, verified=6, with_keys=4, full=2, limited=4, suspended=1, active_7d=3)


def test_an_override_expiring_changes_the_level_counted(data):
    # dave's SUSPENDED override ends at NOW + 1 day; erin's FULL override ended a second before NOW.
    before = users.user_counts(now=NOW + DAY - SECOND)
    after = users.user_counts(now=NOW + DAY)
    assert (before.full, before.limited, before.suspended) == (2, 4, 1)
    assert (after.full, after.limited, after.suspended) == (2, 5, 0)
    earlier = users.user_counts(now=NOW - 2 * SECOND)  # erin's FULL override still active
    assert (earlier.full, earlier.limited, earlier.suspended) == (3, 3, 1)


def test_a_user_without_an_access_row_counts_as_limited(data):
    lone = make_user("lone@example.com", joined=NOW - DAY)
    level = users.customers().annotate(lvl=users.effective_level(NOW)).get(pk=lone.pk).lvl
    assert level == "LIMITED"


def test_active_in_the_last_7_days_includes_exactly_7_days_ago(data):
    # bob signed in exactly 7 days before NOW (active); carol one second earlier (not); alice and erin traded.
    assert users.user_counts(now=NOW).active_7d == 3
    # A second later bob's sign-in is outside the window; alice and erin's trades (-1 d, -3 d, -6 d) keep them.
    assert users.user_counts(now=NOW + SECOND).active_7d == 2


def test_funnel_of_the_last_30_days_cohort(data):
    steps = users.access_funnel(since=NOW - 30 * DAY, until=NOW)
    assert [(s.name, s.count) for s in steps] == [
        ("Registered", 5),  # alice, bob, dave, erin, frank (carol and gina registered earlier)
        ("Email verified", 4),  # frank is not
        ("Key connected", 3),  # alice, bob, and erin (connected then removed); dave never connected
        ("Referred", 3),  # all three: full, deposit_short, full
        ("FULL", 2),  # alice and erin earned FULL (erin's override is not what counts)
    ]
    assert [s.of_previous for s in steps] == [None, 0.8, 0.75, 1.0, pytest.approx(2 / 3)]
    assert [s.of_registered for s in steps] == [1.0, 0.8, 0.6, 0.6, 0.4]


def test_funnel_over_all_time(data):
    steps = users.access_funnel(since=None, until=NOW)
    # carol connected but was not referred; gina connected, referred and FULL long ago.
    assert [s.count for s in steps] == [7, 6, 5, 4, 3]


def test_funnel_of_an_empty_cohort_has_no_rates(data):
    steps = users.access_funnel(since=NOW + DAY, until=NOW + 2 * DAY)
    assert [s.count for s in steps] == [0, 0, 0, 0, 0]
    assert all(s.of_previous is None and s.of_registered is None for s in steps)


def test_funnel_steps_need_the_step_before():
    # A user FULL by the gatekeeper but never verified would not count as FULL: the counts never grow.
    steps = users.funnel_steps([10, 8, 8, 4, 1])
    assert [s.of_previous for s in steps] == [None, 0.8, 1.0, 0.5, 0.25]


def test_signups_and_full_users_per_day(data):
    first, last = (NOW - 15 * DAY).date(), (NOW + DAY).date()
    signups = users.signups_per_day(since=first, until=last)
    assert signups == {
        (NOW - 15 * DAY).date(): 1,  # erin
        (NOW - 10 * DAY).date(): 1,  # alice
        (NOW - 5 * DAY).date(): 1,  # bob
        (NOW - 2 * DAY).date(): 1,  # frank (the staff account is not counted)
    }
    before, per_day = users.full_users_per_day(since=first, until=last)
    assert before == 1  # gina, qualified 95 days ago
    assert per_day == {(NOW - 14 * DAY).date(): 1, (NOW - 9 * DAY).date(): 1}


def test_user_figures_take_the_same_queries_whatever_the_number_of_users(data):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            users.user_counts(now=NOW)
            users.access_funnel(since=None, until=NOW)
            users.signups_per_day(since=(NOW - 30 * DAY).date(), until=NOW.date())
        return len(captured)

    few = queries()
    for i in range(30):
        make_user(f"more{i}@example.com", joined=NOW - timedelta(hours=i))
    assert queries() == few == 3
