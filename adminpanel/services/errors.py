"""Writing error records: one per distinct error a minute (repeats counted on it), pruned after the retention."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from adminpanel.models import ErrorRecord
from adminpanel.redaction import scrub_text

# The same error again within this window adds to the first record's count instead of a new row, so an
# error in a loop (a poller, a retried task) cannot flood the table.
DEDUPE_WINDOW = timedelta(minutes=1)
_NUMBERS = re.compile(r"\d+")
_FIELD_LIMITS = {"logger": 200, "exception_type": 200}
_MAX_MESSAGE = 2000
_MAX_TRACEBACK = 20_000


def error_fingerprint(*, kind: str, logger: str, exception_type: str, message: str, where: str) -> str:
    """What makes two errors "the same": kind, logger, exception, place and message, with numbers masked
    in both (ids in paths and messages, and timings, differ between repeats of one error)."""
    text = "|".join([kind, logger, exception_type, _NUMBERS.sub("#", where), _NUMBERS.sub("#", message)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def error_record_capture(
    *,
    kind: str,
    logger: str,
    message: str,
    exception_type: str = "",
    traceback: str = "",
    context: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> ErrorRecord:
    """Store one error, scrubbed of secrets; a repeat within DEDUPE_WINDOW is counted on the first record."""
    now = now or timezone.now()
    message = scrub_text(message)[:_MAX_MESSAGE] or "(no message)"
    context = dict(context or {})
    where = str(context.get("path") or context.get("task") or context.get("where") or "")
    fingerprint = error_fingerprint(
        kind=kind, logger=logger, exception_type=exception_type, message=message, where=where
    )
    # A savepoint when the caller is inside a transaction: a failed write here must not break theirs.
    with transaction.atomic():
        earlier = (
            ErrorRecord.objects.select_for_update()
            .filter(kind=kind, created_at__gte=now - DEDUPE_WINDOW, context__fingerprint=fingerprint)
            .order_by("-created_at", "-id")
            .first()
        )
        if earlier is not None:
            earlier.context = {
                **earlier.context,
                "count": int(earlier.context.get("count", 1)) + 1,
                "last_seen": now.isoformat(),
            }
            earlier.save(update_fields=["context"])
            return earlier
        return ErrorRecord.objects.create(
            kind=kind,
            logger=logger[: _FIELD_LIMITS["logger"]],
            message=message,
            exception_type=exception_type[: _FIELD_LIMITS["exception_type"]],
            traceback=scrub_text(traceback)[-_MAX_TRACEBACK:],
            context={**context, "fingerprint": fingerprint, "count": 1},
        )


def error_records_prune(*, now: datetime | None = None, days: int | None = None) -> int:
    """Delete the records older than ``days`` (settings.STAFF_ERROR_RETENTION_DAYS); returns how many."""
    days = settings.STAFF_ERROR_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = ErrorRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
