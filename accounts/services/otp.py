"""Two-factor authentication: TOTP enrolment, recovery codes, verification, removal (django-otp)."""

from __future__ import annotations

from base64 import b32encode
from io import BytesIO

import django_otp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ActivityLog, User
from accounts.services.activity import activity_record

RECOVERY_CODE_COUNT = 10
_PENDING_NAME = "pending"


def totp_pending_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (one per user, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=_PENDING_NAME).first()
    return device or TOTPDevice.objects.create(user=user, name=_PENDING_NAME, confirmed=False)


def totp_qr_svg(device: TOTPDevice) -> str:
    """An inline SVG QR code of the otpauth:// URL, for authenticator apps."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def totp_manual_key(device: TOTPDevice) -> str:
    """The base32 secret, grouped by four, for typing into an app that cannot scan."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def totp_confirm(*, request: HttpRequest, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm enrolment with a first code; returns the recovery codes (shown once) or None if wrong."""
    if not device.verify_token(token.replace(" ", "")):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.name = "Authenticator app"
        device.confirmed = True
        device.save()
        codes = recovery_codes_regenerate(user=user, request=None)
    django_otp.login(request, device)
    activity_record(action=ActivityLog.Action.OTP_ENROLLED, user=user, request=request)
    return codes


def recovery_codes_regenerate(*, user: User, request: HttpRequest | None) -> list[str]:
    """Replace the user's recovery codes; each works once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    if request is not None:
        activity_record(action=ActivityLog.Action.RECOVERY_CODES, user=user, request=request)
    return codes


def otp_check(*, user: User, token: str):
    """The device that accepts `token` (authenticator code or unused recovery code), or None."""
    token = (token or "").replace(" ", "").strip()
    if not token:
        return None
    return django_otp.match_token(user, token)


def otp_verify_session(*, request: HttpRequest, user: User, token: str) -> bool:
    """Mark this session as having passed the second factor; logs a failure."""
    device = otp_check(user=user, token=token)
    if device is None:
        activity_record(action=ActivityLog.Action.OTP_FAILED, user=user, request=request)
        return False
    django_otp.login(request, device)
    return True


def otp_disable(*, request: HttpRequest, user: User) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    activity_record(action=ActivityLog.Action.OTP_DISABLED, user=user, request=request)


def otp_enabled(*, user: User) -> bool:
    return django_otp.user_has_device(user, confirmed=True)
