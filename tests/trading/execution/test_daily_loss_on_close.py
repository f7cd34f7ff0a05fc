"""A trade that closes at a loss checks the daily loss limit at once (orders queue), not at the next sweep."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from flaxu.celery import app as celery_app
from tests.trading.settings.conftest import trade
from trading.models import DailyEquity
from trading.services.ledger import trade_record_exit
from trading.services.profile import profile_for, profile_update
from trading.services.risk import automation_refusal

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    """The queued check runs in the test, as the orders worker would run it."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def automated(full_user):
    profile_update(full_user, {"automation_enabled": True})
    DailyEquity.objects.create(user=full_user, mode="paper", day=datetime.now(UTC).date(), equity=D("1000"))
    return full_user


def open_trade(user):
    return trade(user, status="OPEN", entry="100", size="1", remaining="1", pnl=None)


def test_a_loss_past_the_limit_pauses_automation_as_the_trade_closes(
    automated, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        trade_record_exit(open_trade(automated), D("1"), D("40"), D("0"), "SL")  # -60: past the 5 % of 1,000
    assert profile_for(automated).paused_until is not None
    assert "daily loss limit" in automation_refusal(automated)


def test_a_partial_exit_a_win_or_no_automation_queues_no_check(
    automated, full_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        trade_record_exit(open_trade(automated), D("0.5"), D("40"), D("0"), "SL")  # still open
        trade_record_exit(open_trade(automated), D("1"), D("160"), D("0"), "TP")  # a win
    assert len(callbacks) == 2  # the two pushes only
    profile_update(automated, {"automation_enabled": False})
    with django_capture_on_commit_callbacks() as callbacks:
        trade_record_exit(open_trade(automated), D("1"), D("40"), D("0"), "SL")
    assert len(callbacks) == 1
    assert profile_for(automated).paused_until is None
