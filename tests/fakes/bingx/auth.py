"""Signed requests as BingX checks them: API key, HMAC-SHA256 signature, timestamp window, IP whitelist,
then the route's permission. Every refusal is a ``BingXError`` with BingX's code (README: "Signature").
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from . import errors as E
from .errors import BingXError
from .models import Account
from .state import Exchange

DEFAULT_RECV_WINDOW = 5000
MAX_RECV_WINDOW = 60000


def authenticate(
    ex: Exchange, pairs: list[tuple[str, str]], params: dict, headers: Mapping, client_ip: str, json_body: bool
) -> Account:
    """The account whose key signed the request, in BingX's order of checks."""
    api_key = headers.get("X-BX-APIKEY")
    if not api_key:
        raise BingXError(*E.NULL_API_KEY)
    acct = ex.by_key.get(api_key)
    if acct is None:
        raise BingXError(*E.INCORRECT_API_KEY)
    signature = params.get("signature")
    if not signature:
        raise BingXError(*E.NULL_SIGNATURE)
    # BingX: query-string parameters are signed in the order they are sent (ccxt sends them sorted);
    # a JSON body is signed with its keys sorted a-z. Values are signed URL-decoded.
    signed = [(k, v) for k, v in pairs if k != "signature"]
    if json_body:
        signed.sort(key=lambda kv: kv[0])
    payload = "&".join(f"{k}={v}" for k, v in signed)
    expected = hmac.new(acct.secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, str(signature).lower()):
        raise BingXError(*E.SIGNATURE_MISMATCH)
    if not params.get("timestamp"):
        raise BingXError(*E.TIMESTAMP_MISMATCH)
    try:
        ts = int(params["timestamp"])
        window = int(params.get("recvWindow") or DEFAULT_RECV_WINDOW)
    except ValueError:
        raise BingXError(*E.TIMESTAMP_INVALID) from None
    window = min(max(window, 0), MAX_RECV_WINDOW)
    if abs(ex.server_time() - ts) > window:
        raise BingXError(*E.TIMESTAMP_MISMATCH)
    if acct.ip_addresses and client_ip not in acct.ip_addresses:
        raise BingXError(*E.IP_NOT_WHITELISTED)
    return acct


def authorize(acct: Account, permission: str | None) -> None:
    """Refuse (100004) a key without the route's permission: "read", "futures" or the "agent" role."""
    if permission == "read" and not acct.permissions.get("enableReading"):
        raise BingXError(E.PERMISSION_DENIED[0], E.PERMISSION_DENIED[1] + ", this api need permission: Read")
    if permission == "futures" and not acct.permissions.get("enableFutures"):
        raise BingXError(
            E.PERMISSION_DENIED[0], E.PERMISSION_DENIED[1] + ", this api need permission: Perpetual Futures Trading"
        )
    if permission == "agent" and not acct.is_agent:
        raise BingXError(
            E.PERMISSION_DENIED[0],
            E.PERMISSION_DENIED[1] + ", the signature verification user must be a parent user and have an agent role",
        )
