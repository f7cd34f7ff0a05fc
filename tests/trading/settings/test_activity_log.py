"""Every settings change is in the activity log, field by field, old -> new; unchanged fields are not."""

from __future__ import annotations

import pytest

from accounts.models import ActivityLog
from trading.services.profile import SETTING_CHANGED, profile_update

pytestmark = pytest.mark.django_db


def test_each_changed_field_is_logged_with_old_and_new(full_user):
    profile_update(full_user, {"risk_pct": "1.5", "automation_enabled": True, "max_positions": 3, "symbols": ["ETH"]})
    logs = {
        log.detail["field"]: log.detail for log in ActivityLog.objects.filter(user=full_user, action=SETTING_CHANGED)
    }
    assert logs["risk_pct"]["old"] == "1.00" and logs["risk_pct"]["new"] == "1.5"
    assert logs["automation_enabled"]["old"] is False and logs["automation_enabled"]["new"] is True
    assert logs["symbols"] == {"field": "symbols", "old": [], "new": ["ETH/USDT:USDT"]}
    assert "max_positions" not in logs  # unchanged (3 is the default)


def test_a_refused_change_logs_nothing(full_user):
    with pytest.raises(Exception):  # noqa: B017 - Refused
        profile_update(full_user, {"risk_pct": "1.5", "max_leverage": 0})
    assert not ActivityLog.objects.filter(action=SETTING_CHANGED).exists()


def test_switching_back_to_paper_is_logged(live_ready_user):
    from trading.services.profile import live_mode_enable

    live_mode_enable(live_ready_user, True)
    profile_update(live_ready_user, {"mode": "paper"})
    log = ActivityLog.objects.get(action=SETTING_CHANGED, detail__field="mode")
    assert (log.detail["old"], log.detail["new"]) == ("live", "paper")
