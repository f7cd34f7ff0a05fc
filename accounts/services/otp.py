"""Two-factor authentication: TOTP enrolment, recovery codes, verification, removal (django-otp)."""

from __future__ import annotations

import math
from base64 import b32encode
from datetime import datetime
from io import BytesIO

import django_otp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ActivityLog, User
from accounts.services.activity import activity_record

RECOVERY_CODE_COUNT = 10
_PENDING_NAME = "pending"
_APP_CODE_DIGITS = 6  # TOTPDevice's default, which enrolment uses; recovery codes are 8 base32 characters


class OtpPaused(Exception):
    """django-otp refuses every code, right or wrong, for 2^(n-1) s after n wrong ones: say so, and for how long."""

    def __init__(self, until: datetime):
        super().__init__(until)
        self.until = until

    @property
    def seconds(self) -> int:
        return max(1, math.ceil((self.until - timezone.now()).total_seconds()))

    def __str__(self) -> str:
        return f"Too many wrong codes: tries are paused for {_duration(self.seconds)}. Then enter the newest code."


def _duration(seconds: int) -> str:
    for unit, size, below in (("second", 1, 120), ("minute", 60, 120 * 60), ("hour", 3600, 48 * 3600)):
        if seconds < below:
            n = math.ceil(seconds / size)
            return f"{n} {unit}{'' if n == 1 else 's'}"
    return f"{math.ceil(seconds / 86400)} days"


def _verify(device, token: str) -> bool:
    """device.verify_token, but a pause is an OtpPaused instead of a silent False."""
    allowed, detail = device.verify_is_allowed()
    if not allowed and detail and detail.get("locked_until"):
        raise OtpPaused(detail["locked_until"])
    return device.verify_token(token)


def _normalize(token: str) -> str:
    """What the user meant: no spaces or hyphens (codes are often written grouped), any letter case."""
    return "".join((token or "").split()).replace("-", "").lower()


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
    """Confirm enrolment with a first code; returns the recovery codes (shown once) or None if wrong.

    Raises OtpPaused while wrong codes have paused tries.
    """
    if not _verify(device, _normalize(token)):
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


def otp_check(*, user: User, token: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts `token` (authenticator code or unused recovery code), or None.

    A code goes to the one device it can belong to (6 digits: the app; otherwise a recovery code), so a
    recovery code never counts as a wrong app code, nor the reverse. Raises OtpPaused during a pause.
    """
    token = _normalize(token)
    if not token:
        return None
    if token.isdigit() and len(token) == _APP_CODE_DIGITS:
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    with transaction.atomic():
        for device in devices.select_for_update():
            if _verify(device, token):
                return device
    return None


def otp_verify_session(*, request: HttpRequest, user: User, token: str) -> bool:
    """Mark this session as having passed the second factor; logs a failure. Raises OtpPaused during a pause."""
    device = otp_check(user=user, token=token)
    if device is None:
        activity_record(action=ActivityLog.Action.OTP_FAILED, user=user, request=request)
        return False
    django_otp.login(request, device)
    return True


def recovery_codes_text(*, user: User, codes: list[str]) -> str:
    """The codes as a small text file for the user to keep (offered once, when they are made)."""
    made = timezone.now().strftime("%Y-%m-%d %H:%M UTC")
    header = [f"FLAXU recovery codes for {user.email}, made {made}.", "Each works once, in place of an app code.", ""]
    return "\n".join([*header, *codes, ""])


def otp_disable(*, request: HttpRequest, user: User) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    activity_record(action=ActivityLog.Action.OTP_DISABLED, user=user, request=request)


def otp_enabled(*, user: User) -> bool:
    return django_otp.user_has_device(user, confirmed=True)
