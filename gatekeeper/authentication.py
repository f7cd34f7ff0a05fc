"""API tokens that are refused while their account is SUSPENDED.

A session is resolved by Django before SuspendedUserMiddleware runs, which refuses suspended sessions;
a token is resolved only here, inside DRF, so the same check runs here: no view sees a suspended token.
The token, its user and their Access are cached for a minute and cleared by any change to them
(gatekeeper.token_cache), so a token call needs no database query unless something changed.
"""

from __future__ import annotations

from rest_framework import exceptions

from accounts.authentication import AllowListedTokenAuthentication
from accounts.models import ApiToken
from gatekeeper.middleware import open_while_suspended
from gatekeeper.selectors import SUSPENDED_MAY_STILL, access_of, request_access_remember, suspension_refusal
from gatekeeper.token_cache import token_lookup, token_remember


class TokenAuthentication(AllowListedTokenAuthentication):
    """Named API tokens (hashed, IP allow-listed); a suspended account's token answers 403 with the reason."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            request_access_remember(request, result[0], self._access)  # e.g. FullAccessRequired: no second read
        if result is not None and not open_while_suspended(request.path):
            refusal = suspension_refusal(result[0], access=self._access)
            if refusal:
                raise exceptions.PermissionDenied(f"{refusal} {SUSPENDED_MAY_STILL}")
        return result

    def authenticate_credentials(self, key: str):
        key_hash = ApiToken.hash_key(key)
        cached = token_lookup(key_hash)
        if cached is not None:
            user, token, self._access = cached
            return user, token
        user, token = super().authenticate_credentials(key)  # refuses revoked tokens and inactive accounts
        self._access = access_of(user)
        token_remember(key_hash, user, token, self._access)
        return user, token
