"""Read-side queries for the account pages and API."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import ActivityLog, ApiToken, User


def activity_for_user(*, user: User) -> QuerySet[ActivityLog]:
    return ActivityLog.objects.filter(user=user).order_by("-created_at", "-id")


def tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")
