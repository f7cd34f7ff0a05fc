"""Every log line of every process scrubbed of secrets, whatever handler prints it.

A failed exchange call carries ccxt's own exception as its cause, and that message holds the signed
URL; uvicorn logs a websocket's path with its query string, where a browser's API token travels
(`?token=`). Handlers are many (Django's console, gunicorn's, Celery's, uvicorn's) and some are
configured by the servers themselves, so the scrubbing sits where every record is made: a log-record
factory that rewrites the message and pre-formats the traceback (handlers print a record's `exc_text`
when it is set) through :func:`adminpanel.redaction.scrub_text`'s rules, without shortening lines.
"""

from __future__ import annotations

import logging
import traceback

from adminpanel.redaction import scrub_text


def scrub_log_text(text: str) -> str:
    """`text` without configured secrets, credential pairs, signed query strings, URL passwords or tokens;
    lines are kept whole."""
    return scrub_text(text, max_length=None)


def _scrubbed(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it when the record is printed
        return record
    clean = scrub_log_text(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        # What logging.Formatter.formatException prints, scrubbed; formatters reuse a set exc_text.
        record.exc_text = scrub_log_text("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
    return record


def install() -> None:
    """Make every log record of this process through a scrubbing factory (once; AdminpanelConfig.ready)."""
    make = logging.getLogRecordFactory()
    if getattr(make, "scrubs_secrets", False):
        return

    def scrubbing_factory(*args, **kwargs) -> logging.LogRecord:
        return _scrubbed(make(*args, **kwargs))

    scrubbing_factory.scrubs_secrets = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(scrubbing_factory)
