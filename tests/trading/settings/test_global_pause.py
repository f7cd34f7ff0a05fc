"""The staff's global pause holds automation for everyone, whatever their own settings; it is logged."""

from __future__ import annotations

import pytest

from accounts.models import ActivityLog
from tests.factories import UserFactory
from trading.services.profile import profile_update
from trading.services.risk import GLOBAL_PAUSE, automation_refusal, global_pause_refusal, global_pause_set

pytestmark = pytest.mark.django_db


def test_the_global_pause_blocks_automation_for_everyone_until_resumed(full_user, other_user):
    for user in (full_user, other_user):
        profile_update(user, {"automation_enabled": True})
        assert automation_refusal(user) is None
    staff = UserFactory(is_staff=True)
    control = global_pause_set(True, "Exchange incident", staff)
    assert control.paused and control.changed_by == staff
    for user in (full_user, other_user):
        assert automation_refusal(user) == global_pause_refusal()
        assert "paused trading for everyone: Exchange incident" in automation_refusal(user)
    global_pause_set(False, "", staff)
    assert automation_refusal(full_user) is None
    assert [log.detail["paused"] for log in ActivityLog.objects.filter(action=GLOBAL_PAUSE).order_by("id")] == [
        True,
        False,
    ]


def test_automation_off_is_a_refusal_of_its_own(full_user):
    assert automation_refusal(full_user) == "ICT automation is off in your trading settings."
