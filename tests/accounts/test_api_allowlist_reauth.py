"""PATCH /api/me/: a token alone cannot change the IP allow-list, and no change may lock out the caller."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ActivityLog
from accounts.services.otp import recovery_codes_regenerate
from accounts.services.tokens import token_create
from tests.accounts.otp_helpers import totp_code

HERE = "203.0.113.7"


@pytest.fixture
def token_patch(client, user):
    _token, key = token_create(user=user, name="bot")

    def patch(body: dict):
        return client.patch(
            "/api/me/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR=HERE
        )

    return patch


def _allowed_ips(user) -> str:
    user.refresh_from_db()
    return user.allowed_ips


def test_a_token_alone_cannot_change_the_allow_list(token_patch, user):
    response = token_patch({"allowed_ips": f"{HERE}\n10.0.0.0/8"})
    assert response.status_code == 400
    assert "current password" in response.json()["errors"]["current_password"][0]
    assert _allowed_ips(user) == ""


def test_a_wrong_password_is_refused(token_patch, user):
    response = token_patch({"allowed_ips": HERE, "current_password": "guess"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"current_password": ["That password is not correct."]}
    assert _allowed_ips(user) == ""


def test_a_list_without_the_callers_address_is_refused_even_with_the_password(token_patch, user, password):
    response = token_patch({"allowed_ips": "198.51.100.0/24", "current_password": password})
    assert response.status_code == 400
    message = response.json()["errors"]["allowed_ips"][0]
    assert f"{HERE} is not in this list" in message and "lock you out" in message
    assert _allowed_ips(user) == ""


def test_with_the_password_a_list_that_keeps_the_caller_in_is_saved_and_logged(token_patch, user, password):
    response = token_patch({"allowed_ips": f"{HERE}, 10.0.0.0/8", "current_password": password})
    assert response.status_code == 200, response.content
    assert "current_password" not in response.json()
    assert _allowed_ips(user) == f"{HERE}\n10.0.0.0/8"
    assert ActivityLog.objects.filter(user=user, action="allowed_ips_changed").exists()
    # The token still works from where the change came from.
    assert token_patch({"display_name": "Ana"}).status_code == 200


def test_with_2fa_on_a_code_is_needed_too_and_an_authenticator_or_recovery_code_works(token_patch, user, password):
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    recovery = recovery_codes_regenerate(user=user, request=None)

    missing = token_patch({"allowed_ips": HERE, "current_password": password})
    assert missing.status_code == 400 and "code is not valid" in missing.json()["errors"]["otp_code"][0]
    assert _allowed_ips(user) == ""

    ok = token_patch({"allowed_ips": HERE, "current_password": password, "otp_code": totp_code(device)})
    assert ok.status_code == 200 and _allowed_ips(user) == HERE
    again = token_patch({"allowed_ips": f"{HERE}\n10.0.0.0/8", "current_password": password, "otp_code": recovery[0]})
    assert again.status_code == 200 and _allowed_ips(user) == f"{HERE}\n10.0.0.0/8"
    wrong = token_patch({"allowed_ips": f"{HERE}\n10.0.0.1", "current_password": password, "otp_code": "000000"})
    assert wrong.status_code == 400 and "otp_code" in wrong.json()["errors"]
    assert _allowed_ips(user) == f"{HERE}\n10.0.0.0/8"


def test_other_fields_and_an_unchanged_list_need_no_password(token_patch, user):
    assert token_patch({"display_name": "Ana", "allowed_ips": ""}).status_code == 200
    user.refresh_from_db()
    assert user.display_name == "Ana"
