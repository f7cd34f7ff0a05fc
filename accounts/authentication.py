"""DRF authentication by named API token (hashed at rest), refused outside the user's IP allow-list."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.client_ip import client_ip
from accounts.models import ActivityLog, ApiToken
from accounts.services.activity import activity_record

_LAST_USED_RESOLUTION = timedelta(minutes=1)


class AllowListedTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        ip = client_ip(request)
        if not user.ip_is_allowed(ip):
            activity_record(action=ActivityLog.Action.TOKEN_BLOCKED_IP, user=user, request=request, token=token.prefix)
            raise exceptions.AuthenticationFailed(
                f"This token's account only accepts calls from its IP allow-list; {ip or 'this address'} is not on it."
            )
        request._request.auth_via_token = True
        return user, token

    def authenticate_credentials(self, key: str):
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This account is disabled.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
