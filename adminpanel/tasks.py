"""Celery tasks of the back office: error-record retention, and failed tasks captured as error records."""

from __future__ import annotations

from celery import shared_task
from celery.signals import task_failure

from adminpanel.logging import record_failed_task
from adminpanel.services.errors import error_records_prune

# Every worker imports this module (Celery's autodiscovery), so every failed task of every queue is seen.
task_failure.connect(record_failed_task, dispatch_uid="adminpanel.record_failed_task")


@shared_task(ignore_result=True)
def prune_error_records() -> int:
    """Delete error records older than STAFF_ERROR_RETENTION_DAYS."""
    return error_records_prune()
