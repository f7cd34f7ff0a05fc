"""Live mode needs FULL access, a confirmed 2FA device, a BingX key and the acknowledgement; each refusal
named and logged."""

from __future__ import annotations

import pytest

from accounts.models import ActivityLog
from core.errors import Refused
from tests.factories import UserFactory
from tests.trading.settings.conftest import with_2fa, with_key
from trading.models import Mode
from trading.services.profile import ACKNOWLEDGE_FIELD, LIVE_ENABLED, LIVE_REFUSED, live_mode_enable, profile_for

pytestmark = pytest.mark.django_db


def _refused(user, acknowledged=True) -> dict:
    with pytest.raises(Refused) as refused:
        live_mode_enable(user, acknowledged)
    assert profile_for(user).mode == Mode.PAPER
    return refused.value.errors


def test_a_user_with_everything_and_the_acknowledgement_goes_live_logged(live_ready_user):
    profile = live_mode_enable(live_ready_user, True)
    assert profile.mode == Mode.LIVE and profile.live_acknowledged_at is not None
    log = ActivityLog.objects.get(user=live_ready_user, action=LIVE_ENABLED)
    assert log.detail["old"] == "paper" and log.detail["new"] == "live"


def test_without_the_acknowledgement_it_is_refused(live_ready_user):
    errors = _refused(live_ready_user, acknowledged=False)
    assert list(errors) == [ACKNOWLEDGE_FIELD]
    assert "risks" in errors[ACKNOWLEDGE_FIELD][0]


def test_without_two_factor_it_is_refused(full_user):
    with_key(full_user)
    assert _refused(full_user)["mode"] == [
        "Turn on two-factor authentication (an authenticator app) in your account's security settings."
    ]


def test_an_unconfirmed_device_is_not_two_factor(full_user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with_key(full_user)
    TOTPDevice.objects.create(user=full_user, name="pending", confirmed=False)
    assert "two-factor" in _refused(full_user)["mode"][0]


def test_without_a_bingx_key_it_is_refused(full_user):
    with_2fa(full_user)
    assert _refused(full_user)["mode"] == ["Connect your BingX API key."]


def test_without_full_access_it_is_refused_with_the_gate_reason(db):
    user = UserFactory()
    with_2fa(user)
    with_key(user)
    assert _refused(user)["mode"] == ["This needs FULL access. Connect your BingX API key first."]


def test_every_refusal_is_named_at_once_and_logged(db):
    errors = _refused(UserFactory(), acknowledged=False)
    assert len(errors["mode"]) == 3 and ACKNOWLEDGE_FIELD in errors
    log = ActivityLog.objects.get(action=LIVE_REFUSED)
    assert len(log.detail["reasons"]) == 4
