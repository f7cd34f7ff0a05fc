"""The every-minute task checks each candidate user on the orders queue and pauses the one at the limit."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.trading.settings.conftest import trade
from trading.models import DailyEquity
from trading.services.profile import profile_for, profile_update
from trading.tasks import check_daily_loss

pytestmark = pytest.mark.django_db


def test_the_task_pauses_users_at_their_limit_only(full_user, other_user, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    now = datetime.now(UTC)
    for user, pnl in ((full_user, "-50"), (other_user, "-49")):
        profile_update(user, {"automation_enabled": True})
        DailyEquity.objects.create(user=user, mode="paper", day=now.date(), equity=Decimal("1000"))
        trade(user, pnl=pnl, closed_at=now)
    assert check_daily_loss.apply().get() == 2
    assert profile_for(full_user).paused_until is not None
    assert profile_for(other_user).paused_until is None
