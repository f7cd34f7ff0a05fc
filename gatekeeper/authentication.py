"""API tokens that are refused while their account is SUSPENDED.

A session is resolved by Django before SuspendedUserMiddleware runs, which refuses suspended sessions;
a token is resolved only here, inside DRF, so the same check runs here: no view sees a suspended token.
"""

from __future__ import annotations

from rest_framework import exceptions

from accounts.authentication import AllowListedTokenAuthentication
from gatekeeper.middleware import open_while_suspended
from gatekeeper.selectors import SUSPENDED_MAY_STILL, suspension_refusal


class TokenAuthentication(AllowListedTokenAuthentication):
    """Named API tokens (hashed, IP allow-listed); a suspended account's token answers 403 with the reason."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and not open_while_suspended(request.path):
            refusal = suspension_refusal(result[0])
            if refusal:
                raise exceptions.PermissionDenied(f"{refusal} {SUSPENDED_MAY_STILL}")
        return result
