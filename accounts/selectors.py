"""Read-side queries for the account pages and API."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import ActivityLog, ApiToken, ExchangeCredential, User


def activity_for_user(*, user: User) -> QuerySet[ActivityLog]:
    return ActivityLog.objects.filter(user=user).order_by("-created_at", "-id")


def tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def credentials_for_user(*, user: User) -> QuerySet[ExchangeCredential]:
    """The user's keys for display: masks only, the ciphertext is not even loaded."""
    return ExchangeCredential.objects.filter(user=user).defer("api_key_encrypted", "api_secret_encrypted")
