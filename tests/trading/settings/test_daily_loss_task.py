"""The every-minute task checks each candidate user on the orders queue and pauses the one at the limit."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from flaxu.celery import app as celery_app
from tests.trading.settings.conftest import trade
from trading.models import DailyEquity
from trading.services.profile import profile_for, profile_update
from trading.tasks import check_daily_loss

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    """The queued per-user checks run in the test, as a worker would run them."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def test_the_task_pauses_users_at_their_limit_only(full_user, other_user, eager):
    now = datetime.now(UTC)
    for user, pnl in ((full_user, "-50"), (other_user, "-49")):
        profile_update(user, {"automation_enabled": True})
        DailyEquity.objects.create(user=user, mode="paper", day=now.date(), equity=Decimal("1000"))
        trade(user, pnl=pnl, closed_at=now)
    assert check_daily_loss.apply().get() == 2
    assert profile_for(full_user).paused_until is not None
    assert profile_for(other_user).paused_until is None
