"""2FA answers: a pause after wrong codes is named as such; recovery codes forgive case, spaces and hyphens,
and can be copied and downloaded when they are shown."""

import re
import time
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.utils import timezone

from tests.accounts.otp_helpers import enrol_totp, totp_code


def _paused_seconds(page: str) -> int:
    match = re.search(r"tries are paused for (\d+) seconds?", page)
    assert match, page
    return int(match.group(1))


def _log_in_again(client, user, password) -> None:
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": user.email, "password": password})


def test_a_right_code_during_the_pause_is_told_to_wait_not_that_it_is_wrong(client, user, password):
    client.force_login(user)
    device, _codes = enrol_totp(client)
    _log_in_again(client, user, password)

    wrong = client.post("/account/2fa/verify/", {"code": "000000"}).content.decode()
    assert "not valid" in wrong and "paused" not in wrong

    right_but_paused = client.post("/account/2fa/verify/", {"code": totp_code(device, steps_ahead=1)}).content.decode()
    assert "not valid" not in right_but_paused
    assert 1 <= _paused_seconds(right_but_paused) <= 2
    assert client.get("/dashboard/").status_code == 302

    device.refresh_from_db()
    time.sleep(max(0.0, (device.throttling_failure_timestamp - timezone.now()).total_seconds() + 1.1))
    assert client.post("/account/2fa/verify/", {"code": totp_code(device, steps_ahead=1)})["Location"] == "/dashboard/"


def test_enrolment_during_the_pause_says_tries_are_paused(client, user):
    client.force_login(user)
    client.get("/account/2fa/")
    client.post("/account/2fa/", {"code": "000000"})
    from django_otp.plugins.otp_totp.models import TOTPDevice

    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.post("/account/2fa/", {"code": totp_code(pending)}).content.decode()
    assert "did not match" not in page and _paused_seconds(page) >= 1
    assert not user.totpdevice_set.filter(confirmed=True).exists()


def test_recovery_codes_accept_any_case_spaces_and_hyphens(client, user, password):
    client.force_login(user)
    _device, codes = enrol_totp(client)
    for typed in (codes[0].upper(), f" {codes[1][:4]}-{codes[1][4:].upper()} ", f"{codes[2][:4]} {codes[2][4:]}"):
        _log_in_again(client, user, password)
        assert client.post("/account/2fa/verify/", {"code": typed})["Location"] == "/dashboard/", typed


def test_a_recovery_code_does_not_pause_the_authenticator_app(client, user, password):
    client.force_login(user)
    device, codes = enrol_totp(client)
    _log_in_again(client, user, password)
    assert client.post("/account/2fa/verify/", {"code": codes[0]})["Location"] == "/dashboard/"
    _log_in_again(client, user, password)
    assert client.post("/account/2fa/verify/", {"code": totp_code(device, steps_ahead=1)})["Location"] == "/dashboard/"


def test_shown_recovery_codes_can_be_downloaded_and_copied_without_inline_script(client, user):
    client.force_login(user)
    page = client.get("/account/2fa/")
    assert page.status_code == 200
    _device, codes = enrol_totp(client)
    response = client.post("/account/2fa/recovery-codes/")
    html = response.content.decode()
    codes = list(response.context["codes"])

    download = re.search(r'<a[^>]+href="data:text/plain;charset=utf-8,([^"]+)"[^>]*download="([^"]+)"', html)
    assert download, html
    text = unquote(download.group(1))
    assert download.group(2) == "flaxu-recovery-codes.txt"
    assert all(code in text.splitlines() for code in codes) and user.email in text

    assert re.search(r"<button[^>]+data-copy=\"#recovery-codes\"", html)
    assert 'id="recovery-codes"' in html
    assert "/static/js/recovery_codes.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script is a file (the CSP forbids inline)
    script = (Path(settings.BASE_DIR) / "static/js/recovery_codes.js").read_text()
    assert "clipboard" in script


def test_recovery_codes_are_not_shown_again_after_they_were_made(client, user):
    client.force_login(user)
    _device, codes = enrol_totp(client)
    html = client.get("/account/2fa/recovery-codes/").content.decode()
    assert not any(code in html for code in codes) and "data:text/plain" not in html


def test_turning_2fa_off_during_the_pause_says_tries_are_paused(client, user, password):
    client.force_login(user)
    device, _codes = enrol_totp(client)
    client.post("/account/2fa/disable/", {"password": password, "code": "000000"})
    paused = client.post("/account/2fa/disable/", {"password": password, "code": totp_code(device, steps_ahead=1)})
    assert paused.status_code == 400 and _paused_seconds(paused.content.decode()) >= 1
    assert user.totpdevice_set.filter(confirmed=True).exists()
