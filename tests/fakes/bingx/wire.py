"""BingX's wire format shared by every API area: the ``{"code", "msg", "timestamp", "data"}`` envelope,
bare JSON answers, error bodies, JSON numbers, and the ``Route`` a handler is registered with.

A handler is ``handler(ex, acct, params) -> (http_status, body_bytes)``; ``acct`` is the signing
account (``None`` on public routes), ``params`` the query and body parameters as strings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .errors import BingXError
from .state import Exchange

Answer = tuple[int, bytes]


@dataclass
class Route:
    handler: Callable[..., Answer]
    private: bool = False
    permission: str | None = None  # "read", "futures", "agent"


def ok(ex: Exchange, data, code=0, **extra) -> Answer:
    body = {"code": code, "msg": "", "timestamp": ex.server_time(), "data": data}
    body.update(extra)
    return 200, json.dumps(body).encode()


def bare(data) -> Answer:
    return 200, json.dumps(data).encode()


def error(ex: Exchange, exc: BingXError) -> Answer:
    body = {"code": exc.code, "msg": exc.msg, "timestamp": ex.server_time(), "data": {}}
    return exc.http_status, json.dumps(body).encode()


def num(value: Decimal | None):
    """A JSON number for the fields BingX answers as numbers."""
    if value is None:
        return 0
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def uid_json(uid: str):
    """A uid as BingX answers it: a number when it is one."""
    return int(uid) if uid.isdigit() else uid
