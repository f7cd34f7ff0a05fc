"""The gateway's errors: what callers catch instead of ccxt's exceptions.

Every message is written for a log or a user and never carries a key, secret or request signature
(see ``translation.scrub``).
"""

from __future__ import annotations


class GatewayError(Exception):
    """Base of every error the exchange gateway raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidCredentials(GatewayError):
    """The exchange does not accept this API key or secret (unknown key, bad signature)."""


class PermissionRefused(GatewayError):
    """The key lacks a permission the operation needs, or has one FLAXU refuses (withdrawal, transfer)."""


class InsufficientFunds(GatewayError):
    """Not enough margin or balance for the order."""


class OrderRejected(GatewayError):
    """The exchange refused the order; ``reason`` is its explanation."""

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


class DuplicateOrder(GatewayError):
    """An order with this client order id already exists (the gateway normally resolves this itself)."""


class InvalidRequest(GatewayError):
    """The request cannot be served as asked: unknown symbol, unsupported argument."""


class Misconfigured(InvalidRequest):
    """FLAXU's own exchange set-up is wrong (the owner's agent key is missing, refused or not the owner's).

    It says nothing about the user: callers treat it as "could not check" and alert staff.
    """


class NotOffered(InvalidRequest):
    """The exchange does not offer this data or operation (e.g. long/short ratios on BingX)."""


class RateLimited(GatewayError):
    """The exchange asked us to slow down; ``retry_after`` is in seconds when it said how long."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ExchangeUnavailable(GatewayError):
    """Network error, timeout, 5xx, maintenance, a malformed answer, or the circuit breaker is open."""


class CircuitOpen(ExchangeUnavailable):
    """The breaker for this exchange is open: the call was not sent."""


class OrderStateUnknown(ExchangeUnavailable):
    """An order may or may not have been placed and the exchange could not tell us which.

    Reconcile later with ``fetch_order(creds, symbol, client_order_id=...)``; never place it blindly again.
    """

    def __init__(self, message: str, *, client_order_id: str) -> None:
        super().__init__(message)
        self.client_order_id = client_order_id
