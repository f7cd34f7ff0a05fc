"""Who has which access, for enforcement and for the status page."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import ExchangeCredential, User
from gatekeeper import rules
from gatekeeper.models import Access, AccessCheck


def access_of(user: User) -> Access | None:
    return Access.objects.filter(user=user).first()


def effective_level(user: User) -> str:
    access = access_of(user)
    return access.effective_level(timezone.now()) if access else rules.LIMITED


# What a SUSPENDED user may still do, named in every refusal (the routes: gatekeeper.middleware).
SUSPENDED_MAY_STILL = "You can still read your access status, sign out, and export or delete your data."


_LOOK_UP = object()


def suspension_refusal(user, *, access: Access | object | None = _LOOK_UP) -> str | None:
    """None unless the user is SUSPENDED; else why, as pages, the API and websockets refuse them.

    The one suspension check: SuspendedUserMiddleware (pages), gatekeeper.authentication (the API, session
    and token alike) and the websocket consumers call it. ``access``: the user's Access (or None) when the
    caller already holds it (API tokens: gatekeeper.token_cache); else it is read from the database.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    if access is _LOOK_UP:
        access = access_of(user)
    if access is None or access.effective_level() != rules.SUSPENDED:
        return None
    reason = access.effective_reason().strip() or "contact the FLAXU team for the reason."
    return f"Your account is suspended: {reason}"


def full_access_refusal(user: User) -> str | None:
    """None when the user has FULL access, else why not, in plain words."""
    if not getattr(user, "is_authenticated", False):
        return "Log in first."
    access = access_of(user)
    level = access.effective_level() if access else rules.LIMITED
    if level == rules.FULL:
        return None
    if level == rules.SUSPENDED:
        return suspension_refusal(user)
    reason = access.effective_reason() if access and access.effective_reason() else "Connect your BingX API key first."
    return f"This needs FULL access. {reason}"


def bingx_keys(user: User) -> QuerySet[ExchangeCredential]:
    """The user's BingX keys, oldest first: access is decided from the first (key_connect keeps only one)."""
    return ExchangeCredential.objects.filter(user=user, exchange=ExchangeCredential.Exchange.BINGX).order_by("pk")


def bingx_key(user: User) -> ExchangeCredential | None:
    """The BingX key access is decided from, for display (masked; the ciphertext is not loaded)."""
    return bingx_keys(user).defer("api_key_encrypted", "api_secret_encrypted").first()


def access_history(user: User, limit: int = 50) -> QuerySet[AccessCheck]:
    return AccessCheck.objects.filter(user=user).order_by("-created_at", "-id")[:limit]


def users_to_revalidate() -> QuerySet[User]:
    """Active users with a BingX key (ordered, so the schedule spreads them the same way each time)."""
    with_keys = ExchangeCredential.objects.filter(exchange=ExchangeCredential.Exchange.BINGX).values("user_id")
    return User.objects.filter(is_active=True, pk__in=with_keys).order_by("pk")


def expired_overrides(now=None) -> QuerySet[Access]:
    now = now or timezone.now()
    return Access.objects.exclude(override_level="").filter(override_expires_at__lte=now)
