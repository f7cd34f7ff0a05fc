"""Profile changes that matter for security (the IP allow-list) and account deletion."""

from __future__ import annotations

from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from accounts.models import ActivityLog, User
from accounts.services.activity import activity_record
from accounts.services.otp import OtpPaused, otp_check, otp_enabled


def allowed_ips_check(*, value: str, ip: str | None) -> str:
    """The allow-list one entry per line; ValidationError if saving it would lock out the caller at `ip`.

    The one rule for the profile page and ``PATCH /api/me/``: a session or token used from outside the list
    is refused, so the list must contain the address the change comes from.
    """
    value = "\n".join(entry.strip() for entry in value.replace(",", "\n").splitlines() if entry.strip())
    if not value:
        return value
    try:
        allowed = User(allowed_ips=value).ip_is_allowed(ip)
    except ValueError:
        return value  # the model validator reports which entry is wrong
    if not allowed:
        where = f"Your current address {ip}" if ip else "Your current address (which we cannot tell)"
        raise ValidationError(
            f"{where} is not in this list, so saving it would lock you out. Add it first.", code="lockout"
        )
    return value


def reauthentication_errors(*, user: User, password: str, code: str) -> dict[str, str]:
    """Why `password` (and, with 2FA on, `code`) do not prove the owner is present: {"password"|"code": message}.

    Empty when they do. The code is only tried (and so used up) once the password is right.
    """
    if not user.check_password(password or ""):
        return {"password": "That password is not correct."}
    if not otp_enabled(user=user):
        return {}
    try:
        device = otp_check(user=user, token=code)
    except OtpPaused as paused:
        return {"code": str(paused)}
    if device is None:
        return {"code": "That code is not valid. Use a current code from your app or a recovery code."}
    return {}


def profile_update(*, user: User, request: HttpRequest | None = None, **fields) -> User:
    """Update display name and/or allow-list; allow-list changes are logged."""
    # Read from the database: a bound ModelForm has already set the new value on `user`.
    old_ips = User.objects.filter(pk=user.pk).values_list("allowed_ips", flat=True).first()
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(fields))
    if "allowed_ips" in fields and user.allowed_ips != old_ips:
        activity_record(
            action=ActivityLog.Action.ALLOWED_IPS_CHANGED, user=user, request=request, allowed_ips=user.allowed_ips
        )
    return user


def account_delete(*, user: User, request: HttpRequest) -> None:
    """Erase the account: credentials (ciphertexts), tokens, devices, activity and the user row."""
    # Sign out first: sign-out hooks (closing this user's sockets) need the user row and its id.
    logout(request)
    with transaction.atomic():
        # Cascades remove credentials, tokens, activity log, 2FA devices and email addresses.
        user.delete()
