"""Deciding a user's access from BingX's answers, recording it, and telling the user when it changes."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import ActivityLog, ExchangeCredential, User
from accounts.services.activity import activity_record
from accounts.services.credentials import credential_create, credential_delete, credential_replace, credential_reveal
from accounts.services.notifications import notify
from core.errors import Conflict, Refused, Unavailable
from core.secret import Secret, reveal
from gatekeeper import rules, selectors
from gatekeeper.models import Access, AccessCheck
from gatekeeper.services.pricing import deposit_counted
from market import exchanges

Source = AccessCheck.Source
logger = logging.getLogger(__name__)
# Failures that say nothing about the user: the last decision stands and the check is retried.
# InvalidRequest here means FLAXU's own set-up is wrong (agent keys missing or not the owner's).
TRANSIENT_ERRORS = (exchanges.ExchangeUnavailable, exchanges.RateLimited, exchanges.InvalidRequest)
NO_KEY = "no_key"
BINGX_LABEL = "BingX"  # the label of a first connected key


def _log_if_misconfigured(exc: Exception) -> None:
    if isinstance(exc, exchanges.InvalidRequest):
        logger.error("Access checks cannot run: %s (check FLAXU_REFERRER_* settings)", exc)


def _could_not_check(exc: Exception) -> str:
    """What users read about a check that could not run; the detail stays in the log and AccessCheck.error."""
    if isinstance(exc, exchanges.InvalidRequest):
        return "FLAXU could not check your account right now; staff have been alerted."
    if isinstance(exc, exchanges.RateLimited):
        return "BingX asked FLAXU to slow down; we'll try again."
    return "BingX could not be reached; we'll try again."


class KeyRefused(Refused):
    """The key cannot be used (invalid, or has rights FLAXU refuses); nothing was stored."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="api_key")


class CheckUnavailable(Unavailable):
    """BingX could not be asked right now; nothing changed."""


class BingXAccountTaken(KeyRefused):
    """The key's BingX account already unlocks another FLAXU account; nothing was stored."""

    status_code = Conflict.status_code


UID_TAKEN = "uid_taken"


def _uid_taken_reason(uid: str) -> str:
    return (
        f"This BingX account (UID {uid}) is already connected to another FLAXU account, and one BingX account "
        "unlocks one FLAXU account. Remove the key from the other FLAXU account first, or ask FLAXU support "
        "to move it to this one."
    )


def _uid_taken(uid: str, *, user: User) -> bool:
    return Access.objects.filter(bingx_uid=uid).exclude(user=user).exists()


@dataclass(frozen=True)
class Outcome:
    decision: rules.Decision
    inputs: dict
    uid: str | None


def access_for(user: User) -> Access:
    access, _ = Access.objects.get_or_create(user=user)
    return access


def _policy() -> str:
    return settings.FLAXU_ACCESS_POLICY


def _credentials(api_key: Secret, secret: Secret, ref: str = "") -> exchanges.ApiCredentials:
    return exchanges.ApiCredentials(api_key=api_key, secret=secret, ref=ref)


def _limited(code: str, reason: str) -> rules.Decision:
    return rules.Decision(rules.LIMITED, code, (reason,), Decimal("0"), Decimal("0"), None)


def _evaluate(creds: exchanges.ApiCredentials, *, uid: str, access: Access, now) -> Outcome:
    """Ask BingX about the referral and the deposits, then decide (pure rules)."""
    start, end = rules.window(now, settings.FLAXU_DEPOSIT_WINDOW_DAYS)
    referral = exchanges.referral_check(uid)
    try:
        credited = exchanges.deposits_since(creds, start, end) if referral.direct else ()
    except (exchanges.InvalidCredentials, exchanges.PermissionRefused) as exc:
        # The key passed its check moments ago and was revoked (or narrowed) in BingX since: a refused key.
        raise KeyRefused(f"BingX did not accept this key: {exc}") from exc
    deposits = tuple(deposit_counted(d) for d in credited)
    evidence = rules.Evidence(referral.invited, referral.direct, deposits, start, end)
    decision = rules.decide(
        evidence,
        policy=_policy(),
        min_deposit_usd=Decimal(settings.FLAXU_MIN_DEPOSIT_USD),
        qualified_before=access.qualified_at is not None,
    )
    inputs = {
        "uid": uid,
        "referral": {"invited": referral.invited, "direct": referral.direct, "kyc": referral.kyc},
        "window": {"start": start.isoformat(), "end": end.isoformat(), "days": settings.FLAXU_DEPOSIT_WINDOW_DAYS},
        "min_deposit_usd": str(settings.FLAXU_MIN_DEPOSIT_USD),
        "deposits": [
            {
                "currency": d.currency,
                "amount": str(d.amount),
                "usd_value": None if d.usd_value is None else str(d.usd_value.quantize(rules.CENT)),
                "credited_at": d.credited_at.isoformat(),
                "price_source": d.price_source,
            }
            for d in deposits
        ],
        "deposited_usd": str(decision.deposited_usd.quantize(rules.CENT)),
    }
    return Outcome(decision, inputs, uid)


def _key_check(creds: exchanges.ApiCredentials) -> exchanges.CredentialCheck:
    """The key's validity and rights; raises KeyRefused with the reason in plain words."""
    try:
        check = exchanges.credentials_check(creds)
    except (exchanges.InvalidCredentials, exchanges.PermissionRefused) as exc:
        raise KeyRefused(f"BingX did not accept this key: {exc}") from exc
    if not check.accepted:
        raise KeyRefused(check.refusal or "BingX did not accept this key.")
    return check


@transaction.atomic
def _record(
    *, user: User, source: str, outcome: Outcome, latency_ms: int, now, actor: User | None = None, request=None
) -> AccessCheck:
    access = Access.objects.select_for_update().get(pk=access_for(user).pk)
    before = access.effective_level(now)
    decision = outcome.decision
    access.level, access.code, access.reason = decision.level, decision.code, " ".join(decision.reasons)
    access.decided_at, access.last_attempt_at, access.last_error = now, now, ""
    if decision.level == rules.FULL and access.qualified_at is None:
        access.qualified_at = now
    if outcome.uid:
        access.bingx_uid = outcome.uid  # claimed; the unique constraint refuses a UID another user holds
    elif decision.code == NO_KEY:
        access.bingx_uid = ""  # no key, no BingX account: it is free for another FLAXU account
    access.save()
    check = AccessCheck.objects.create(
        user=user,
        created_at=now,
        source=source,
        policy=_policy(),
        previous_level=before,
        outcome=access.effective_level(now),
        code=decision.code,
        reasons=list(decision.reasons),
        inputs=outcome.inputs,
        latency_ms=latency_ms,
        actor=actor,
    )
    if check.changed:
        access_changed(
            user=user, before=before, after=check.outcome, reason=access.effective_reason(now), request=request
        )
    return check


def access_changed(*, user: User, before: str, after: str, reason: str, request=None) -> None:
    """Log, notify (in app, live, email) a change of effective level."""
    activity_record(action=ActivityLog.Action.ACCESS_CHANGED, user=user, request=request, before=before, after=after)
    title = {
        rules.FULL: "FULL access is open: signals, sniper, trading and backtests",
        rules.LIMITED: "Your FLAXU access is now LIMITED",
        rules.SUSPENDED: "Your FLAXU account is suspended",
    }[after]
    notify(user=user, kind="access_changed", title=title, body=reason, link="/access/", email=True)


def _record_transient(*, user: User, source: str, error: Exception, latency_ms: int, now) -> AccessCheck:
    access = access_for(user)
    plain = _could_not_check(error)
    Access.objects.filter(pk=access.pk).update(last_attempt_at=now, last_error=plain)
    level = access.effective_level(now)
    return AccessCheck.objects.create(
        user=user,
        created_at=now,
        source=source,
        policy=_policy(),
        previous_level=level,
        outcome=level,
        code="unavailable",
        reasons=[f"{plain} The last decision stands."],
        latency_ms=latency_ms,
        error=str(error)[:500],
        transient=True,
    )


def bingx_credential(user: User) -> ExchangeCredential | None:
    """The key access is decided from, ciphertext included (for credential_reveal)."""
    return selectors.bingx_keys(user).first()


@sensitive_variables()
def _bingx_key_store(
    *, user: User, api_key: Secret, api_secret: Secret, request: HttpRequest | None
) -> ExchangeCredential:
    """Put a checked key in the place of the user's BingX key (same row), or store the first one.

    Replacing in place deletes nothing, so no "key removed" decision follows, and no label can clash.
    Spare BingX keys (stored before keys were checked) are removed: the user ends with exactly one.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()  # one connect at a time per user
    keys = list(selectors.bingx_keys(user).select_for_update())
    if not keys:
        return credential_create(
            user=user,
            exchange=ExchangeCredential.Exchange.BINGX,
            label=BINGX_LABEL,
            api_key=api_key,
            api_secret=api_secret,
            request=request,
        )
    current, *spares = keys
    for spare in spares:
        credential_delete(credential=spare, request=request)  # a newer key than `current`: access stays
    return credential_replace(credential=current, api_key=api_key, api_secret=api_secret, request=request)


@sensitive_variables()
def key_connect(
    *, user: User, api_key: Secret | str, api_secret: Secret | str, request: HttpRequest | None = None, now=None
) -> AccessCheck:
    """Check a new BingX key end to end, then store it (replacing the current one) and the decision together.

    The key's rights, the referral and the deposits are all asked before anything is written, so a key
    that is refused, or a BingX outage half-way, leaves nothing stored. Raises KeyRefused or CheckUnavailable.
    """
    now = now or timezone.now()
    # Kept as Secret from here to ccxt, so no traceback shows them (forms and the API have stripped them).
    api_key, api_secret = Secret(reveal(api_key).strip()), Secret(reveal(api_secret).strip())
    creds = _credentials(api_key, api_secret, ref=f"new key of user {user.pk}")
    started = time.monotonic()
    try:
        check = _key_check(creds)
        if _uid_taken(check.uid, user=user):
            raise BingXAccountTaken(_uid_taken_reason(check.uid))
        outcome = _evaluate(creds, uid=check.uid, access=access_for(user), now=now)
    except TRANSIENT_ERRORS as exc:
        _log_if_misconfigured(exc)
        if isinstance(exc, exchanges.InvalidRequest):
            raise CheckUnavailable(f"{_could_not_check(exc)} Nothing was stored.") from exc
        raise CheckUnavailable(
            "BingX is not answering right now, so nothing was stored. Please try again in a minute."
        ) from exc
    latency_ms = int((time.monotonic() - started) * 1000)
    try:
        with transaction.atomic():
            _bingx_key_store(user=user, api_key=api_key, api_secret=api_secret, request=request)
            return _record(
                user=user, source=Source.CONNECT, outcome=outcome, latency_ms=latency_ms, now=now, request=request
            )
    except IntegrityError:
        # Another FLAXU account connected this BingX account meanwhile; the block stored nothing.
        if _uid_taken(check.uid, user=user):
            raise BingXAccountTaken(_uid_taken_reason(check.uid)) from None
        raise


def access_recheck(
    *, user: User, source: str = Source.RECHECK, now=None, request=None, actor: User | None = None
) -> AccessCheck:
    """Re-decide from BingX's current answers (`actor`: the staff member who asked). Raises CheckUnavailable
    (after recording it) on outages."""
    now = now or timezone.now()
    credential = bingx_credential(user)
    started = time.monotonic()
    if credential is None:
        outcome = Outcome(_limited(NO_KEY, "Connect your BingX API key to be checked."), {}, None)
        return _record(user=user, source=source, outcome=outcome, latency_ms=0, now=now, request=request, actor=actor)
    api_key, secret = credential_reveal(credential)
    creds = _credentials(api_key, secret, ref=f"credential {credential.pk}")
    try:
        try:
            check = _key_check(creds)
            if _uid_taken(check.uid, user=user):  # never FULL from a BingX account another user holds
                outcome = Outcome(_limited(UID_TAKEN, _uid_taken_reason(check.uid)), {"uid": check.uid}, None)
            else:
                outcome = _evaluate(creds, uid=check.uid, access=access_for(user), now=now)
        except KeyRefused as exc:
            outcome = Outcome(_limited("key_invalid", f"{exc} Reconnect your key."), {}, None)
    except TRANSIENT_ERRORS as exc:
        _log_if_misconfigured(exc)
        latency_ms = int((time.monotonic() - started) * 1000)
        _record_transient(user=user, source=source, error=exc, latency_ms=latency_ms, now=now)
        if isinstance(exc, exchanges.InvalidRequest):
            raise CheckUnavailable(f"{_could_not_check(exc)} Your access is unchanged.") from exc
        raise CheckUnavailable("BingX could not be reached; your access is unchanged.") from exc
    latency_ms = int((time.monotonic() - started) * 1000)
    try:
        return _record(
            user=user, source=source, outcome=outcome, latency_ms=latency_ms, now=now, request=request, actor=actor
        )
    except IntegrityError:
        if not (outcome.uid and _uid_taken(outcome.uid, user=user)):
            raise
        # Another FLAXU account connected this BingX account during the check: it holds it now.
        taken = Outcome(_limited(UID_TAKEN, _uid_taken_reason(outcome.uid)), {"uid": outcome.uid}, None)
        return _record(
            user=user, source=source, outcome=taken, latency_ms=latency_ms, now=now, request=request, actor=actor
        )


def key_remove(*, user: User, request: HttpRequest | None = None) -> None:
    """Remove the BingX key access is decided from; access then falls to LIMITED (unless overridden).

    The decision is recorded by access_after_key_removed, which credential_delete's credential_removed
    event triggers once the deletion commits: one decision, whichever page or API removed the key.
    """
    credential = bingx_credential(user)
    if credential is not None:
        credential_delete(credential=credential, request=request)


def access_after_key_removed(
    *, user: User, credential_id: int | None = None, request: HttpRequest | None = None
) -> AccessCheck | None:
    """Record a KEY_REMOVED decision (LIMITED at once, unless staff set the level) when access lost its key.

    Access lost its key when the user has no BingX key left, or when `credential_id` was older than the
    key now first (the one access was decided from). Removing a spare, or reporting a removal that the last
    decision already reflects, records nothing, so a removal is decided exactly once.
    """
    with transaction.atomic():
        access = Access.objects.select_for_update().get(pk=access_for(user).pk)
        current = bingx_credential(user)
        if current is not None and (credential_id is None or credential_id > current.pk):
            return None
        if access.code == NO_KEY:
            return None
        outcome = Outcome(_limited(NO_KEY, "Your BingX key was removed; connect one to be checked."), {}, None)
        return _record(
            user=user, source=Source.KEY_REMOVED, outcome=outcome, latency_ms=0, now=timezone.now(), request=request
        )
