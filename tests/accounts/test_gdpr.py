"""Export my data (secrets excluded) and delete my account (password + 2FA; keys destroyed)."""

import json

from accounts.models import ActivityLog, ApiToken, ExchangeCredential, User
from accounts.services.credentials import credential_create
from accounts.services.tokens import token_create
from tests.accounts.otp_helpers import enrol_totp, totp_code

API_KEY = "AKEYvisibleONLYtoTHEuser1234567890"
API_SECRET = "SECRETneverLEAVEStheSERVERabcdef0987"


def test_export_contains_everything_about_the_user_and_no_secret(client, user):
    credential_create(user=user, exchange="bingx", label="Main", api_key=API_KEY, api_secret=API_SECRET)
    _token, token_key = token_create(user=user, name="bot")
    client.force_login(user)

    response = client.post("/account/data/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="flaxu-data-')
    raw = response.content.decode()
    data = json.loads(raw)
    assert data["profile"]["email"] == user.email
    assert data["api_tokens"][0]["name"] == "bot"
    assert data["exchange_credentials"][0]["api_key_masked"] == "AKEY…7890"
    assert any(entry["action"] == "login" for entry in data["activity_log"])
    for secret in (API_KEY, API_SECRET, token_key, user.password):
        assert secret not in raw
    assert ActivityLog.objects.filter(user=user, action="data_exported").exists()


def test_delete_needs_the_password_and_loses_nothing_when_wrong(client, user):
    client.force_login(user)
    response = client.post("/account/delete/", {"password": "wrong", "confirm": "DELETE"})
    assert response.status_code == 400
    assert "password is not correct" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_delete_with_2fa_needs_a_code_and_destroys_keys(client, user, password):
    credential_create(user=user, exchange="bingx", label="Main", api_key=API_KEY, api_secret=API_SECRET)
    token_create(user=user, name="bot")
    client.force_login(user)
    device, _codes = enrol_totp(client)

    no_code = client.post("/account/delete/", {"password": password, "confirm": "DELETE", "code": ""})
    assert no_code.status_code == 400 and "code is not valid" in no_code.content.decode()
    assert User.objects.filter(pk=user.pk).exists()

    done = client.post(
        "/account/delete/", {"password": password, "confirm": "DELETE", "code": totp_code(device, steps_ahead=1)}
    )
    assert done.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert not ExchangeCredential.objects.exists()
    assert not ApiToken.objects.exists()
    assert client.get("/dashboard/").status_code == 302
