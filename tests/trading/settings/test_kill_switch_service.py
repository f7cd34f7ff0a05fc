"""The kill switch turns automation off first (and it stays off), then closes everything; logged either way."""

from __future__ import annotations

import pytest

from accounts.models import ActivityLog
from trading.services.profile import profile_for, profile_update
from trading.services.risk import KILL_SWITCH, automation_refusal, kill_switch

pytestmark = pytest.mark.django_db


def test_with_nothing_open_it_turns_automation_off_and_logs(full_user):
    profile_update(full_user, {"automation_enabled": True})
    result = kill_switch(full_user)
    assert (result.closed, result.active_before) == (0, 0)
    assert profile_for(full_user).automation_enabled is False
    assert automation_refusal(full_user) == "ICT automation is off in your trading settings."
    log = ActivityLog.objects.get(user=full_user, action=KILL_SWITCH)
    assert log.detail["automation_was_on"] is True and log.detail["error"] == ""


def test_a_daily_loss_pause_keeps_its_reason_after_the_kill_switch(full_user):
    from datetime import UTC, datetime, timedelta

    profile = profile_update(full_user, {"automation_enabled": True})
    profile.paused_until = datetime.now(UTC) + timedelta(hours=2)
    profile.pause_reason = "daily loss limit reached"
    profile.save()
    kill_switch(full_user)
    profile_update(full_user, {"automation_enabled": True})
    assert automation_refusal(full_user).endswith(": daily loss limit reached")
