"""The per-user limit on "Check again" (the page and the API share it): each check asks BingX several times."""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache


def _key(user_id: int) -> str:
    return f"gatekeeper:recheck:{user_id}"


def recheck_wait(*, user_id: int) -> int:
    """0 and the check may run now (this call spends the allowance), else the seconds left to wait."""
    period = settings.FLAXU_RECHECK_THROTTLE_SECONDS
    if period <= 0:
        return 0
    now = time.time()
    if cache.add(_key(user_id), now + period, timeout=period):
        return 0
    allowed_at = cache.get(_key(user_id))
    if allowed_at is None:  # expired between add() and get(): try once more
        return 0 if cache.add(_key(user_id), now + period, timeout=period) else 1
    return max(1, math.ceil(allowed_at - now))
