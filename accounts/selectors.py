"""Read-side queries for the account pages and API."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import ActivityLog, ApiToken, ExchangeCredential, Notification, User


def activity_for_user(*, user: User) -> QuerySet[ActivityLog]:
    return ActivityLog.objects.filter(user=user).order_by("-created_at", "-id")


def tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def credentials_for_user(*, user: User) -> QuerySet[ExchangeCredential]:
    """The user's keys for display: masks only, the ciphertext is not even loaded."""
    return ExchangeCredential.objects.filter(user=user).defer("api_key_encrypted", "api_secret_encrypted")


def notifications_for_user(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first (the model's ordering, stated here so paging never depends on it)."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_notification_count(*, user: User) -> int:
    """One COUNT on the (user, read_at) index: what the top bar's bell shows."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
