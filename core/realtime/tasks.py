"""Celery tasks of the realtime app: thin wrappers around push.py and services.py."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from core.realtime.push import push_to_user
from core.realtime.services import outbox_prune, worker_heartbeat_record


@shared_task
def ping() -> str:
    """Health check run by beat every minute: records the worker heartbeat."""
    worker_heartbeat_record()
    return "pong"


@shared_task(ignore_result=True)
def notify_user(user_id: int, type: str, data: Any = None) -> None:
    """Push one event to every socket of one user."""
    push_to_user(user_id, type, data)


@shared_task(ignore_result=True)
def prune_outbox() -> int:
    """Delete outbox events older than FLAXU_OUTBOX_RETENTION_SECONDS."""
    return outbox_prune()
