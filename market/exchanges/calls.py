"""The two ways the gateway talks to an exchange: signed with a user's credentials, or public."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from market.exchanges import clients, resilience
from market.exchanges.credentials import ApiCredentials

T = TypeVar("T")


def private(
    creds: ApiCredentials,
    operation: str,
    fn: Callable[[Any], T],
    *,
    retry: bool = True,
    placing_order: bool = False,
) -> T:
    """``fn(client)`` on BingX with ``creds``: breaker, translation, health, retries when ``retry``."""
    return resilience.run(
        clients.endpoint(clients.BINGX, creds.sandbox),
        operation,
        lambda: clients.client(clients.BINGX, creds),
        fn,
        retry=retry,
        sensitive=creds.sensitive_values(),
        placing_order=placing_order,
    )


def public(exchange: str, operation: str, fn: Callable[[Any], T]) -> T:
    """``fn(client)`` on a public endpoint of ``exchange``, retried when transient."""
    return resilience.run(exchange, operation, lambda: clients.client(exchange), fn)
