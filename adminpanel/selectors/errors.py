"""What the staff errors page reads: recorded server errors and failed tasks, newest first."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from adminpanel.models import ErrorRecord


def error_records(*, kind: str = "") -> QuerySet[ErrorRecord]:
    """Newest first, of one kind (request, task, log) or all; without the traceback, which only the detail
    page shows."""
    records = ErrorRecord.objects.defer("traceback").order_by("-created_at", "-id")
    return records.filter(kind=kind) if kind else records


def error_counts_by_kind(*, since: datetime | None = None) -> dict[str, int]:
    """Records per kind since ``since`` (default: the last 24 hours), every kind present (0 if none)."""
    since = since or timezone.now() - timedelta(hours=24)
    counted = dict(
        ErrorRecord.objects.filter(created_at__gte=since)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return {kind: counted.get(kind, 0) for kind in ErrorRecord.Kind.values}
