"""What every HTTP data provider shares: one JSON GET with a timeout, health, 429 backoff, last good data.

A provider is a small class with one ``fetch``-style method per endpoint that returns parsed plain data
(dataclasses of floats, strings and aware datetimes); the network and the parsing stay in its module,
the parsers are pure functions tested against the fixture answers in ``fixtures/``.

* **Errors.** Everything that goes wrong leaves as a :class:`ProviderError` subclass whose message is
  scrubbed of the provider's key and of query strings: :class:`ProviderUnavailable` (connection refused,
  timeout, 5xx), :class:`ProviderRateLimited` (429, or still backing off), :class:`ProviderMalformed`
  (not JSON, or not the expected shape), :class:`ProviderRefused` (another 4xx, or an error the provider
  reported in a 200 body), :class:`ProviderDisabled` (not configured, e.g. Coinglass without a key).
* **Health** (per provider, in the Django cache so every process sees it): last success, last error and
  when, consecutive failures, backoff deadline; :func:`provider_health` adds the staleness (seconds
  since the last success).
* **429 backoff.** A 429 answer sets a deadline from its ``Retry-After`` header (seconds or an HTTP
  date), or ``30 s * 2^(failures-1)`` capped at 15 minutes without one. Until then every call fails fast
  with :class:`ProviderRateLimited` and sends nothing.
* **Never blank.** :func:`first_good` tries a fallback chain of fetches in order; the first success is
  remembered as the key's last good data; when every link fails, the last good data is returned with
  ``stale_since`` = when it was fetched, so the widget shows it with "stale since <time>".
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache

from market.exchanges.translation import scrub

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30.0
BACKOFF_MAX_SECONDS = 15 * 60.0
HEALTH_TTL_SECONDS = 7 * 24 * 3600
LAST_GOOD_TTL_SECONDS = 7 * 24 * 3600
USER_AGENT = "FLAXU market panel"
_HEALTH_PREFIX = "market:providers:health"
_LAST_PREFIX = "market:providers:last"
_NAMES_KEY = "market:providers:names"


class ProviderError(Exception):
    """A provider could not give us data; the message carries no secret."""


class ProviderUnavailable(ProviderError):
    """No answer (connection refused, timeout) or a 5xx."""


class ProviderRateLimited(ProviderError):
    """HTTP 429, or a call refused locally because a previous 429's backoff has not run out."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


class ProviderMalformed(ProviderError):
    """An answer that is not JSON or not in the documented shape."""


class ProviderRefused(ProviderError):
    """Another 4xx, or an error reported inside a 200 answer (bad key, unknown symbol)."""


class ProviderDisabled(ProviderError):
    """The provider is not configured (e.g. no API key)."""


def _now(clock: Callable[[], float]) -> float:
    return float(clock())


def _when(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, tz=UTC)


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - now)


# --- health ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProviderHealth:
    name: str
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    failures: int  # consecutive
    backoff_until: datetime | None
    stale_seconds: float | None  # since the last success; None if it never succeeded

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "last_success_at": self.last_success_at,
            "last_error_at": self.last_error_at,
            "last_error": self.last_error,
            "failures": self.failures,
            "backoff_until": self.backoff_until,
            "stale_seconds": self.stale_seconds,
        }


def _health_key(name: str) -> str:
    return f"{_HEALTH_PREFIX}:{name}"


def _health_record(name: str) -> dict[str, Any]:
    try:
        return cache.get(_health_key(name)) or {}
    except Exception:  # a cache outage must not break a provider call
        logger.warning("Could not read the %s provider health", name, exc_info=True)
        return {}


def _health_write(name: str, record: dict[str, Any]) -> None:
    try:
        cache.set(_health_key(name), record, HEALTH_TTL_SECONDS)
        names = cache.get(_NAMES_KEY) or []
        if name not in names:
            cache.set(_NAMES_KEY, sorted({*names, name}), HEALTH_TTL_SECONDS)
    except Exception:
        logger.warning("Could not write the %s provider health", name, exc_info=True)


def note_success(name: str, *, at: float | None = None) -> None:
    """Record a successful fetch: clears the failure count and any backoff."""
    record = _health_record(name)
    record.update(last_success=time.time() if at is None else at, failures=0, backoff_until=None)
    _health_write(name, record)


def note_failure(name: str, message: str, *, at: float | None = None) -> None:
    """Record a failed fetch (``message`` must already be scrubbed)."""
    record = _health_record(name)
    record.update(
        last_error=message, last_error_at=time.time() if at is None else at, failures=int(record.get("failures", 0)) + 1
    )
    _health_write(name, record)


def provider_health(name: str, *, now: float | None = None) -> ProviderHealth:
    """The shared health record of one provider (empty if it was never called)."""
    record = _health_record(name)
    now = time.time() if now is None else now
    success = record.get("last_success")
    backoff = record.get("backoff_until")
    return ProviderHealth(
        name=name,
        last_success_at=_when(success),
        last_error_at=_when(record.get("last_error_at")),
        last_error=record.get("last_error"),
        failures=int(record.get("failures", 0)),
        backoff_until=_when(backoff) if backoff and backoff > now else None,
        stale_seconds=None if success is None else max(0.0, now - success),
    )


def all_provider_health() -> list[ProviderHealth]:
    """Every provider that has recorded anything, by name."""
    return [provider_health(name) for name in (cache.get(_NAMES_KEY) or [])]


# --- the provider ------------------------------------------------------------------------------------


class Provider:
    """Base for one data provider; subclasses set ``name`` and ``base_url`` and call :meth:`get_json`."""

    name = "provider"
    default_base_url = ""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.timeout = float(timeout if timeout is not None else settings.FLAXU_PROVIDER_TIMEOUT_SECONDS)
        self.session = session or requests.Session()
        self.clock = clock

    # Values never to show in a message (API keys); subclasses extend.
    def secrets(self) -> tuple[str, ...]:
        return ()

    def headers(self) -> dict[str, str]:
        return {"Accept": "application/json", "User-Agent": USER_AGENT}

    def _scrub(self, text: str) -> str:
        return scrub(text, self.secrets())

    def health(self) -> ProviderHealth:
        return provider_health(self.name, now=_now(self.clock))

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``base_url + path`` and decode JSON; raises a ProviderError subclass (see the module doc)."""
        now = _now(self.clock)
        record = _health_record(self.name)
        backoff = record.get("backoff_until")
        if backoff and backoff > now:
            raise ProviderRateLimited(
                f"{self.name} is backing off after a 429 for {backoff - now:.0f} s more", retry_after=backoff - now
            )
        url = f"{self.base_url}{path}"
        try:
            response = self.session.get(url, params=params, headers=self.headers(), timeout=self.timeout)
        except requests.Timeout:
            raise ProviderUnavailable(f"{self.name} did not answer within {self.timeout:g} s") from None
        except requests.RequestException as exc:
            raise ProviderUnavailable(self._scrub(f"{self.name} unreachable: {type(exc).__name__}: {exc}")) from None
        if response.status_code == 429:
            failures = int(record.get("failures", 0)) + 1
            wait = retry_after_seconds(response.headers.get("Retry-After"), now)
            if wait is None:
                wait = min(BACKOFF_BASE_SECONDS * 2 ** (failures - 1), BACKOFF_MAX_SECONDS)
            self._note_backoff(now + wait)
            raise ProviderRateLimited(f"{self.name} answered 429 Too Many Requests; retry in {wait:.0f} s", wait)
        if response.status_code >= 500:
            raise ProviderUnavailable(f"{self.name} answered HTTP {response.status_code}")
        if response.status_code >= 400:
            raise ProviderRefused(
                self._scrub(f"{self.name} answered HTTP {response.status_code}: {response.text[:200]}")
            )
        try:
            return response.json()
        except ValueError:
            raise ProviderMalformed(f"{self.name} answered something that is not JSON") from None

    def _note_backoff(self, until: float) -> None:
        record = _health_record(self.name)
        record["backoff_until"] = until
        _health_write(self.name, record)

    @contextlib.contextmanager
    def recording(self) -> Iterator[None]:
        """Record the outcome of one fetch in the provider's health; shape errors become ProviderMalformed."""
        try:
            yield
        except ProviderError as exc:
            self._note_failure(str(exc))
            raise
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            message = self._scrub(f"{self.name} answered in an unexpected shape: {type(exc).__name__}: {exc}")
            self._note_failure(message)
            raise ProviderMalformed(message) from None
        else:
            note_success(self.name, at=_now(self.clock))

    def _note_failure(self, message: str) -> None:
        note_failure(self.name, self._scrub(message), at=_now(self.clock))


# --- last good data and fallback chains --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a widget shows: the data, where it came from, when, and since when it is stale (None: fresh)."""

    data: Any
    source: str | None
    fetched_at: datetime | None
    stale_since: datetime | None
    errors: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return self.source is None


@dataclass(frozen=True, slots=True)
class Link:
    """One step of a fallback chain: a named source and a no-argument fetch returning plain data."""

    source: str
    fetch: Callable[[], Any]


def _last_key(key: str) -> str:
    return f"{_LAST_PREFIX}:{key}"


def remember(key: str, data: Any, source: str, *, at: float | None = None) -> None:
    """Keep ``data`` as the last good answer for ``key`` (a week, so outages never blank a widget)."""
    cache.set(
        _last_key(key), {"data": data, "source": source, "at": time.time() if at is None else at}, LAST_GOOD_TTL_SECONDS
    )


def last_good(key: str) -> Fetched | None:
    """The last good answer for ``key``, marked stale since it was fetched; None if there never was one."""
    entry = cache.get(_last_key(key))
    if entry is None:
        return None
    at = _when(entry["at"])
    return Fetched(entry["data"], entry["source"], at, at)


def first_good(key: str, chain: Sequence[Link], *, clock: Callable[[], float] = time.time) -> Fetched:
    """The first link that answers (fresh), else the last good data (stale), else an empty result.

    Any exception of a link counts as a failure (a fallback must not be stopped by a bug in the primary);
    unexpected ones are logged with their traceback.
    """
    errors = []
    for link in chain:
        try:
            data = link.fetch()
        except ProviderError as exc:
            errors.append(f"{link.source}: {exc}")
            continue
        except Exception as exc:
            logger.exception("The %s link of %s failed unexpectedly", link.source, key)
            errors.append(f"{link.source}: {type(exc).__name__}")
            continue
        now = _now(clock)
        remember(key, data, link.source, at=now)
        return Fetched(data, link.source, _when(now), None, tuple(errors))
    stale = last_good(key)
    if stale is not None:
        return Fetched(stale.data, stale.source, stale.fetched_at, stale.stale_since, tuple(errors))
    return Fetched(None, None, None, None, tuple(errors))
