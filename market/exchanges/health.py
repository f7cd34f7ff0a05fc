"""Health of each exchange operation, kept in the Django cache so every process sees the same record.

Per (exchange, operation): last success, last error (already scrubbed), latency p50/p95/p99 over the last
WINDOW calls, and the circuit breaker's state. Writing the cache on every call would cost more than the
call's own overhead, so each process buffers its samples and writes at most once per FLUSH_SECONDS,
except that an error, a change of outcome and a breaker transition are written at once. A cache outage
never breaks an exchange call: it is logged and skipped.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.cache import cache

from market.exchanges.translation import scrub

logger = logging.getLogger(__name__)

WINDOW = 200
FLUSH_SECONDS = 1.0
TTL_SECONDS = 7 * 24 * 3600
_PREFIX = "market:exchanges:health"


@dataclass(frozen=True, slots=True)
class OperationHealth:
    exchange: str
    operation: str
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    samples: int
    breaker_state: str


@dataclass(slots=True)
class _Pending:
    samples: list[float] = field(default_factory=list)
    last_success: float | None = None
    last_error: tuple[float, str] | None = None
    last_outcome: str | None = None
    flushed_at: float = 0.0


_pending: dict[tuple[str, str], _Pending] = {}
_lock = threading.Lock()


def _key(exchange: str, operation: str) -> str:
    return f"{_PREFIX}:{exchange}:{operation}"


def _breaker_key(exchange: str) -> str:
    return f"{_PREFIX}:{exchange}:breaker"


def _index_key(exchange: str) -> str:
    return f"{_PREFIX}:{exchange}:operations"


def record(exchange: str, operation: str, *, latency_ms: float, error: str | None = None) -> None:
    """Note one call's outcome; written to the cache now or with the next flush."""
    now = time.time()
    outcome = "error" if error else "ok"
    with _lock:
        pending = _pending.setdefault((exchange, operation), _Pending())
        pending.samples.append(round(latency_ms, 2))
        if error:
            pending.last_error = (now, scrub(error))
        else:
            pending.last_success = now
        due = error or outcome != pending.last_outcome or now - pending.flushed_at >= FLUSH_SECONDS
        pending.last_outcome = outcome
        if not due:
            return
        batch = _take(pending, now)
    _write(exchange, operation, batch)


def _take(pending: _Pending, now: float) -> _Pending:
    batch = _Pending(pending.samples, pending.last_success, pending.last_error)
    pending.samples, pending.last_success, pending.last_error = [], None, None
    pending.flushed_at = now
    return batch


def _write(exchange: str, operation: str, batch: _Pending) -> None:
    try:
        stored = cache.get(_key(exchange, operation)) or {}
        samples = (stored.get("samples", []) + batch.samples)[-WINDOW:]
        last_success = max(filter(None, [stored.get("last_success"), batch.last_success]), default=None)
        last_error = stored.get("last_error")
        if batch.last_error and (not last_error or batch.last_error[0] >= last_error[0]):
            last_error = list(batch.last_error)
        record_ = {"samples": samples, "last_success": last_success, "last_error": last_error}
        cache.set(_key(exchange, operation), record_, TTL_SECONDS)
        operations = cache.get(_index_key(exchange)) or []
        if operation not in operations:
            cache.set(_index_key(exchange), sorted({*operations, operation}), TTL_SECONDS)
    except Exception:  # a cache outage must not break exchange calls
        logger.warning("Could not write the %s %s health record to the cache", exchange, operation, exc_info=True)


def flush() -> None:
    """Write every buffered sample now (tests, shutdown)."""
    now = time.time()
    with _lock:
        batches = [(key, _take(p, now)) for key, p in _pending.items() if p.samples]
    for (exchange, operation), batch in batches:
        _write(exchange, operation, batch)


def forget_pending() -> None:
    """Drop this process's buffered samples (tests start from a clean slate)."""
    with _lock:
        _pending.clear()


def record_breaker(exchange: str, state: str) -> None:
    """Note a circuit breaker transition at once."""
    try:
        cache.set(_breaker_key(exchange), {"state": state, "since": time.time()}, TTL_SECONDS)
    except Exception:
        logger.warning("Could not write the %s breaker state to the cache", exchange, exc_info=True)


def breaker_state(exchange: str) -> str:
    """closed, open or half-open as last reported by any process ("closed" when none has)."""
    stored = cache.get(_breaker_key(exchange)) or {}
    return stored.get("state", "closed")


def _percentile(ordered: list[float], fraction: float) -> float | None:
    if not ordered:
        return None
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def _when(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, tz=UTC)


def operation_health(exchange: str, operation: str) -> OperationHealth | None:
    """The shared record for one operation, or None if no process has recorded it yet."""
    stored = cache.get(_key(exchange, operation))
    if stored is None:
        return None
    ordered = sorted(stored.get("samples", []))
    last_error = stored.get("last_error")
    return OperationHealth(
        exchange=exchange,
        operation=operation,
        last_success_at=_when(stored.get("last_success")),
        last_error_at=_when(last_error[0]) if last_error else None,
        last_error=last_error[1] if last_error else None,
        p50_ms=_percentile(ordered, 0.50),
        p95_ms=_percentile(ordered, 0.95),
        p99_ms=_percentile(ordered, 0.99),
        samples=len(ordered),
        breaker_state=breaker_state(exchange),
    )


def exchange_health(exchange: str) -> list[OperationHealth]:
    """Every recorded operation of one exchange, by name."""
    names = cache.get(_index_key(exchange)) or []
    return [h for name in names if (h := operation_health(exchange, name)) is not None]
