"""Profile changes that matter for security (the IP allow-list) and account deletion."""

from __future__ import annotations

from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest

from accounts.models import ActivityLog, User
from accounts.services.activity import activity_record


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
    with transaction.atomic():
        # Cascades remove credentials, tokens, activity log, 2FA devices and email addresses.
        user.delete()
    logout(request)
