"""Celery tasks of the back office: error-record retention, failed tasks captured as error records, and the
staff overview's trading rollup."""

from __future__ import annotations

from celery import shared_task
from celery.signals import task_failure

from adminpanel.logging import record_failed_task
from adminpanel.selectors.days import today_utc
from adminpanel.services.errors import error_records_prune
from adminpanel.services.trading_rollup import rollup_all, rollup_recent

# Every worker imports this module (Celery's autodiscovery), so every failed task of every queue is seen.
task_failure.connect(record_failed_task, dispatch_uid="adminpanel.record_failed_task")


@shared_task(ignore_result=True)
def prune_error_records() -> int:
    """Delete error records older than STAFF_ERROR_RETENTION_DAYS."""
    return error_records_prune()


@shared_task(ignore_result=True)
def rollup_recent_trading() -> str:
    """The staff overview's trading rollup: the last few whole days, and any day since it last ran."""
    since, until = rollup_recent(today=today_utc())
    return f"trading rollup recomputed [{since or 'start'}, {until})"


@shared_task(ignore_result=True)
def rollup_all_trading() -> str:
    """The staff overview's trading rollup, every whole day again."""
    since, until = rollup_all(today=today_utc())
    return f"trading rollup recomputed [{since or 'start'}, {until})"
