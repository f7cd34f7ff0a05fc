"""Computing authenticator codes in tests the way a phone would."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an app shows now (or `steps_ahead` periods later: a code is accepted only once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol_totp(client) -> tuple[TOTPDevice, list[str]]:
    """Walk the 2FA setup page as a logged-in user; returns the device and the recovery codes shown."""
    page = client.get("/account/2fa/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=page.wsgi_request.user, confirmed=False)
    response = client.post("/account/2fa/", {"code": totp_code(device)})
    assert response.status_code == 200, response.content
    device.refresh_from_db()
    return device, list(response.context["codes"])


def sign_in_past_2fa(client, user, device=None) -> None:
    """Log `client` in as `user` with the second factor passed, as django_otp.login() records it in the session."""
    device = device or StaticDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
