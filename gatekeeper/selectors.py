"""Who has which access, for enforcement and for the status page."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import ExchangeCredential, User
from gatekeeper import rules
from gatekeeper.models import Access, AccessCheck
from gatekeeper.token_cache import user_gate


def access_of(user: User) -> Access | None:
    return Access.objects.filter(user=user).first()


def effective_level(user: User) -> str:
    access = access_of(user)
    return access.effective_level(timezone.now()) if access else rules.LIMITED


def request_gate(request, user: User) -> tuple[Access | None, bool]:
    """The signed-in user's Access and whether they have a confirmed 2FA device, for this request.

    Read once per request from the cache (gatekeeper.token_cache.user_gate, cleared by any change to them),
    so the middlewares and the API's permission checks share one read. Keyed by user: a token call made
    with a session cookie as well is checked as the token's user.
    """
    http = getattr(request, "_request", request)  # DRF's Request wraps Django's
    memo = getattr(http, "_flaxu_gate", None)
    if memo is None or memo[0] != user.pk or memo[2] is None:
        memo = (user.pk, *user_gate(user))
        http._flaxu_gate = memo
    return memo[1], memo[2]


def request_access(request, user: User) -> Access | None:
    """The user's Access for this request (request_gate), or the one an API token brought with it."""
    memo = getattr(getattr(request, "_request", request), "_flaxu_gate", None)
    if memo is not None and memo[0] == user.pk:
        return memo[1]
    return request_gate(request, user)[0]


def request_access_remember(request, user: User, access: Access | None) -> None:
    """An API token's cached Access (gatekeeper.token_cache) serves this request's later checks."""
    getattr(request, "_request", request)._flaxu_gate = (user.pk, access, None)


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


def full_access_refusal(user: User, *, access: Access | object | None = _LOOK_UP) -> str | None:
    """None when the user has FULL access, else why not, in plain words (``access``: as suspension_refusal)."""
    if not getattr(user, "is_authenticated", False):
        return "Log in first."
    if access is _LOOK_UP:
        access = access_of(user)
    level = access.effective_level() if access else rules.LIMITED
    if level == rules.FULL:
        return None
    if level == rules.SUSPENDED:
        return suspension_refusal(user, access=access)
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
