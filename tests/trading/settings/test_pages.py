"""/trading/ and /trading/settings/: the form with field errors and a success message, the live switch with its
refusals, the kill switch's confirmation step, the open trades with "close now"; FULL access only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import ActivityLog
from tests.factories import UserFactory
from tests.trading.settings.conftest import suspend, trade
from trading.models import Mode
from trading.services.profile import LIVE_ENABLED, SETTING_CHANGED, profile_for
from trading.services.risk import KILL_SWITCH, global_pause_set

pytestmark = pytest.mark.django_db

VALID = {
    "automation_enabled": "on", "min_confidence": "80", "reward_target": "partial", "symbols": "BTC/USDT, ethusdt",
    "risk_pct": "1.5", "max_leverage": "5", "max_positions": "3", "daily_loss_limit_pct": "5",
    "sniper_risk_pct": "0.5", "sniper_leverage": "3",
}  # fmt: skip


def test_the_trading_menu_item_leads_to_the_trading_home(full_client):
    page = full_client.get("/dashboard/").content.decode()
    assert 'href="/trading/"' in page
    home = full_client.get("/trading/")
    assert home.status_code == 200
    text = home.content.decode()
    assert 'aria-current="page">Trading' in text and "No open trades." in text
    assert "ICT automation is off in your trading settings." in text


def test_saving_valid_settings_says_so_and_logs_each_change(full_client, full_user):
    response = full_client.post("/trading/settings/", VALID, follow=True)
    assert response.status_code == 200
    assert "Your trading settings are saved." in response.content.decode()
    profile = profile_for(full_user)
    assert profile.risk_pct == Decimal("1.5") and profile.symbols == ["BTC/USDT:USDT", "ETH/USDT:USDT"]
    assert profile.automation_enabled and profile.min_confidence == 80
    fields = set(ActivityLog.objects.filter(action=SETTING_CHANGED).values_list("detail__field", flat=True))
    assert fields == {"automation_enabled", "min_confidence", "symbols", "risk_pct"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("risk_pct", "2.01", "less than or equal to 2"),
        ("risk_pct", "0.24", "greater than or equal to 0.25"),
        ("min_confidence", "75", "At least 76"),
        ("max_leverage", "2.5", "whole number"),
        ("symbols", "BTC, NOTACOIN", "NOTACOIN"),
    ],
)
def test_invalid_settings_show_the_error_on_the_field_and_save_nothing(
    full_client, full_user, settings, field, value, message
):
    settings.FLAXU_SIGNAL_MIN_CONFIDENCE = 75
    response = full_client.post("/trading/settings/", {**VALID, field: value})
    assert response.status_code == 400
    text = response.content.decode()
    assert f'id="{field}-errors"' in text and message in text
    assert "Nothing was saved" in text
    assert profile_for(full_user).risk_pct == Decimal("1")
    assert not ActivityLog.objects.filter(action=SETTING_CHANGED).exists()


def test_the_live_switch_names_what_is_missing(full_client):
    text = full_client.get("/trading/settings/").content.decode()
    assert "Turn on two-factor authentication" in text and "Connect your BingX API key." in text
    response = full_client.post("/trading/settings/mode/", {"mode": "live"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Confirm that you understand the risks" in text and "Connect your BingX API key." in text


def test_switching_to_live_and_back(live_ready_client, live_ready_user):
    assert "live-refusals" not in live_ready_client.get("/trading/settings/").content.decode()
    response = live_ready_client.post(
        "/trading/settings/mode/", {"mode": "live", "acknowledge_live_risk": "on"}, follow=True
    )
    assert "Live mode is on" in response.content.decode()
    assert profile_for(live_ready_user).mode == Mode.LIVE
    assert ActivityLog.objects.filter(action=LIVE_ENABLED).count() == 1
    live_ready_client.post("/trading/settings/mode/", {"mode": "paper"})
    assert profile_for(live_ready_user).mode == Mode.PAPER


def test_open_trades_are_listed_with_a_close_button_and_the_other_mode_is_mentioned(full_client, full_user, other_user):
    mine = trade(full_user, status="OPEN", remaining="1", mode="live", closed_at=None, pnl=None)
    theirs = trade(other_user, status="OPEN", remaining="1", closed_at=None, pnl=None)
    text = full_client.get("/trading/").content.decode()
    assert f'data-trade-id="{mine.pk}"' in text and f"/trading/trades/{mine.pk}/close/" in text
    assert f'data-trade-id="{theirs.pk}"' not in text
    assert "1 open trade in the other mode" in full_client.get("/trading/settings/").content.decode()


def test_a_user_cannot_close_another_users_trade(full_client, other_user):
    theirs = trade(other_user, status="OPEN", remaining="1", closed_at=None, pnl=None)
    assert full_client.post(f"/trading/trades/{theirs.pk}/close/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "OPEN"


def test_the_kill_switch_asks_first_then_stops_automation(full_client, full_user):
    full_client.post("/trading/settings/", VALID)
    confirm = full_client.get("/trading/kill-switch/")
    assert confirm.status_code == 200 and "Yes, close everything" in confirm.content.decode()
    assert profile_for(full_user).automation_enabled  # looking is not doing
    response = full_client.post("/trading/kill-switch/", follow=True)
    assert "Kill switch: automation is off" in response.content.decode()
    assert not profile_for(full_user).automation_enabled
    assert ActivityLog.objects.filter(action=KILL_SWITCH).count() == 1


def test_the_global_pause_is_shown(full_client):
    global_pause_set(True, "Exchange maintenance", UserFactory(is_staff=True))
    assert "paused trading for everyone: Exchange maintenance" in full_client.get("/trading/").content.decode()


def test_limited_users_see_the_locked_page_and_suspended_ones_the_status_page(client):
    """LIMITED: 403 with the reason; SUSPENDED: the project's rule for pages, sent to /access/ (the API: 403)."""
    limited, suspended = UserFactory(), UserFactory()
    suspend(suspended)
    for user in (limited, suspended):
        client.force_login(user)
        requests = [
            ("get", "/trading/", {}), ("get", "/trading/settings/", {}), ("get", "/trading/kill-switch/", {}),
            ("post", "/trading/settings/", VALID), ("post", "/trading/kill-switch/", {}),
            ("post", "/trading/settings/mode/", {"mode": "live"}),
        ]  # fmt: skip
        for method, url, data in requests:
            response = getattr(client, method)(url, data)
            if user is limited:
                assert response.status_code == 403 and "needs FULL access" in response.content.decode(), url
            else:
                assert (response.status_code, response["Location"]) == (302, "/access/"), url
    assert not ActivityLog.objects.filter(action__startswith="trading_").exists()
    assert profile_for(limited).automation_enabled is False
