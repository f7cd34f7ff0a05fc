"""The trading actions are ActivityLog choices, and the security activity page shows what changed (old → new)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import ActivityLog
from trading.services import paper_wallet, profile, risk

pytestmark = pytest.mark.django_db


def test_every_trading_action_is_a_named_choice():
    actions = {
        profile.SETTING_CHANGED, profile.LIVE_ENABLED, profile.LIVE_REFUSED, risk.GLOBAL_PAUSE,
        risk.DAILY_LOSS_PAUSE, risk.KILL_SWITCH, risk.PAUSE_LIFTED, paper_wallet.RESET,
    }  # fmt: skip
    assert actions <= set(ActivityLog.Action.values)
    assert all(len(action) <= 32 for action in actions)


def test_the_activity_page_shows_each_trading_change_readably(full_client, full_user):
    profile.profile_update(full_user, {"risk_pct": Decimal("2"), "automation_enabled": True, "symbols": ["BTC"]})
    with pytest.raises(Exception):  # noqa: B017 (refused: no 2FA, no key, no acknowledgement; logged)
        profile.live_mode_enable(full_user, acknowledged=False)
    risk.kill_switch(full_user)
    page = full_client.get("/account/security/").content.decode()
    assert "Trading setting changed" in page
    assert "Risk %: 1.00 → 2" in page
    assert "Automation enabled: no → yes" in page
    assert "Symbols: none → BTC/USDT:USDT" in page
    assert "Live trading refused" in page and "Turn on two-factor authentication" in page
    assert "Kill switch used" in page and "Automation was on: yes" in page
