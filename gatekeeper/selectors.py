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


def full_access_refusal(user: User) -> str | None:
    """None when the user has FULL access, else why not, in plain words."""
    if not getattr(user, "is_authenticated", False):
        return "Log in first."
    access = access_of(user)
    level = access.effective_level() if access else rules.LIMITED
    if level == rules.FULL:
        return None
    if level == rules.SUSPENDED:
        return f"Your account is suspended: {access.effective_reason()}"
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
