"""Settings are validated at their boundaries and nothing is saved unless every change is valid."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import Refused
from trading.models import Mode
from trading.services.profile import profile_for, profile_update, symbol_normalize

pytestmark = pytest.mark.django_db


def test_every_user_starts_in_paper_with_automation_off_and_one_percent_risk(full_user, settings):
    settings.FLAXU_SIGNAL_MIN_CONFIDENCE = 75
    profile = profile_for(full_user)
    assert (profile.mode, profile.automation_enabled, profile.risk_pct) == (Mode.PAPER, False, Decimal("1"))
    assert profile.min_confidence == 76 and profile.daily_loss_limit_pct == Decimal("5")


@pytest.mark.parametrize("risk", ["0.25", "2", "2.00", "1.5"])
def test_risk_within_quarter_and_two_percent_is_accepted(full_user, risk):
    assert profile_update(full_user, {"risk_pct": risk}).risk_pct == Decimal(risk)


@pytest.mark.parametrize("risk", ["2.01", "0.24", "0", "-1", "50"])
def test_risk_outside_the_cap_is_refused_on_its_field(full_user, risk):
    with pytest.raises(Refused) as refused:
        profile_update(full_user, {"risk_pct": risk})
    assert list(refused.value.errors) == ["risk_pct"]
    assert profile_for(full_user).risk_pct == Decimal("1")


def test_minimum_confidence_is_above_the_platform_threshold(full_user, settings):
    settings.FLAXU_SIGNAL_MIN_CONFIDENCE = 75
    with pytest.raises(Refused) as refused:
        profile_update(full_user, {"min_confidence": 75})
    assert "At least 76" in refused.value.errors["min_confidence"][0]
    assert profile_update(full_user, {"min_confidence": 76}).min_confidence == 76
    with pytest.raises(Refused):
        profile_update(full_user, {"min_confidence": 101})


@pytest.mark.parametrize("leverage", ["2.5", "x", 0, 126])
def test_leverage_must_be_a_whole_number_within_bingx_limits(full_user, leverage):
    with pytest.raises(Refused) as refused:
        profile_update(full_user, {"max_leverage": leverage})
    assert "max_leverage" in refused.value.errors


def test_sniper_leverage_never_exceeds_the_maximum(full_user):
    with pytest.raises(Refused) as refused:
        profile_update(full_user, {"max_leverage": 2, "sniper_leverage": 3})
    assert "sniper_leverage" in refused.value.errors


@pytest.mark.parametrize("written", ["BTC/USDT", "BTCUSDT", "btc", "BTC-USDT", "BTC/USDT:USDT", " btcusdt "])
def test_symbols_as_traders_write_them_are_stored_as_ccxt_perpetuals(written):
    assert symbol_normalize(written) == "BTC/USDT:USDT"


def test_the_allow_list_is_normalised_and_deduplicated(full_user):
    profile = profile_update(full_user, {"symbols": ["BTC/USDT", "ETHUSDT", "btc"]})
    assert profile.symbols == ["BTC/USDT:USDT", "ETH/USDT:USDT"]
    assert profile_update(full_user, {"symbols": "sol, BTC"}).symbols == ["SOL/USDT:USDT", "BTC/USDT:USDT"]


def test_unknown_markets_are_refused_by_name(full_user):
    with pytest.raises(Refused) as refused:
        profile_update(full_user, {"symbols": ["BTC/USDT", "NOPECOIN"]})
    assert "NOPECOIN" in refused.value.errors["symbols"][0]


def test_one_invalid_field_saves_nothing(full_user):
    with pytest.raises(Refused) as refused:
        profile_update(full_user, {"risk_pct": "1.5", "max_positions": 0})
    assert list(refused.value.errors) == ["max_positions"]
    assert profile_for(full_user).risk_pct == Decimal("1")


def test_live_mode_cannot_be_set_as_a_plain_setting(full_user):
    with pytest.raises(Refused) as refused:
        profile_update(full_user, {"mode": "live"})
    assert "acknowledgement" in refused.value.errors["mode"][0]


def test_unknown_settings_are_refused(full_user):
    with pytest.raises(Refused):
        profile_update(full_user, {"paused_until": None})
