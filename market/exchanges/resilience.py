"""Circuit breakers (pybreaker) and retries (tenacity) around single exchange calls.

``run`` is the one path every exchange call takes: breaker check, the call, translation of ccxt's
exceptions into gateway errors, a health sample, and, for reads and cancels only, retries with
exponential backoff and jitter. Orders are never retried here (see ``orders.py``).

Breakers live in the process (one per exchange endpoint) and count only ExchangeUnavailable: a user's
bad key, a rejected order or a 429 says nothing about the exchange being down. Their transitions are
written to the shared health record so every process can see an open breaker.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import ccxt
import pybreaker
import tenacity
from django.conf import settings

from market.exchanges import errors, health
from market.exchanges.translation import from_ccxt

logger = logging.getLogger(__name__)
T = TypeVar("T")

BACKOFF_INITIAL_SECONDS = 0.1
BACKOFF_MAX_SECONDS = 2.0
BACKOFF_JITTER_SECONDS = 0.1
# A Retry-After longer than this is not slept through: the caller gets RateLimited and reschedules.
MAX_RETRY_AFTER_SECONDS = 5.0
# What a malformed answer raises inside ccxt's parsers or ours; it means "fail closed", never "empty".
_PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError)

_breakers: dict[str, pybreaker.CircuitBreaker] = {}
_breakers_lock = threading.Lock()


class _HealthListener(pybreaker.CircuitBreakerListener):
    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        logger.warning("Circuit breaker %s: %s -> %s", cb.name, getattr(old_state, "name", None), new_state.name)
        health.record_breaker(cb.name, new_state.name)


def _counts_as_outage(exc: BaseException) -> bool:
    return isinstance(exc, errors.ExchangeUnavailable)


def breaker(exchange: str) -> pybreaker.CircuitBreaker:
    """The process's breaker for one exchange endpoint, tuned from settings on every call."""
    cb = _breakers.get(exchange)
    if cb is None:
        with _breakers_lock:
            cb = _breakers.setdefault(
                exchange,
                pybreaker.CircuitBreaker(
                    name=exchange,
                    exclude=[lambda exc: not _counts_as_outage(exc)],
                    listeners=[_HealthListener()],
                    throw_new_error_on_trip=False,
                ),
            )
    cb.fail_max = settings.FLAXU_BREAKER_FAIL_MAX
    cb.reset_timeout = settings.FLAXU_BREAKER_RESET_SECONDS
    return cb


def breaker_state(exchange: str) -> str:
    """closed, open or half-open, as this process sees it."""
    cb = _breakers.get(exchange)
    return cb.current_state if cb else pybreaker.STATE_CLOSED


def reset_breakers() -> None:
    """Forget every breaker (tests)."""
    with _breakers_lock:
        _breakers.clear()


def _retry_after(client: Any) -> float | None:
    headers = getattr(client, "last_response_headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _translated(
    exc: BaseException, exchange: str, sensitive: Iterable[str], placing_order: bool, client: Any
) -> errors.GatewayError:
    if not isinstance(exc, ccxt.BaseError):
        logger.warning("%s answer could not be read (%s)", exchange, type(exc).__name__)
    retry_after = _retry_after(client) if isinstance(exc, ccxt.DDoSProtection | ccxt.RateLimitExceeded) else None
    return from_ccxt(
        exc,
        exchange=exchange,
        sensitive=sensitive,
        placing_order=placing_order,
        retry_after=retry_after,
        http_status=getattr(client, "http_status", None) or None,
    )


def _attempt(
    exchange: str,
    operation: str,
    connect: Callable[[], Any],
    fn: Callable[[Any], T],
    sensitive: tuple[str, ...],
    placing_order: bool,
) -> T:
    started = time.perf_counter()
    failure: errors.GatewayError | None = None
    client = None
    try:
        with breaker(exchange).calling():
            try:
                client = connect()
                client.http_status, client.throttled_seconds = 0, 0.0
                result = fn(client)
            except (ccxt.BaseError, *_PARSE_ERRORS) as exc:
                failure = _translated(exc, exchange, sensitive, placing_order, client)
            if failure is not None:
                raise failure
    except pybreaker.CircuitBreakerError:
        failure = errors.CircuitOpen(f"{exchange} circuit breaker is open after repeated failures; not sent")
    except errors.GatewayError as exc:
        failure = exc
    # ccxt's rate limiter sleeps are ours, not the exchange's.
    latency_ms = (time.perf_counter() - started - getattr(client, "throttled_seconds", 0.0)) * 1000
    _note_health(exchange, operation, latency_ms, failure, client)
    if failure is None:
        logger.debug("%s %s ok in %.1f ms", exchange, operation, latency_ms)
        return result
    level = logging.WARNING if _is_outage(failure) else logging.INFO
    logger.log(level, "%s %s failed after %.1f ms: %s", exchange, operation, latency_ms, failure.message)
    raise failure


def _is_outage(failure: errors.GatewayError) -> bool:
    return isinstance(failure, errors.ExchangeUnavailable | errors.RateLimited)


def _note_health(
    exchange: str, operation: str, latency_ms: float, failure: errors.GatewayError | None, client: Any
) -> None:
    """Outages are health errors; refusals (bad key, rejected order) are round trips that worked.

    A refusal made before anything was sent (unknown symbol) and a call the open breaker stopped are
    not samples at all.
    """
    if isinstance(failure, errors.CircuitOpen):
        return
    if failure is not None and not _is_outage(failure) and not getattr(client, "http_status", 0):
        return
    error = failure.message if failure is not None and _is_outage(failure) else None
    health.record(exchange, operation, latency_ms=latency_ms, error=error)


def _worth_retrying(exc: BaseException) -> bool:
    if isinstance(exc, errors.CircuitOpen):
        return False
    if isinstance(exc, errors.RateLimited):
        return exc.retry_after is None or exc.retry_after <= MAX_RETRY_AFTER_SECONDS
    return isinstance(exc, errors.ExchangeUnavailable)


_backoff = tenacity.wait_exponential_jitter(
    multiplier=BACKOFF_INITIAL_SECONDS, max=BACKOFF_MAX_SECONDS, jitter=BACKOFF_JITTER_SECONDS
)


def _wait(state: tenacity.RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, errors.RateLimited) and exc.retry_after is not None:
        return exc.retry_after
    return _backoff(state)


def _log_retry(exchange: str, operation: str, state: tenacity.RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0
    logger.info(
        "%s %s: retry %d in %.2f s (%s)",
        exchange,
        operation,
        state.attempt_number,
        wait,
        getattr(exc, "message", type(exc).__name__),
    )


def run(
    exchange: str,
    operation: str,
    connect: Callable[[], Any],
    fn: Callable[[Any], T],
    *,
    retry: bool = True,
    sensitive: Iterable[str] = (),
    placing_order: bool = False,
) -> T:
    """``fn(connect())`` (one exchange request) guarded by the breaker; transient failures retried if ``retry``.

    ``connect`` returns the ccxt client (it may load markets, hence lives inside the guard). Raises only
    GatewayError subclasses; ``sensitive`` values are scrubbed from every message.
    """
    sensitive = tuple(sensitive)
    attempt = functools.partial(_attempt, exchange, operation, connect, fn, sensitive, placing_order)
    if not retry:
        return attempt()
    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(1 + max(0, settings.FLAXU_EXCHANGE_RETRIES)),
        wait=_wait,
        retry=tenacity.retry_if_exception(_worth_retrying),
        before_sleep=functools.partial(_log_retry, exchange, operation),
        reraise=True,
    )
    return retrying(attempt)
