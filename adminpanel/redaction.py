"""What an error record (or a Sentry event) may keep of an error: text without secrets, arguments without values.

Pure functions, no database. Text goes through the gateway's scrubbing (``market.exchanges.translation.scrub``:
URL query strings with their signatures, ``api_key=`` / ``X-BX-APIKEY:`` / ``secret:`` pairs), line by line so a
traceback keeps its shape, plus: the values of every setting whose name says it holds a secret (SECRET_KEY,
FLAXU_ENCRYPTION_KEYS, the agent's API key and secret, provider keys, passwords, SENTRY_DSN) and the password
of any ``scheme://user:password@host`` URL. Tracebacks are stored as plain Python tracebacks: source lines and
the exception, never frame locals.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.views.debug import SafeExceptionReporterFilter

from core.secret import Secret, reveal
from market.exchanges.translation import scrub

MASK = "********"
# Names of values never kept (task arguments, Sentry event fields): Django's own test, which the project's
# error report filter (core.error_reporting) uses too: API, AUTH, TOKEN, KEY, SECRET, PASS, SIGNATURE...
SECRET_NAME = SafeExceptionReporterFilter.hidden_settings
# Settings that hold a secret by name. Narrower than SECRET_NAME, whose AUTH and KEY would also mask
# AUTH_USER_MODEL or KEY_PREFIX values wherever a traceback mentions them.
_SECRET_SETTING = re.compile(r"SECRET|PASSWORD|TOKEN|API_KEY|_KEYS?$|^KEY$|SIGNATURE|DSN")
# A dotted Python path (a validator, a hasher) is configuration, not a secret.
_DOTTED_PATH = re.compile(r"^\w+(\.\w+)+$")
# The password of a URL such as postgres://user:password@host or redis://:password@host.
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s/:@]*:)[^\s/@]+@", re.IGNORECASE)
# A token in a query string (a websocket path as uvicorn logs it): ?token=..., &token=...
_QUERY_TOKEN = re.compile(r"([?&](?:token|access_token|key)=)[^&\s\"']+", re.IGNORECASE)
# Settings values shorter than this are not searched for (a 3-letter "secret" would mask ordinary words).
_MIN_SECRET_LENGTH = 8


def _secret_values(names: tuple[str, ...], value: Any, depth: int = 0) -> Iterator[str]:
    """Strings under ``names`` (a setting, then keys of nested dicts) held by a secret-named one."""
    if depth > 4:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _secret_values((*names, str(key)), item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _secret_values(names, item, depth + 1)
    elif isinstance(value, Secret | str) and any(_SECRET_SETTING.search(name.upper()) for name in names):
        text = reveal(value)
        if _DOTTED_PATH.match(text):
            return
        # A key ring ("id:key,id:key") holds several secrets; each key alone must go too.
        for part in {text, *re.split(r"[,\s]+", text), *(p.split(":", 1)[-1] for p in re.split(r"[,\s]+", text))}:
            if len(part) >= _MIN_SECRET_LENGTH:
                yield part


@functools.lru_cache(maxsize=1)
def configured_secrets() -> tuple[str, ...]:
    """The values of the settings whose names look secret, longest first (so no longer one is half-masked).
    Read once (every log record is scrubbed with them), again after a settings change (tests)."""
    found: set[str] = set()
    for name in dir(settings):
        if name.isupper():
            found.update(_secret_values((name,), getattr(settings, name, None)))
    return tuple(sorted(found, key=len, reverse=True))


@receiver(setting_changed)
def _forget_configured_secrets(**kwargs) -> None:
    configured_secrets.cache_clear()


def scrub_text(text: str, sensitive: Iterable[str | Secret] = (), *, max_length: int | None = 300) -> str:
    """``text`` (a message, a traceback, a log line) without secrets, line by line; each line kept to
    ``max_length`` characters (None: whole)."""
    if not text:
        return ""
    secrets = [*sensitive, *configured_secrets()]
    return "\n".join(
        scrub(_QUERY_TOKEN.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", line)), secrets, max_length=max_length)
        for line in str(text).split("\n")
    )


def redact_value(name: str, value: Any) -> Any:
    """What a task argument may keep: numbers, booleans and None (ids, flags); anything else only its type."""
    if isinstance(name, str) and SECRET_NAME.search(name):
        return MASK
    if value is None or isinstance(value, bool | int | float):
        return value
    return f"<{type(value).__name__}>"


def redact_arguments(args: Iterable[Any] | None, kwargs: Mapping[str, Any] | None) -> dict[str, Any]:
    """A task's positional and keyword arguments, redacted (see :func:`redact_value`)."""
    return {
        "args": [redact_value("", value) for value in (args or ())],
        "kwargs": {str(key): redact_value(str(key), value) for key, value in (kwargs or {}).items()},
    }


def _scrub_event_value(key: str, value: Any, depth: int = 0) -> Any:
    if isinstance(key, str) and SECRET_NAME.search(key) and isinstance(value, str | Secret):
        return MASK
    if depth > 20:
        return value
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Mapping):
        return {k: _scrub_event_value(k, v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_event_value(key, item, depth + 1) for item in value]
    return value


def scrub_sentry_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Sentry's ``before_send``: every string of the event scrubbed, every secret-named value masked.

    Headers, cookies and bodies are already off (send_default_pii=False, max_request_body_size="never"),
    frame locals too (include_local_variables=False); this is the defence in depth for messages and
    breadcrumbs that quote a signed URL or a key. An event that cannot be scrubbed is dropped, not sent."""
    try:
        return _scrub_event_value("", event)
    except Exception:
        return None
