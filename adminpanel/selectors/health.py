"""What the staff health page reads: services, exchanges, providers, Celery workers and queues, beat runs.

Every probe of something outside this process is bounded (workers get WORKER_REPLY_SECONDS to answer,
the whole Celery probe CELERY_PROBE_SECONDS) and reports a failure as text, so the page never hangs or
fails when a worker, the broker or the cache does not answer.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib import admin
from django_celery_beat.models import PeriodicTask

from adminpanel.redaction import scrub_text
from core.realtime.selectors import worker_heartbeat_last
from market.exchanges import exchange_health
from market.exchanges.clients import EXCHANGES
from market.exchanges.health import breaker_state
from market.providers.base import all_provider_health

WORKER_REPLY_SECONDS = 1.0
CELERY_PROBE_SECONDS = 4.0
BROKER_CONNECT = 1.0  # seconds
NO_ANSWER = "no answer"
# The Celery probe runs here, not on the request's thread, so it can be abandoned when it overruns; a
# probe stuck on a dead broker cannot pile up past this many threads.
_PROBES = ThreadPoolExecutor(max_workers=2, thread_name_prefix="staff-health")


def _failure(exc: BaseException) -> str:
    return f"{NO_ANSWER} ({type(exc).__name__})"


# --- services (database, cache, broker, channel layer) ---------------------------------------------


def service_rows() -> list[dict[str, Any]]:
    """What /readyz checks, with latency: the project's readiness checks (flaxu.health), which live above
    this app and are handed down by the admin site (admin.site.readiness_rows, also /admin/health/)."""
    return admin.site.readiness_rows()


# --- exchanges and providers -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OperationRow:
    operation: str
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    samples: int
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str


@dataclass(frozen=True, slots=True)
class ExchangeRow:
    exchange: str
    breaker_state: str
    operations: list[OperationRow] = field(default_factory=list)
    error: str = ""  # the health records could not be read


def exchange_rows() -> list[ExchangeRow]:
    """Each exchange the gateway serves: its breaker and every operation recorded by any process."""
    rows = []
    for exchange in EXCHANGES:
        try:
            operations = [
                OperationRow(
                    operation=h.operation,
                    p50_ms=h.p50_ms,
                    p95_ms=h.p95_ms,
                    p99_ms=h.p99_ms,
                    samples=h.samples,
                    last_success_at=h.last_success_at,
                    last_error_at=h.last_error_at,
                    last_error=scrub_text(h.last_error or ""),  # stored scrubbed; checked again on the way out
                )
                for h in exchange_health(exchange)
            ]
            rows.append(ExchangeRow(exchange, breaker_state(exchange), operations))
        except Exception as exc:  # the cache holds the records; it may be down
            rows.append(ExchangeRow(exchange, "unknown", error=f"health records unreadable ({type(exc).__name__})"))
    return rows


def duration_text(seconds: float | None) -> str:
    """A staleness as staff read it: "45 s", "12 min 5 s", "3 h 20 min", "2 d 4 h"; "—" for none."""
    if seconds is None:
        return "—"
    whole = int(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


@dataclass(frozen=True, slots=True)
class ProviderRow:
    name: str
    last_success_at: datetime | None
    stale_seconds: float | None
    stale_for: str
    failures: int
    backoff_until: datetime | None
    last_error_at: datetime | None
    last_error: str


def provider_rows() -> tuple[list[ProviderRow], str]:
    """Each data provider that has recorded anything, and an error text if the records could not be read."""
    try:
        healths = all_provider_health()
    except Exception as exc:
        return [], f"health records unreadable ({type(exc).__name__})"
    return [
        ProviderRow(
            name=h.name,
            last_success_at=h.last_success_at,
            stale_seconds=h.stale_seconds,
            stale_for=duration_text(h.stale_seconds),
            failures=h.failures,
            backoff_until=h.backoff_until,
            last_error_at=h.last_error_at,
            last_error=scrub_text(h.last_error or ""),
        )
        for h in healths
    ], ""


# --- Celery ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CeleryStatus:
    workers: dict[str, list[str]]  # worker name → queues it consumes; empty when none answered
    workers_error: str  # "no answer (...)" when the question could not be asked or nobody answered
    queue_lengths: dict[str, int | None]  # queue → messages waiting; None when the broker did not say
    queues_error: str
    heartbeat_at: datetime | None  # the last run of the beat-driven ping task, by any worker


def queue_names() -> list[str]:
    return list(settings.CELERY_TASK_QUEUES)


def _queue_lengths(connection) -> dict[str, int]:
    """Messages waiting per queue, from the broker itself: kombu's queue declare answers the count on Redis
    (LLEN of the queue and its priority lists) and on the filesystem broker (its message files). Not a
    passive declare: on Redis with a global_keyprefix (the test suite's partitions) kombu looks for the
    queue without the prefix and says it does not exist; declaring is what Celery does before every send."""
    channel = connection.default_channel
    return {name: channel.queue_declare(queue=name).message_count for name in queue_names()}


def _active_queues(connection) -> dict[str, list[str]]:
    """Workers that answer within WORKER_REPLY_SECONDS, with the queues they consume (an answer is a ping)."""
    replies = current_app.control.inspect(timeout=WORKER_REPLY_SECONDS, connection=connection).active_queues()
    return {worker: sorted(q["name"] for q in queues) for worker, queues in (replies or {}).items()}


def _probe() -> tuple[dict[str, list[str]], str, dict[str, int | None], str]:
    try:
        with current_app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
            # One quick retry, no back-off: a broker that refuses now is reported now.
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=BROKER_CONNECT)
            try:
                lengths, lengths_error = _queue_lengths(connection), ""
            except Exception as exc:
                lengths, lengths_error = dict.fromkeys(queue_names()), _failure(exc)
            try:
                workers = _active_queues(connection)
                workers_error = "" if workers else f"{NO_ANSWER} (no worker replied within {WORKER_REPLY_SECONDS:g} s)"
            except Exception as exc:
                workers, workers_error = {}, _failure(exc)
            return workers, workers_error, lengths, lengths_error
    except Exception as exc:  # the broker itself is unreachable
        return {}, _failure(exc), dict.fromkeys(queue_names()), _failure(exc)


def celery_status() -> CeleryStatus:
    """Workers, queue lengths and the last heartbeat; bounded by CELERY_PROBE_SECONDS whatever happens."""
    future = _PROBES.submit(_probe)
    try:
        workers, workers_error, lengths, lengths_error = future.result(timeout=CELERY_PROBE_SECONDS)
    except FutureTimeout:
        late = f"{NO_ANSWER} (broker did not answer within {CELERY_PROBE_SECONDS:g} s)"
        workers, workers_error, lengths, lengths_error = {}, late, dict.fromkeys(queue_names()), late
    try:
        heartbeat = worker_heartbeat_last()
    except Exception:  # the cache holds it; it may be down
        heartbeat = None
    return CeleryStatus(workers, workers_error, lengths, lengths_error, heartbeat)


# --- beat --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BeatRow:
    name: str
    task: str
    enabled: bool
    schedule: str
    last_run_at: datetime | None
    total_run_count: int


def beat_rows() -> list[BeatRow]:
    """Every periodic task beat runs (django-celery-beat), by name."""
    tasks = PeriodicTask.objects.select_related("interval", "crontab", "solar", "clocked").order_by("name")
    return [
        BeatRow(
            name=t.name,
            task=t.task,
            enabled=t.enabled,
            schedule=str(t.interval or t.crontab or t.solar or t.clocked or "—"),
            last_run_at=t.last_run_at,
            total_run_count=t.total_run_count,
        )
        for t in tasks
    ]
