"""Live pushes from market services: ``push_coalesced`` sends at most one event per group per window."""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

from core.realtime.push import group_name, push


def _key(group: str) -> str:
    return f"market:push:{group}"


def push_coalesced(group: str, type: str, data: Any = None) -> bool:
    """``push`` unless this group already had a push in the last FLAXU_PUSH_COALESCE_SECONDS.

    The last push time lives in the shared cache, so the limit holds across processes (two processes
    racing at the very edge of the window may both send; the next window is clean again). Returns
    whether the event was sent; a skipped one is simply dropped (snapshots are states: the next refresh
    carries the newer one).
    """
    window = float(settings.FLAXU_PUSH_COALESCE_SECONDS)
    name = group_name(group)
    if window > 0:
        now = time.time()
        key, timeout = _key(name), math.ceil(window) + 1
        if not cache.add(key, now, timeout=timeout):
            last = cache.get(key)
            if last is not None and now - last < window:
                return False
            cache.set(key, now, timeout=timeout)
    push(name, type, data)
    return True
