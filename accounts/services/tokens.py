"""API tokens: created with a random key shown once, stored as a hash, revoked by the owner."""

from __future__ import annotations

import secrets

from django.http import HttpRequest
from django.utils import timezone

from accounts.models import ActivityLog, ApiToken, User
from accounts.services.activity import activity_record
from core.errors import Refused
from core.realtime.control import sockets_close

MAX_ACTIVE_TOKENS = 20


class TokenRefused(Refused):
    """The token cannot be created; the message says why, and which field."""


def token_create(*, user: User, name: str, request: HttpRequest | None = None) -> tuple[ApiToken, str]:
    """Create a token and return it with its key; the key is not stored and cannot be shown again."""
    name = name.strip()
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if active.filter(name=name).exists():
        raise TokenRefused("You already have an active token with this name.", field="name")
    if active.count() >= MAX_ACTIVE_TOKENS:
        raise TokenRefused(f"You already have {MAX_ACTIVE_TOKENS} active tokens; revoke one first.")
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=ApiToken.hash_key(key))
    activity_record(
        action=ActivityLog.Action.TOKEN_CREATED, user=user, request=request, name=token.name, prefix=token.prefix
    )
    return token, key


def token_revoke(*, token: ApiToken, request: HttpRequest | None = None) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    sockets_close(user_id=token.user_id, token_id=token.pk, reason="This API token was revoked.")
    activity_record(
        action=ActivityLog.Action.TOKEN_REVOKED, user=token.user, request=request, name=token.name, prefix=token.prefix
    )
