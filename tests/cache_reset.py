"""Emptying the test cache without touching other test workers' keys."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def cache_clear_own() -> None:
    """Delete this test worker's cache keys (its KEY_PREFIX), never the whole Redis database.

    On Redis, ``cache.clear()`` is FLUSHDB: it would also drop the other xdist workers' keys (a test elsewhere
    loses its ticker snapshot mid-test), Celery's queues and Channels' groups. Without a prefix (the embedded
    file cache, private to the worker's var dir) it is the backend's own clear."""
    prefix = settings.CACHES["default"].get("KEY_PREFIX")
    if prefix and hasattr(cache, "_cache"):
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
