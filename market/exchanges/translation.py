"""Turning ccxt's exceptions into the gateway's errors, with keys, secrets and signatures scrubbed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import ccxt

from core.secret import Secret, reveal
from market.exchanges import errors

_MAX_MESSAGE = 300
_REDACTED = "***"
# name=value / "name": "value" pairs whose value is a credential or derived from one.
_SENSITIVE_PAIR = re.compile(
    r"""(?ix)
    (["']?(?<![a-z0-9_-])(?:signature|sign|api[_-]?key|apikey|secret|passphrase|x-bx-apikey|x-mbx-apikey|ok-access-key
    |ok-access-sign|ok-access-passphrase|x-bapi-api-key|x-bapi-sign)["']?\s*[:=]\s*["']?)
    ([^&\s"',}]+)
    """
)
# A URL's query string: parameters, timestamp and signature; never useful in a message.
_QUERY = re.compile(r"(https?://[^\s?#]+)\?[^\s]*")
# BingX's own code that means "the request time is outside recvWindow" (ccxt raises BadSymbol for it).
BINGX_TIMESTAMP_REJECTED = "100421"
# BingX codes that mean "busy / maintenance, try later" rather than "refused"; ccxt does not classify
# all of them (100503 comes through as a bare ExchangeError).
BINGX_TRANSIENT_CODES = frozenset({"100410", "100500", "100503", "109500", "110500", "500", "502", "503", "504"})


def scrub(text: str, sensitive: Iterable[str | Secret] = (), *, max_length: int | None = _MAX_MESSAGE) -> str:
    """``text`` without the given values, credential-looking pairs or signatures, and kept short
    (``max_length`` characters; None keeps it whole)."""
    for value in sensitive:
        if value and len(reveal(value)) >= 4:
            text = text.replace(reveal(value), _REDACTED)
    text = _QUERY.sub(r"\1?…", text)
    text = _SENSITIVE_PAIR.sub(lambda m: m.group(1) + _REDACTED, text)
    if max_length is not None and len(text) > max_length:
        text = text[: max_length - 1] + "…"
    return text


def exchange_answer(exc: BaseException) -> tuple[str | None, str | None]:
    """BingX's ``code`` and ``msg`` from a ccxt exception whose text is "<id> <json body>", if present."""
    text = str(exc)
    start = text.find("{")
    if start < 0:
        return None, None
    try:
        body = json.loads(text[start:])
    except ValueError:
        return None, None
    if not isinstance(body, dict):
        return None, None
    code = body.get("code")
    msg = body.get("msg") or body.get("transferErrorMsg")
    return (None if code is None else str(code)), (None if msg is None else str(msg))


def _reason(exc: BaseException, sensitive: Iterable[str]) -> str:
    code, msg = exchange_answer(exc)
    if msg:
        return scrub(f"{msg} (code {code})" if code else msg, sensitive)
    return scrub(str(exc), sensitive) or type(exc).__name__


def from_ccxt(
    exc: BaseException,
    *,
    exchange: str,
    sensitive: Iterable[str] = (),
    placing_order: bool = False,
    retry_after: float | None = None,
    http_status: int | None = None,
) -> errors.GatewayError:
    """The gateway error for a ccxt exception (or a parsing failure inside a ccxt call).

    An answer with an HTTP 5xx status is an outage whatever its body says. A BingX answer carrying an
    error code ccxt does not know is a refusal (the exchange processed the request and said no), unless
    the code is one of BingX's "busy / maintenance" codes.
    """
    sensitive = tuple(sensitive)
    reason = _reason(exc, sensitive)
    code, _ = exchange_answer(exc)
    if http_status is not None and http_status >= 500 and not isinstance(exc, ccxt.RateLimitExceeded):
        return errors.ExchangeUnavailable(f"{exchange} unavailable (HTTP {http_status}): {reason}")
    if isinstance(exc, ccxt.RateLimitExceeded | ccxt.DDoSProtection):
        return errors.RateLimited(f"{exchange} rate limit hit: {reason}", retry_after=retry_after)
    if isinstance(exc, ccxt.DuplicateOrderId):
        return errors.DuplicateOrder(f"{exchange} already has an order with this client order id: {reason}")
    if isinstance(exc, ccxt.InsufficientFunds):
        return errors.InsufficientFunds(f"{exchange}: insufficient funds: {reason}")
    if isinstance(exc, ccxt.PermissionDenied | ccxt.AccountSuspended):
        return errors.PermissionRefused(f"{exchange} refused: {reason}")
    if isinstance(exc, ccxt.AuthenticationError):
        return errors.InvalidCredentials(f"{exchange} does not accept this API key or secret: {reason}")
    if code == BINGX_TIMESTAMP_REJECTED:
        return errors.ExchangeUnavailable(f"{exchange} refused the request time ({reason}); check this server's clock")
    if isinstance(exc, ccxt.BadSymbol):
        return errors.InvalidRequest(f"{exchange} has no such market: {reason}")
    if isinstance(exc, ccxt.NotSupported):
        return errors.NotOffered(f"{exchange} does not offer this: {reason}")
    refused = isinstance(exc, ccxt.InvalidOrder | ccxt.BadRequest | ccxt.OperationRejected | ccxt.ArgumentsRequired)
    unknown_refusal = type(exc) is ccxt.ExchangeError and code is not None and code not in BINGX_TRANSIENT_CODES
    if refused or unknown_refusal:
        if placing_order:
            return errors.OrderRejected(f"{exchange} rejected the order: {reason}", reason=reason)
        return errors.InvalidRequest(f"{exchange} refused the request: {reason}")
    if isinstance(exc, ccxt.BaseError):
        # Network errors, timeouts, 5xx, maintenance, bad responses and unknown exchange errors.
        return errors.ExchangeUnavailable(f"{exchange} unavailable: {reason}")
    return errors.ExchangeUnavailable(f"{exchange} sent an answer we cannot read ({type(exc).__name__})")
