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
# No re-check is queued further ahead than this. A worker holds a delayed task unacknowledged until it runs,
# and the Redis broker hands an unacknowledged task to another worker after its visibility timeout (an hour):
# a longer countdown ran twice. So the spread is queued a slice at a time, each slice queueing the next.
SLICE_SECONDS = 1800


def spread_gap(count: int, spread_seconds: float, min_gap: float = MIN_GAP_SECONDS) -> float:
    """Seconds between two checks that spread `count` checks evenly over the period, never under `min_gap`
    nor over a slice (a few users are checked closer together rather than queued too far ahead)."""
    return min(max(spread_seconds / max(count, 1), min_gap), SLICE_SECONDS)


def slice_size(gap: float, slice_seconds: float = SLICE_SECONDS) -> int:
    """How many checks `gap` apart one slice queues: all within `slice_seconds`, at least one."""
    return max(1, int(slice_seconds // gap))


@shared_task
def revalidate_all() -> int:
    """Start a re-check of every connected user, spread over FLAXU_REVALIDATE_SPREAD_SECONDS, a slice at a time."""
    count = users_to_revalidate().count()
    if count:
        revalidate_slice(after_pk=0, gap=spread_gap(count, settings.FLAXU_REVALIDATE_SPREAD_SECONDS))
    return count


@shared_task
def revalidate_slice(after_pk: int, gap: float) -> int:
    """Queue the re-checks of the next users after `after_pk` that fit in one slice, then the next slice
    when this one's last check is due (users who connect meanwhile are included; those gone are not)."""
    size = slice_size(gap)
    user_ids = list(users_to_revalidate().filter(pk__gt=after_pk).values_list("pk", flat=True)[:size])
    for position, user_id in enumerate(user_ids):
        revalidate_user.apply_async((user_id,), countdown=round(position * gap, 1))
    if len(user_ids) == size:
        revalidate_slice.apply_async(kwargs={"after_pk": user_ids[-1], "gap": gap}, countdown=round(size * gap, 1))
    return len(user_ids)


@shared_task(
    autoretry_for=(CheckUnavailable,),
    retry_backoff=60,
    retry_backoff_max=SLICE_SECONDS,  # under the broker's visibility timeout, as the slices
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
