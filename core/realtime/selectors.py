"""Realtime reads: when a Celery worker was last seen alive."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache

from core.realtime.services import WORKER_HEARTBEAT_KEY


def worker_heartbeat_last() -> datetime | None:
    """When a worker last ran the `ping` task, or None if none has (or the cache was cleared)."""
    value = cache.get(WORKER_HEARTBEAT_KEY)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
