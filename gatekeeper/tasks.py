"""Celery entry points: scheduled re-validation (fanned out one task per user) and override expiry."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from accounts.models import User
from gatekeeper.models import AccessCheck
from gatekeeper.selectors import users_to_revalidate
from gatekeeper.services.access import CheckUnavailable, access_recheck
from gatekeeper.services.overrides import overrides_expire

MIN_GAP_SECONDS = 2.0  # keeps the owner's agent key far below BingX's rate limits


def spread_countdowns(count: int, spread_seconds: float, min_gap: float = MIN_GAP_SECONDS) -> list[float]:
    """Delays that spread `count` checks evenly over the period, never closer than `min_gap`."""
    gap = max(spread_seconds / max(count, 1), min_gap)
    return [round(position * gap, 1) for position in range(count)]


@shared_task
def revalidate_all() -> int:
    """Queue one re-check per connected user, spread over FLAXU_REVALIDATE_SPREAD_SECONDS."""
    user_ids = list(users_to_revalidate().values_list("pk", flat=True))
    for user_id, countdown in zip(
        user_ids, spread_countdowns(len(user_ids), settings.FLAXU_REVALIDATE_SPREAD_SECONDS), strict=True
    ):
        revalidate_user.apply_async((user_id,), countdown=countdown)
    return len(user_ids)


@shared_task(
    autoretry_for=(CheckUnavailable,),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=6,
)
def revalidate_user(user_id: int) -> str | None:
    """Re-check one user; a BingX outage leaves access as it was and retries with backoff."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    return access_recheck(user=user, source=AccessCheck.Source.SCHEDULE).outcome


@shared_task
def expire_overrides() -> int:
    return overrides_expire()
