"""Websocket authentication: the session cookie (pages) or an API token (API clients).

The rules are those of HTTP: a token is checked by the API's own `AllowListedTokenAuthentication`
(hashed lookup, revocation, disabled account, IP allow-list); a session counts only if its user's IP
allow-list admits the client and, when the user has a confirmed 2FA device, the session passed the
second factor (django_otp keeps the verifying device in the session under `otp_device_id`).
A session cookie counts only on a handshake that carries an `Origin` (browsers always send one, and
`flaxu.sockets.origin` refuses a foreign one); a program without Origin must authenticate by token.
Anything that fails leaves `scope["user"]` anonymous; the consumer then refuses the socket.

An open socket stays bound to the credential it opened with: `credential_refusal` checks it again
(the consumer calls it on every client message, on a timer, and when told that access changed).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp.models import Device
from rest_framework import exceptions
from rest_framework.request import Request

from accounts.authentication import AllowListedTokenAuthentication
from accounts.client_ip import client_ip

TOKEN_QUERY_PARAMETER = "token"  # noqa: S105 (a parameter name, not a secret)


def token_from_scope(scope: dict) -> str | None:
    """The API key sent as `Authorization: Token <key>` or, for browsers' websockets, `?token=<key>`."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            keyword, _, key = value.decode("latin-1").strip().partition(" ")
            if keyword.lower() == AllowListedTokenAuthentication.keyword.lower() and key.strip():
                return key.strip()
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    key = query.get(TOKEN_QUERY_PARAMETER, [""])[0].strip()
    return key or None


def http_request_for(scope: dict) -> HttpRequest:
    """A bare HttpRequest carrying the handshake's headers and peer, for code written for HTTP."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = scope.get("path", "")
    meta: dict[str, str] = {"QUERY_STRING": scope.get("query_string", b"").decode("latin-1")}
    client = scope.get("client")
    if client:
        meta["REMOTE_ADDR"] = client[0]
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        key = name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"
        value = raw_value.decode("latin-1")
        meta[key] = f"{meta[key]},{value}" if key in meta else value
    request.META = meta
    return request


def has_origin(scope: dict) -> bool:
    """Whether the handshake carries an Origin header (whose value the origin validator has checked)."""
    return any(name.lower() == b"origin" and value.strip() for name, value in scope.get("headers", []))


def token_auth(key: str, request: HttpRequest) -> tuple[AbstractBaseUser | AnonymousUser, int | None]:
    """The token's user and the token's id, or (AnonymousUser, None) when it is unknown, revoked or refused."""
    request.META["HTTP_AUTHORIZATION"] = f"{AllowListedTokenAuthentication.keyword} {key}"
    try:
        result = AllowListedTokenAuthentication().authenticate(Request(request))
    except exceptions.AuthenticationFailed:
        return AnonymousUser(), None
    return (result[0], result[1].pk) if result else (AnonymousUser(), None)


def user_for_token(key: str, request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    """The token's user, or AnonymousUser when the token is unknown, revoked or refused."""
    return token_auth(key, request)[0]


def user_for_session(
    user: AbstractBaseUser | AnonymousUser, session: SessionBase, request: HttpRequest
) -> AbstractBaseUser | AnonymousUser:
    """The session's user if the IP allow-list and the second factor let it in, else AnonymousUser."""
    if not user.is_authenticated:
        return AnonymousUser()
    if not user.ip_is_allowed(client_ip(request)):
        return AnonymousUser()
    if user_has_device(user, confirmed=True) and not session_passed_second_factor(user, session):
        return AnonymousUser()
    return user


def user_for_session_key(session_key: str | None, request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    """The user of the stored session `session_key` now (as Django's and channels' `get_user` decide:
    the session exists and its password hash still matches), if user_for_session lets it in."""
    if not session_key:
        return AnonymousUser()
    # A session that was deleted (logout, expiry) loads empty, and get_user then finds nobody.
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return user_for_session(get_user(request), request.session, request)


# Further reasons to refuse an authenticated user a socket (gatekeeper: suspended), registered at start-up.
_REFUSALS: list[Callable[[AbstractBaseUser], str | None]] = []


def register_socket_refusal(refusal: Callable[[AbstractBaseUser], str | None]) -> None:
    """Add a check that returns why `user` may hold no socket (closed with 4403), or None."""
    if refusal not in _REFUSALS:
        _REFUSALS.append(refusal)


def socket_refusal(user: AbstractBaseUser) -> str | None:
    """Why this signed-in user may hold no socket at all (e.g. suspended), or None."""
    for refusal in _REFUSALS:
        reason = refusal(user)
        if reason:
            return reason
    return None


def credential_refusal(scope: dict) -> tuple[AbstractBaseUser | AnonymousUser, str | None]:
    """The socket's credential checked again now: (current user, None), or (AnonymousUser, why not).

    Token sockets re-run the token authentication; session sockets reload their session (gone after
    logout; refused once the password changed elsewhere, the IP allow-list or 2FA no longer admit it).
    """
    request = http_request_for(scope)
    if scope.get("auth") == "token":
        key = token_from_scope(scope)
        user, token_id = token_auth(key, request) if key else (AnonymousUser(), None)
        if token_id is None or token_id != scope.get("token_id"):
            return AnonymousUser(), "The API token was revoked or no longer admits this connection."
    else:
        user = user_for_session_key(scope.get("session_key"), request)
        if not user.is_authenticated:
            return AnonymousUser(), "Signed out: the session ended or no longer admits this connection."
    if user.pk != scope["user"].pk:
        return AnonymousUser(), "The credential now belongs to another account."
    return user, None


def session_passed_second_factor(user: AbstractBaseUser, session: SessionBase) -> bool:
    """Whether the session holds a confirmed OTP device of this user (as django_otp's OTPMiddleware decides)."""
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == user.pk and device.confirmed


class TokenOrSessionAuthMiddleware(BaseMiddleware):
    """Sets `scope["user"]` and how it authenticated: `scope["auth"]` ("token" or "session") with
    `scope["token_id"]` or `scope["session_key"]`; runs inside AuthMiddleware."""

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> Any:
        scope = dict(scope)
        request = http_request_for(scope)
        key = token_from_scope(scope)
        if key is not None:
            # A presented token decides alone: a bad token is not rescued by a session cookie.
            scope["user"], scope["token_id"] = await database_sync_to_async(token_auth)(key, request)
            scope["auth"] = "token"
        elif not has_origin(scope):
            # Cookies ride along with any program; only a browser's page (which sends Origin) may use them.
            scope["user"] = AnonymousUser()
            scope["auth"] = "session"
        else:
            scope["user"] = await database_sync_to_async(user_for_session)(scope["user"], scope["session"], request)
            scope["auth"] = "session"
            scope["session_key"] = scope["session"].session_key
        return await super().__call__(scope, receive, send)


def TokenOrSessionAuthMiddlewareStack(inner: Callable) -> Callable:  # named like channels' AuthMiddlewareStack
    """Cookies, session and session user (channels' AuthMiddlewareStack), then the rules above."""
    return AuthMiddlewareStack(TokenOrSessionAuthMiddleware(inner))


class AcceptFirst:
    """Completes the websocket handshake at once, before authentication's database work.

    Servers give the application a few seconds to accept (Daphne: 5 s); a burst of a thousand handshakes
    whose credentials are checked in turn would otherwise be dropped at that deadline. The consumer
    already accepts every socket before closing a refused one (4401/4403), so a client sees the same:
    an open socket, then `hello` or the close. The inner application's own accept is swallowed.
    Mounted inside the origin check (a refused origin stays an HTTP 403) and the URL router (an unknown
    path never gets a socket).
    """

    def __init__(self, inner: Callable) -> None:
        self.inner = inner

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> Any:
        if scope["type"] != "websocket":
            return await self.inner(scope, receive, send)
        first = await receive()
        if first["type"] != "websocket.connect":  # the client left before the handshake finished
            return await self.inner(scope, _replay(first, receive), send)
        await send({"type": "websocket.accept"})
        accepted = False

        async def send_after_accept(message: dict) -> None:
            nonlocal accepted
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                return
            await send(message)

        return await self.inner(scope, _replay(first, receive), send_after_accept)


def _replay(first: dict, receive: Callable) -> Callable:
    """`receive` that hands out `first` once, then reads on."""
    pending = [first]

    async def replay() -> dict:
        return pending.pop() if pending else await receive()

    return replay
