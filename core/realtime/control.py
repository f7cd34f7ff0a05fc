"""Telling a user's open sockets that their credential or access changed: close them, or check again.

Services and receivers call `sockets_close` (token revoked, signed out, password changed, account
disabled) or `sockets_recheck` (access level or keys changed). The message goes, after commit, to the
user's private group, through channels-redis or, without Redis, the outbox relay, like any push. Each
socket of that user decides whether it is meant (all of them, one token, one session) and acts
(`LiveConsumer.flaxu_close` / `flaxu_recheck`). Sockets also re-check on their own (every client message
and every FLAXU_WS_RECHECK_SECONDS), so a lost message delays a close but never cancels it.
"""

from __future__ import annotations

import hashlib

from core.realtime.groups import user_group
from core.realtime.push import CONTROL_TYPE_PREFIX, deliver_on_commit

# Close codes (4000-4999 are the application's), mirroring HTTP: 4401 the credential is missing or no
# longer valid (sign in / use a valid token and reconnect); 4403 the account may hold no socket (suspended).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403

CLOSE_MESSAGE_TYPE = f"{CONTROL_TYPE_PREFIX}close"
RECHECK_MESSAGE_TYPE = f"{CONTROL_TYPE_PREFIX}recheck"
# A websocket close reason is at most 123 bytes of UTF-8.
MAX_CLOSE_REASON_BYTES = 123


def session_fingerprint(session_key: str | None) -> str:
    """A digest naming one session in control messages, so the session key itself never travels."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:32] if session_key else ""


def close_reason(reason: str) -> str:
    """`reason` cut to what a websocket close frame can carry."""
    return reason.encode()[:MAX_CLOSE_REASON_BYTES].decode(errors="ignore")


def sockets_close(
    *,
    user_id: int,
    reason: str,
    code: int = CLOSE_UNAUTHENTICATED,
    token_id: int | None = None,
    session_key: str | None = None,
) -> None:
    """Close the user's sockets once the transaction commits: all, or only those opened with one
    API token (`token_id`) or one session (`session_key`; only its digest is sent)."""
    payload = {"code": code, "reason": close_reason(reason), "token_id": token_id, "session": ""}
    if session_key is not None:
        payload["session"] = session_fingerprint(session_key)
        if not payload["session"]:  # a session that never existed opened no socket
            return
    deliver_on_commit(user_group(user_id), CLOSE_MESSAGE_TYPE, payload)


def sockets_recheck(*, user_id: int) -> None:
    """Make the user's sockets check their credential and access now (closing or leaving groups)."""
    deliver_on_commit(user_group(user_id), RECHECK_MESSAGE_TYPE, {})
