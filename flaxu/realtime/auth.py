"""Websocket authentication: the session cookie (pages) or an API token (API clients).

The rules are those of HTTP: a token is checked by the API's own `AllowListedTokenAuthentication`
(hashed lookup, revocation, disabled account, IP allow-list); a session counts only if its user's IP
allow-list admits the client and, when the user has a confirmed 2FA device, the session passed the
second factor (django_otp keeps the verifying device in the session under `otp_device_id`).
Anything that fails leaves `scope["user"]` anonymous; the consumer then refuses the socket.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
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


def user_for_token(key: str, request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    """The token's user, or AnonymousUser when the token is unknown, revoked or refused."""
    request.META["HTTP_AUTHORIZATION"] = f"{AllowListedTokenAuthentication.keyword} {key}"
    try:
        result = AllowListedTokenAuthentication().authenticate(Request(request))
    except exceptions.AuthenticationFailed:
        return AnonymousUser()
    return result[0] if result else AnonymousUser()


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


def session_passed_second_factor(user: AbstractBaseUser, session: SessionBase) -> bool:
    """Whether the session holds a confirmed OTP device of this user (as django_otp's OTPMiddleware decides)."""
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == user.pk and device.confirmed


class TokenOrSessionAuthMiddleware(BaseMiddleware):
    """Sets `scope["user"]` (and `scope["auth"]`: "token" or "session"); runs inside AuthMiddleware."""

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> Any:
        scope = dict(scope)
        request = http_request_for(scope)
        key = token_from_scope(scope)
        if key is not None:
            # A presented token decides alone: a bad token is not rescued by a session cookie.
            scope["user"] = await database_sync_to_async(user_for_token)(key, request)
            scope["auth"] = "token"
        else:
            scope["user"] = await database_sync_to_async(user_for_session)(scope["user"], scope["session"], request)
            scope["auth"] = "session"
        return await super().__call__(scope, receive, send)


def TokenOrSessionAuthMiddlewareStack(inner: Callable) -> Callable:  # named like channels' AuthMiddlewareStack
    """Cookies, session and session user (channels' AuthMiddlewareStack), then the rules above."""
    return AuthMiddlewareStack(TokenOrSessionAuthMiddleware(inner))
