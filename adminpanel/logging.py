"""Errors into ErrorRecord for the staff errors page: a logging handler, and a receiver for failed Celery tasks.

settings.LOGGING attaches :class:`ErrorRecordHandler` to ``django.request`` (server errors: 5xx answers and
uncaught exceptions, with the request; not the deliberate 503 "try again later") and, at ERROR, to the
project's own loggers. Failed tasks come from Celery's ``task_failure`` signal (connected in
adminpanel.tasks, which every worker imports).

What is kept: path (never the query string), method, status, user id and X-Request-ID for a request; name,
id, queue, retries and redacted arguments (numbers only) for a task; message and traceback scrubbed of
secrets (adminpanel.redaction), the traceback without frame locals. Never headers, cookies or bodies.

Storing must never hurt what is being logged: nothing here raises, a record logged while storing one is
not stored again (no recursion), and a failed write (database down, a broken transaction) is one line
on stderr while the log record itself still reaches the console through the root logger. The write
happens at once, in a savepoint when inside a transaction: Django logs server errors and Celery reports
failures after the view's or the task's own transaction is over, so those are kept even when their
work was rolled back. A record logged from async code (the outbox relay's event loop) is written from a
worker thread, since the ORM is synchronous.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
import threading
import traceback as tb
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_state = threading.local()
# One thread for writes from event loops; a burst waits in its queue rather than opening connections.
_ASYNC_WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="error-records")
_REQUEST_ID = re.compile(r"^[\w.:-]{1,64}$")


def _exception_fields(exc_info: Any) -> tuple[str, str]:
    """The exception's type (module.Name) and its plain traceback (source lines, no frame locals)."""
    if not exc_info or exc_info[0] is None:
        return "", ""
    kind = exc_info[0]
    module = "" if kind.__module__ == "builtins" else f"{kind.__module__}."
    return f"{module}{kind.__qualname__}", "".join(tb.format_exception(*exc_info))


def _user_id(request: Any) -> int | None:
    user = getattr(request, "user", None)
    try:
        return user.pk if user is not None and user.is_authenticated else None
    except Exception:  # the lazy user may need the database, which may be the thing that failed
        return None


def request_context(request: Any, status: int | None) -> dict[str, Any]:
    """What a server error keeps of its request: no query string, header, cookie or body."""
    request_id = request.headers.get("X-Request-ID", "") if hasattr(request, "headers") else ""
    return {
        "path": getattr(request, "path", ""),
        "method": getattr(request, "method", ""),
        "status": status,
        "user_id": _user_id(request),
        "request_id": request_id if _REQUEST_ID.match(request_id) else None,
    }


def log_record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The ErrorRecord fields of one log record (request context when Django attached the request)."""
    exception_type, traceback = _exception_fields(record.exc_info)
    request = getattr(record, "request", None)
    if request is not None and record.name.startswith("django.request"):
        kind, context = "request", request_context(request, getattr(record, "status_code", None))
    else:
        kind, context = "log", {"where": f"{record.module}.{record.funcName}:{record.lineno}"}
    message = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None and str(record.exc_info[1]):
        message = f"{message}: {record.exc_info[1]}"  # what went wrong, not only where
    return {
        "kind": kind,
        "logger": record.name,
        "message": message,
        "exception_type": exception_type,
        "traceback": traceback,
        "context": context,
    }


def _routed_queue(task: Any, name: str) -> str:
    """The queue the task's route names (a task run eagerly has no delivery info)."""
    try:
        return task.app.amqp.router.route({}, name)["queue"].name
    except Exception:
        return ""


def failed_task_fields(
    task: Any, task_id: str | None, exception: BaseException | None, args: Any, kwargs: Any, einfo: Any
) -> dict[str, Any]:
    """The ErrorRecord fields of one failed task; its arguments redacted (adminpanel.redaction)."""
    from adminpanel.redaction import redact_arguments

    request = getattr(task, "request", None)
    delivery = getattr(request, "delivery_info", None) or {}
    name = getattr(task, "name", "") or ""
    if exception is not None:
        exception_type, traceback = _exception_fields((type(exception), exception, exception.__traceback__))
    else:
        exception_type, traceback = "", ""
    if einfo is not None and getattr(einfo, "traceback", ""):
        traceback = str(einfo.traceback)  # Celery's own formatting: plain, no locals
    return {
        "kind": "task",
        "logger": "celery.task",
        "message": str(exception) if exception is not None else "task failed",
        "exception_type": exception_type,
        "traceback": traceback,
        "context": {
            "task": name,
            "task_id": task_id,
            "queue": delivery.get("routing_key") or _routed_queue(task, name),
            "retries": getattr(request, "retries", 0),
            "arguments": redact_arguments(args, kwargs),
        },
    }


def _write(fields: dict[str, Any], source: str) -> None:
    """Store, leaving this thread's database connection as it was: one opened here is closed again, so
    a thread that only logs (an executor thread of Django's ASGI handler, our async writer) holds none."""
    from django.db import DEFAULT_DB_ALIAS, connections

    from adminpanel.services.errors import error_record_capture

    connection = connections[DEFAULT_DB_ALIAS]
    opened_here = connection.connection is None
    try:
        error_record_capture(**fields)
    except Exception as exc:
        _to_stderr(source, exc)
    finally:
        if opened_here and not connection.in_atomic_block:
            with contextlib.suppress(Exception):
                connection.close()


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _to_stderr(source: str, exc: BaseException) -> None:
    with contextlib.suppress(Exception):  # stderr itself gone: nothing left to tell
        sys.stderr.write(f"adminpanel: an error from {source} was not recorded ({type(exc).__name__})\n")


def store(build: Any, source: str) -> None:
    """Build the fields (``build()``) and store them; never raises, never recurses."""
    if getattr(_state, "storing", False):
        return
    _state.storing = True
    try:
        fields = build()
        if _in_event_loop():
            _ASYNC_WRITER.submit(_write, fields, source)
        else:
            _write(fields, source)
    except Exception as exc:
        _to_stderr(source, exc)
    finally:
        _state.storing = False


# Answers that say "try again later" on purpose (a service FLAXU depends on is down, the database pool is busy:
# core.errors.Unavailable, core.db_busy). Not bugs; and with the pool busy, storing one would wait for a
# connection as long as the request did, delaying the answer that exists to be quick.
DELIBERATE_STATUSES = frozenset({503})


class ErrorRecordHandler(logging.Handler):
    """Stores ERROR (and worse) log records as ErrorRecord rows (see the module doc)."""

    def __init__(self, level: int = logging.ERROR) -> None:
        super().__init__(level)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in DELIBERATE_STATUSES:
            return False
        return super().filter(record)

    def emit(self, record: logging.LogRecord) -> None:
        store(lambda: log_record_fields(record), record.name)


def record_failed_task(
    sender: Any = None,
    task_id: str | None = None,
    exception: BaseException | None = None,
    args: Any = None,
    kwargs: Any = None,
    einfo: Any = None,
    **extra: Any,
) -> None:
    """Celery's ``task_failure`` receiver: one ErrorRecord(kind=task) per failure."""
    store(lambda: failed_task_fields(sender, task_id, exception, args, kwargs, einfo), getattr(sender, "name", "task"))
