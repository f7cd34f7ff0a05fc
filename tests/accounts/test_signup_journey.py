"""Sign up → verification mail → verify → log in → 2FA enrol → log out → log in needs the code."""

import re
import time

from django.core import mail

from accounts.models import ActivityLog, User
from tests.accounts.otp_helpers import enrol_totp, totp_code

EMAIL = "newtrader@example.com"
PASSWORD = "a-long-and-unusual-passphrase-7"


def _sign_up_and_verify(client) -> User:
    response = client.post("/accounts/signup/", {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body).group(1)
    assert client.get(link).status_code == 200  # a confirmation page, not a silent GET action
    assert client.post(link).status_code == 302
    return User.objects.get(email=EMAIL)


def _log_in(client):
    return client.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})


def test_unverified_email_cannot_log_in(client, db):
    client.post("/accounts/signup/", {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD})
    client.logout()
    response = _log_in(client)
    assert response.status_code == 302
    assert "/accounts/confirm-email/" in response["Location"]  # allauth's "verify your email" page
    assert client.get("/dashboard/").status_code == 302


def test_full_journey_with_two_factor(client, db):
    user = _sign_up_and_verify(client)

    assert _log_in(client)["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200

    device, recovery_codes = enrol_totp(client)
    assert device.confirmed and len(recovery_codes) == 10

    client.post("/accounts/logout/")
    response = _log_in(client)
    # The password alone is not enough: every page now asks for the code first.
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 302 and dashboard["Location"].startswith("/account/2fa/verify/")
    assert client.get("/api/me/").status_code == 403

    wrong = client.post("/account/2fa/verify/", {"code": "000000", "next": "/dashboard/"})
    assert wrong.status_code == 200 and "not valid" in wrong.content.decode()
    assert client.get("/dashboard/").status_code == 302

    time.sleep(1.1)  # django-otp refuses any code for 2^(failures-1) s after a wrong one
    ok = client.post("/account/2fa/verify/", {"code": totp_code(device, steps_ahead=1), "next": "/dashboard/"})
    assert ok["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200

    actions = set(ActivityLog.objects.filter(user=user).values_list("action", flat=True))
    assert {"login", "logout", "otp_enrolled", "otp_failed"} <= actions
    assert response.status_code == 302


def test_recovery_code_works_once(client, db):
    _sign_up_and_verify(client)
    _log_in(client)
    _device, codes = enrol_totp(client)
    client.post("/accounts/logout/")

    _log_in(client)
    assert client.post("/account/2fa/verify/", {"code": codes[0]})["Location"] == "/dashboard/"
    client.post("/accounts/logout/")

    _log_in(client)
    reused = client.post("/account/2fa/verify/", {"code": codes[0]})
    assert reused.status_code == 200 and "not valid" in reused.content.decode()


def test_enrolment_with_a_wrong_code_is_refused_with_a_field_error(client, user):
    client.force_login(user)
    client.get("/account/2fa/")
    response = client.post("/account/2fa/", {"code": "123456"})
    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    assert not user.totpdevice_set.filter(confirmed=True).exists()
