"""Injected faults: which requests fail, how, and the answer each fault gives (README: "Faults").

A ``FaultBook`` holds the faults a test injected; the HTTP handler asks it for the fault of each
request (``take``) and answers with ``answer`` (a ``reset`` drops the connection instead).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

from . import errors as E

FAULTS = (
    "latency",
    "http_500",
    "http_429",
    "timeout_after_accept",
    "reset",
    "bad_json",
    "maintenance",
    "permission_denied",
)
# faults that execute the request before answering, unless the test passes process=False
PROCESSED_BY_DEFAULT = ("latency", "timeout_after_accept", "bad_json")
# faults whose own answer replaces the real one even when the request was executed
REPLACE_ANSWER = ("http_500", "http_429", "maintenance", "permission_denied", "reset")


@dataclass
class Fault:
    prefix: str
    kind: str
    remaining: int | None  # None: every matching request
    method: str | None = None
    options: dict = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        return path == self.prefix or path.startswith(self.prefix)

    def describe(self) -> dict:
        return {
            "path": self.prefix,
            "fault": self.kind,
            "remaining": self.remaining,
            "method": self.method,
            **self.options,
        }


class FaultBook:
    """The injected faults, consumed in order by matching requests. Safe to use from any thread."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def inject(
        self, path_or_prefix: str, fault: str, count: int | None = 1, method: str | None = None, **options
    ) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {FAULTS}")
        with self._lock:
            self._faults.append(Fault(path_or_prefix, fault, count, method, dict(options)))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def describe(self) -> list[dict]:
        with self._lock:
            return [f.describe() for f in self._faults]

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching this request, counted down (and dropped when used up)."""
        with self._lock:
            for f in self._faults:
                if f.matches(method, path) and (f.remaining is None or f.remaining > 0):
                    if f.remaining is not None:
                        f.remaining -= 1
                        if f.remaining == 0:
                            self._faults.remove(f)
                    return f
        return None


def answer(kind: str, opts: dict) -> tuple[int, bytes, str, dict] | None:
    """The fault's own answer as (status, body, content type, extra headers); ``None`` when it has none
    (``reset``: the handler drops the connection)."""
    if kind == "http_500":
        body = opts.get("body", "<html><body><h1>500 Internal Server Error</h1></body></html>")
        return int(opts.get("status", 500)), body.encode(), "text/html", {}
    if kind == "http_429":
        body = opts.get("body", "<html><body><h1>429 Too Many Requests</h1></body></html>")
        return 429, body.encode(), "text/html", {"Retry-After": str(opts.get("retry_after", 1))}
    if kind == "maintenance":
        code, msg = E.MAINTENANCE
        payload = {
            "code": int(opts.get("code", code)),
            "msg": str(opts.get("msg", msg)),
            "timestamp": int(time.time() * 1000),
            "data": {},
        }
        return int(opts.get("status", 503)), json.dumps(payload).encode(), "application/json; charset=utf-8", {}
    if kind == "permission_denied":  # the key lacks this route's permission (e.g. a spot read)
        code, msg = E.PERMISSION_DENIED
        payload = {"code": code, "msg": str(opts.get("msg", msg)), "timestamp": int(time.time() * 1000), "data": {}}
        return 200, json.dumps(payload).encode(), "application/json; charset=utf-8", {}
    return None


def cut(body: bytes, opts: dict) -> bytes:
    """The bad_json answer: the test's ``body``, or the real answer cut in half."""
    out = opts.get("body", body[: max(1, len(body) // 2)] + b"<html>")
    return out.encode() if isinstance(out, str) else out
