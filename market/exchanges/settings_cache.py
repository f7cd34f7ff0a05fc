"""Account settings (position mode, leverage) read or set on BingX recently, per credential, in this process.

A live entry needs the position mode and the leverage; reading and setting them on every entry costs
two to three rate-limited calls. Both change rarely (the mode cannot change while positions or orders
are open), so a value read or set within SETTINGS_TTL_SECONDS is reused. A stale value is never
dangerous for placing: a wrong position side is refused by BingX (nothing placed), and the gateway
forgets a credential's settings after any refusal of an order, so the next attempt reads them again.

Entries are keyed by the endpoint and the credential's ``ref`` (e.g. "credential 12"; credentials
without one are not cached) and hold a digest of the API key, so a key replaced under the same ref
never reuses the old account's settings. Nothing secret is stored.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

from market.exchanges import clients
from market.exchanges.credentials import ApiCredentials

SETTINGS_TTL_SECONDS = 60.0

_entries: dict[tuple, tuple[float, str, Any]] = {}  # key -> (monotonic time, key digest, value)
_lock = threading.Lock()


def _key(creds: ApiCredentials, *what: Any) -> tuple | None:
    if not creds.ref:
        return None
    return (*clients._endpoint_key(clients.BINGX, creds.sandbox), creds.ref, *what)


def _digest(creds: ApiCredentials) -> str:
    return hashlib.sha256(creds.api_key.reveal().encode()).hexdigest()


def recall(creds: ApiCredentials, *what: Any) -> Any:
    """The value remembered for ``what`` on ``creds`` within the TTL, else None."""
    key = _key(creds, *what)
    if key is None:
        return None
    with _lock:
        entry = _entries.get(key)
    if entry is None or time.monotonic() - entry[0] >= SETTINGS_TTL_SECONDS or entry[1] != _digest(creds):
        return None
    return entry[2]


def remember(creds: ApiCredentials, value: Any, *what: Any) -> None:
    key = _key(creds, *what)
    if key is not None:
        with _lock:
            _entries[key] = (time.monotonic(), _digest(creds), value)


def forget(creds: ApiCredentials, *what: Any) -> None:
    """Drop the entries of ``creds`` whose key starts with ``what`` (all of them without ``what``)."""
    key = _key(creds, *what)
    if key is None:
        return
    with _lock:
        for k in [k for k in _entries if k[: len(key)] == key]:
            del _entries[k]


def forget_all() -> None:
    """Drop every entry (tests)."""
    with _lock:
        _entries.clear()
