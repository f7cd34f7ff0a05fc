"""What staff do to a user: each action goes through the owning app's service and is kept as a StaffAction.

The owning services do the work and tell the user where they should know (an access change is logged,
notified in the app, pushed live and mailed by the gatekeeper; a pause by trading). This module adds the
audit row: who did it, to whom, and why.

"Activate" undoes a staff suspension: it clears a SUSPENDED override, and the checked level (what BingX's
answers earned) applies again. The checks themselves never decide SUSPENDED; should a checked level ever
be SUSPENDED, activating refuses and staff set an override (LIMITED or FULL) with a reason instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.services.credentials import credential_delete
from adminpanel.models import StaffAction
from core.errors import ApplicationError, Refused
from gatekeeper import rules
from gatekeeper.models import AccessCheck
from gatekeeper.services.access import CheckUnavailable, access_for, access_recheck, bingx_credential, key_remove
from gatekeeper.services.overrides import access_override
from trading.services.profile import profile_for
from trading.services.risk import automation_pause_lift, automation_pause_staff

# StaffAction.action values.
SUSPEND = "suspend"
ACTIVATE = "activate"
OVERRIDE = "access_override"
REVALIDATE = "revalidate"
CREDENTIALS_RESET = "credentials_reset"
AUTOMATION_PAUSE = "automation_pause"
AUTOMATION_RESUME = "automation_resume"
BINGX_KEY_REMOVE = "bingx_key_remove"

STAFF_PAUSE_DEFAULT = timedelta(days=7)  # a staff pause without an end date lasts a week (staff can lift it)
LEVELS = (rules.LIMITED, rules.FULL, rules.SUSPENDED)
ACTIVATED_REASON = "Staff lifted the suspension; your checked access applies again."


def _record(*, actor: User | None, target: User, action: str, reason: str = "", **detail) -> StaffAction:
    return StaffAction.objects.create(actor=actor, target=target, action=action, reason=reason.strip(), detail=detail)


def users_apply(
    users: Iterable[User], apply: Callable[..., StaffAction], **arguments
) -> tuple[list[tuple[User, StaffAction]], list[tuple[User, str]]]:
    """``apply(user=..., **arguments)`` for each user (one of the actions below): what was done, and what was
    refused with why; a refusal does not stop the others."""
    done, refused = [], []
    for user in users:
        try:
            done.append((user, apply(user=user, **arguments)))
        except ApplicationError as exc:
            refused.append((user, exc.message))
    return done, refused


def _required(reason: str) -> str:
    if not (reason or "").strip():
        raise Refused("Give a reason: it is kept with the action, and the user sees it.", field="reason")
    return reason.strip()


@transaction.atomic
def user_suspend(*, user: User, actor: User | None, reason: str, request: HttpRequest | None = None) -> StaffAction:
    """SUSPENDED until staff activate the user again (a staff override without expiry)."""
    reason = _required(reason)
    access = access_for(user)
    if access.override_active() and access.override_level == rules.SUSPENDED:
        raise Refused(f"{user.email} is already suspended: {access.override_reason}")
    check = access_override(
        user=user, level=rules.SUSPENDED, reason=reason, expires_at=None, actor=actor, request=request
    )
    return _record(
        actor=actor, target=user, action=SUSPEND, reason=reason, before=check.previous_level, after=check.outcome
    )


@transaction.atomic
def user_activate(
    *, user: User, actor: User | None, reason: str = "", request: HttpRequest | None = None
) -> StaffAction:
    """Lift a staff suspension: clear the SUSPENDED override so the checked level applies again."""
    access = access_for(user)
    if access.override_active() and access.override_level == rules.SUSPENDED:
        check = access_override(
            user=user,
            level="",
            reason=reason.strip() or ACTIVATED_REASON,
            expires_at=None,
            actor=actor,
            request=request,
        )
        return _record(
            actor=actor, target=user, action=ACTIVATE, reason=reason, before=check.previous_level, after=check.outcome
        )
    if access.level == rules.SUSPENDED:
        raise Refused(
            f"{user.email}'s checked level is SUSPENDED (not a staff suspension): set an access override "
            "(LIMITED or FULL) with a reason instead."
        )
    raise Refused(f"{user.email} is not suspended (access: {access.effective_level()}).")


@transaction.atomic
def user_override(
    *,
    user: User,
    actor: User | None,
    level: str,
    reason: str,
    expires_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> StaffAction:
    """Set a staff override (level "" clears it; clearing needs no reason)."""
    if level not in ("", *LEVELS):
        raise Refused(f"Unknown access level {level!r}.", field="level")
    if level:
        reason = _required(reason)
    elif expires_at is not None:
        raise Refused("An expiry needs a level: removing an override has no expiry.", field="expires_at")
    elif not access_for(user).override_level:
        raise Refused(f"{user.email} has no override to remove; choose a level to set one.", field="level")
    try:
        check = access_override(
            user=user,
            level=level,
            reason=reason.strip() or "Staff removed the override; your checked access applies again.",
            expires_at=expires_at,
            actor=actor,
            request=request,
        )
    except ValueError as exc:  # the expiry is in the past
        raise Refused(str(exc), field="expires_at") from exc
    return _record(
        actor=actor,
        target=user,
        action=OVERRIDE,
        reason=reason.strip(),
        level=level or None,
        expires_at=expires_at.isoformat() if expires_at else None,
        before=check.previous_level,
        after=check.outcome,
    )


def user_revalidate(*, user: User, actor: User | None, request: HttpRequest | None = None) -> StaffAction:
    """Re-check the user against BingX now; when BingX cannot be asked, the retrying task is queued instead."""
    from gatekeeper.tasks import revalidate_user  # tasks import Celery: only when needed

    try:
        check = access_recheck(user=user, source=AccessCheck.Source.STAFF_RECHECK, request=request, actor=actor)
    except CheckUnavailable as exc:
        transaction.on_commit(lambda: revalidate_user.delay(user.pk))
        return _record(actor=actor, target=user, action=REVALIDATE, outcome="queued", error=exc.message)
    return _record(
        actor=actor, target=user, action=REVALIDATE, outcome=check.outcome, before=check.previous_level, code=check.code
    )


@transaction.atomic
def user_credentials_reset(
    *, user: User, actor: User | None, reason: str, request: HttpRequest | None = None
) -> StaffAction:
    """Delete every exchange key of the user (access falls to LIMITED unless overridden; the user is told)."""
    reason = _required(reason)
    if not user.credentials.exists():
        raise Refused(f"{user.email} has no exchange key to delete.")
    removed = []
    for credential in user.credentials.order_by("pk"):
        removed.append({"exchange": credential.exchange, "label": credential.label, "mask": credential.api_key_masked})
        credential_delete(credential=credential, request=request)
    return _record(actor=actor, target=user, action=CREDENTIALS_RESET, reason=reason, removed=removed)


@transaction.atomic
def user_automation_pause(
    *,
    user: User,
    actor: User | None,
    reason: str,
    until: datetime | None = None,
    request: HttpRequest | None = None,
) -> StaffAction:
    """Pause the user's automation until `until` (default: a week); open positions are left as they are."""
    reason = _required(reason)
    until = until or timezone.now() + STAFF_PAUSE_DEFAULT
    automation_pause_staff(user, by=actor, reason=reason, until=until, request=request)
    return _record(actor=actor, target=user, action=AUTOMATION_PAUSE, reason=reason, paused_until=until.isoformat())


@transaction.atomic
def user_automation_resume(*, user: User, actor: User | None, request: HttpRequest | None = None) -> StaffAction:
    """End the user's automation pause now (staff's or the daily loss limit's)."""
    profile = profile_for(user)
    if not (profile.paused_until and profile.paused_until > timezone.now()):
        raise Refused(f"{user.email}'s automation is not paused.")
    was, why = profile.paused_until, profile.pause_reason
    automation_pause_lift(user, actor, request)
    return _record(actor=actor, target=user, action=AUTOMATION_RESUME, paused_until=was.isoformat(), pause_reason=why)


@transaction.atomic
def user_bingx_key_remove(*, user: User, actor: User | None, request: HttpRequest | None = None) -> StaffAction:
    """Remove the BingX key access is decided from, freeing its BingX account for another FLAXU account."""
    credential = bingx_credential(user)
    if credential is None:
        raise Refused(f"{user.email} has no BingX key.")
    detail = {"label": credential.label, "mask": credential.api_key_masked}
    key_remove(user=user, request=request)
    return _record(actor=actor, target=user, action=BINGX_KEY_REMOVE, **detail)
