"""Staff overrides: a level set by hand, with a reason and an optional expiry, that wins until it expires."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from gatekeeper.models import Access, AccessCheck
from gatekeeper.selectors import expired_overrides
from gatekeeper.services.access import _policy, access_changed, access_for

Source = AccessCheck.Source


def _log(
    *, access: Access, source: str, before: str, now, reason: str, actor: User | None, request=None
) -> AccessCheck:
    after = access.effective_level(now)
    check = AccessCheck.objects.create(
        user=access.user,
        created_at=now,
        source=source,
        policy=_policy(),
        previous_level=before,
        outcome=after,
        code=source,
        reasons=[reason],
        inputs={
            "override_level": access.override_level,
            "override_expires_at": access.override_expires_at.isoformat() if access.override_expires_at else None,
        },
        actor=actor,
    )
    if check.changed:
        access_changed(
            user=access.user, before=before, after=after, reason=access.effective_reason(now), request=request
        )
    return check


@transaction.atomic
def access_override(
    *, user: User, level: str, reason: str, expires_at: datetime | None, actor: User | None, request=None
) -> AccessCheck:
    """Set (or, with level "", clear) a staff override. A reason is required either way."""
    if not reason.strip():
        raise ValueError("An override needs a reason (the user sees it).")
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValueError("The expiry must be in the future.")
    access = Access.objects.select_for_update().get(pk=access_for(user).pk)
    before = access.effective_level(now)
    access.override_level = level
    access.override_reason = reason.strip() if level else ""
    access.override_expires_at = expires_at if level else None
    access.override_by = actor if level else None
    access.save()
    return _log(
        access=access,
        source=Source.OVERRIDE,
        before=before,
        now=now,
        reason=reason.strip(),
        actor=actor,
        request=request,
    )


def overrides_expire(now=None) -> int:
    """Clear overrides whose time is up, recording the change and telling the user."""
    now = now or timezone.now()
    count = 0
    for access in expired_overrides(now):
        with transaction.atomic():
            access = Access.objects.select_for_update().get(pk=access.pk)
            if access.override_active(now) or not access.override_level:
                continue
            before = access.override_level
            reason = f"The staff override ({before}) expired; your checked level applies again."
            access.override_level, access.override_reason, access.override_expires_at = "", "", None
            access.save()
            _log(access=access, source=Source.OVERRIDE_EXPIRED, before=before, now=now, reason=reason, actor=None)
            count += 1
    return count
