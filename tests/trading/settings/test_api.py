"""The trading settings API: 400 with the rule that refused, 403 with the gate reason, throttled, staff pause."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import ActivityLog
from tests.factories import UserFactory
from tests.trading.settings.conftest import suspend
from trading.services.profile import SETTING_CHANGED, profile_for
from trading.services.risk import KILL_SWITCH, global_pause_refusal

pytestmark = pytest.mark.django_db

URL = "/api/trading/settings"


def test_get_shows_the_defaults(full_client, settings):
    settings.FLAXU_SIGNAL_MIN_CONFIDENCE = 75
    body = full_client.get(URL).json()
    assert body["mode"] == "paper" and body["risk_pct"] == "1.00" and body["min_confidence_floor"] == 76
    assert body["automation_refusal"] == "ICT automation is off in your trading settings."
    assert "acknowledge_live_risk" not in body


@pytest.mark.parametrize("method", ["put", "patch"])
def test_changes_are_saved_normalised_and_logged(full_client, full_user, method):
    payload = {"risk_pct": "2", "symbols": ["BTC/USDT", "ETHUSDT"], "automation_enabled": True, "max_leverage": 10}
    response = getattr(full_client, method)(URL, payload, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["risk_pct"] == "2.00" and body["symbols"] == ["BTC/USDT:USDT", "ETH/USDT:USDT"]
    assert body["automation_refusal"] is None
    fields = set(
        ActivityLog.objects.filter(user=full_user, action=SETTING_CHANGED).values_list("detail__field", flat=True)
    )
    assert fields == {"risk_pct", "symbols", "automation_enabled", "max_leverage"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"risk_pct": "2.01"}, "risk_pct"),
        ({"risk_pct": "0.24"}, "risk_pct"),
        ({"risk_pct": "abc"}, "risk_pct"),
        ({"min_confidence": 75}, "min_confidence"),
        ({"max_leverage": 2.5}, "max_leverage"),
        ({"max_leverage": "3.7"}, "max_leverage"),
        ({"max_positions": 0}, "max_positions"),
        ({"reward_target": "1:5"}, "reward_target"),
        ({"symbols": ["DOGGYCOIN"]}, "symbols"),
        ({"symbols": "BTC"}, "symbols"),
        ({"mode": "demo"}, "mode"),
        ({"max_leverage": 2, "sniper_leverage": 3}, "sniper_leverage"),
    ],
)
def test_invalid_settings_are_a_400_naming_the_field(full_client, full_user, settings, payload, field):
    settings.FLAXU_SIGNAL_MIN_CONFIDENCE = 75
    response = full_client.patch(URL, payload, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert not ActivityLog.objects.filter(action=SETTING_CHANGED).exists()


def test_risk_boundaries_are_accepted(full_client):
    for risk in ("0.25", "2"):
        assert full_client.patch(URL, {"risk_pct": risk}, content_type="application/json").status_code == 200


def test_live_mode_refused_with_every_reason_and_nothing_else_saved(full_client, full_user):
    response = full_client.patch(URL, {"mode": "live", "risk_pct": "1.5"}, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "Connect your BingX API key." in errors["mode"] and "acknowledge_live_risk" in errors
    assert profile_for(full_user).risk_pct == Decimal("1") and profile_for(full_user).mode == "paper"


def test_live_mode_with_everything_and_the_acknowledgement(live_ready_user, live_ready_client):
    client = live_ready_client
    payload = {"mode": "live", "acknowledge_live_risk": True, "risk_pct": "0.5"}
    response = client.patch(URL, payload, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["mode"] == "live" and response.json()["live_acknowledged_at"]
    assert profile_for(live_ready_user).risk_pct == Decimal("0.5")


def test_limited_and_suspended_users_get_403_with_the_gate_reason(client):
    limited = UserFactory()
    suspended = UserFactory()
    suspend(suspended)
    for user, reason in ((limited, "This needs FULL access"), (suspended, "suspended")):
        client.force_login(user)
        for method, url in (("get", URL), ("patch", URL), ("put", URL), ("post", "/api/trading/kill-switch")):
            response = getattr(client, method)(url, {}, content_type="application/json")
            assert response.status_code == 403, (method, url)
            assert reason in response.json()["detail"], (method, url)


def test_anonymous_callers_are_refused(client):
    assert client.get(URL).status_code in (401, 403)


def test_one_user_changes_only_their_own_settings(full_client, full_user, other_user):
    full_client.patch(URL, {"risk_pct": "2", "automation_enabled": True}, content_type="application/json")
    other = profile_for(other_user)
    assert other.risk_pct == Decimal("1") and other.automation_enabled is False
    assert profile_for(full_user).risk_pct == Decimal("2")


def test_the_kill_switch_turns_automation_off_and_logs(full_client, full_user):
    full_client.patch(URL, {"automation_enabled": True}, content_type="application/json")
    response = full_client.post("/api/trading/kill-switch")
    assert response.status_code == 200
    assert response.json() == {
        "detail": "Automation is off; 0 of 0 open trade(s) closed.",
        "automation_enabled": False,
        "active_before": 0,
        "closed": 0,
    }
    assert profile_for(full_user).automation_enabled is False
    assert ActivityLog.objects.filter(user=full_user, action=KILL_SWITCH).count() == 1


def test_trading_actions_are_throttled_at_ten_a_minute(full_client, settings):
    statuses = [
        full_client.patch(URL, {"max_positions": 2 + i % 2}, content_type="application/json").status_code
        for i in range(11)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    assert full_client.get(URL).status_code == 200  # reading is not a trading action


def test_only_staff_pause_everyone(full_client, client):
    assert full_client.post("/api/trading/global-pause", {"paused": True}).status_code == 403
    assert global_pause_refusal() is None
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    response = client.post("/api/trading/global-pause", {"paused": True, "reason": "BingX maintenance"})
    assert response.status_code == 200, response.content
    assert response.json()["paused"] is True and response.json()["changed_by"] == staff.email
    assert "BingX maintenance" in global_pause_refusal()
    assert client.post("/api/trading/global-pause", {"reason": "x"}, content_type="application/json").status_code == 400
    assert client.get("/api/trading/global-pause").json()["paused"] is True
