"""Realtime housekeeping that writes: the worker heartbeat and outbox pruning."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core.realtime.models import OutboxEvent

WORKER_HEARTBEAT_KEY = "flaxu:worker:heartbeat"


def worker_heartbeat_record(*, at: datetime | None = None) -> datetime:
    """Note that a Celery worker is alive and running tasks (read by `worker_heartbeat_last`)."""
    at = at or timezone.now()
    cache.set(WORKER_HEARTBEAT_KEY, at.isoformat(), timeout=None)
    return at


def outbox_prune(*, older_than: timedelta | None = None) -> int:
    """Delete relayed-or-stale outbox events older than the retention; returns how many."""
    if older_than is None:
        older_than = timedelta(seconds=settings.FLAXU_OUTBOX_RETENTION_SECONDS)
    deleted, _ = OutboxEvent.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
