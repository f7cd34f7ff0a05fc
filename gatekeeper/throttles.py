"""The per-user limit on "Check again" (the page and the API share it): each check asks BingX several times.

The allowance lives on the user's Access row, not in the cache: one conditional UPDATE spends it, so of
any number of simultaneous requests exactly one passes, on SQLite and PostgreSQL, with or without Redis,
and no cache eviction can hand it back early.
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from gatekeeper.models import Access


def recheck_wait(*, user_id: int) -> int:
    """0 and the check may run now (this call spends the allowance), else the seconds left to wait."""
    period = settings.FLAXU_RECHECK_THROTTLE_SECONDS
    if period <= 0:
        return 0
    now = timezone.now()
    Access.objects.get_or_create(user_id=user_id)
    # The database re-tests the condition under the row's write lock: a second caller sees the new time.
    spent = (
        Access.objects.filter(user_id=user_id)
        .filter(Q(recheck_allowed_at__isnull=True) | Q(recheck_allowed_at__lte=now))
        .update(recheck_allowed_at=now + timedelta(seconds=period))
    )
    if spent:
        return 0
    allowed_at = Access.objects.filter(user_id=user_id).values_list("recheck_allowed_at", flat=True).first()
    return max(1, math.ceil((allowed_at - now).total_seconds())) if allowed_at else 1
