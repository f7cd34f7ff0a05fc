"""Gatekeeper API: the caller's access status, "check again", and their exchange keys (masked)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.selectors import credentials_for_user
from accounts.services.credentials import credential_delete
from core.api_errors import ErrorSerializer
from gatekeeper import rules, selectors
from gatekeeper.serializers import (
    AccessStatusSerializer,
    CredentialConnectedSerializer,
    CredentialConnectSerializer,
    CredentialSerializer,
)
from gatekeeper.services.access import (
    access_recheck,
    key_connect,
)
from gatekeeper.throttles import recheck_wait

HISTORY_LENGTH = 10

_ERROR = ErrorSerializer
_THROTTLED = OpenApiResponse(_ERROR, description="Checked too recently; `Retry-After` says how many seconds to wait.")
_UNAVAILABLE = OpenApiResponse(_ERROR, description="BingX could not be reached; nothing changed.")


def access_status(user: User) -> dict:
    """What the status endpoint returns, as plain data for AccessStatusSerializer."""
    now = timezone.now()
    access = selectors.access_of(user)
    key = selectors.bingx_key(user)
    override = None
    if access is not None and access.override_active(now):
        override = {
            "level": access.override_level,
            "reason": access.override_reason,
            "expires_at": access.override_expires_at,
        }
    return {
        "level": access.effective_level(now) if access else rules.LIMITED,
        "reason": (access.effective_reason(now) if access else "") or "Connect your BingX API key to be checked.",
        "code": access.code if access else "",
        "decided_at": access.decided_at if access else None,
        "last_attempt_at": access.last_attempt_at if access else None,
        "last_error": access.last_error if access else "",
        "override": override,
        "key": {"id": key.pk, "masked": key.api_key_masked, "created_at": key.created_at} if key else None,
        "referral_link": settings.FLAXU_REFERRAL_LINK,
        "policy": settings.FLAXU_ACCESS_POLICY,
        "history": list(selectors.access_history(user, limit=HISTORY_LENGTH)),
    }


def _status_response(user: User, code: int = status.HTTP_200_OK) -> Response:
    return Response(AccessStatusSerializer(access_status(user)).data, status=code)


class AccessStatusView(APIView):
    """Your access level, why, a staff override if any, your BingX key (masked) and the last 10 checks."""

    @extend_schema(responses=AccessStatusSerializer)
    def get(self, request):
        return _status_response(request.user)


class AccessRecheckView(APIView):
    """Ask BingX again now and return the new status (once per FLAXU_RECHECK_THROTTLE_SECONDS per user)."""

    @extend_schema(request=None, responses={200: AccessStatusSerializer, 429: _THROTTLED, 503: _UNAVAILABLE})
    def post(self, request):
        wait = recheck_wait(user_id=request.user.pk)
        if wait:
            raise Throttled(
                wait=wait, detail=f"You can check once every {settings.FLAXU_RECHECK_THROTTLE_SECONDS} seconds."
            )
        access_recheck(user=request.user, request=request)
        return _status_response(request.user)


# Error reports blank a form-encoded key and secret too (JSON bodies are never in them).
@method_decorator(sensitive_post_parameters("api_key", "api_secret"), name="dispatch")
class CredentialListCreateView(APIView):
    """Your exchange keys, masked; or connect a BingX key (checked at once: permissions, referral, deposits)."""

    @extend_schema(responses=CredentialSerializer(many=True))
    def get(self, request):
        return Response(CredentialSerializer(credentials_for_user(user=request.user), many=True).data)

    @extend_schema(
        request=CredentialConnectSerializer,
        responses={
            201: CredentialConnectedSerializer,
            400: OpenApiResponse(_ERROR, description="Invalid input, or the key was refused (see errors.api_key)."),
            409: OpenApiResponse(
                _ERROR, description="The key's BingX account is connected to another FLAXU account (errors.api_key)."
            ),
            503: _UNAVAILABLE,
        },
    )
    @sensitive_variables()
    def post(self, request):
        serializer = CredentialConnectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key_connect(  # refusals (400/409) and "BingX could not be asked" (503) answer through core.errors
            user=request.user,
            api_key=serializer.validated_data["api_key"],
            api_secret=serializer.validated_data["api_secret"],
            request=request,
        )
        body = {"credential": selectors.bingx_key(request.user), "status": access_status(request.user)}
        return Response(CredentialConnectedSerializer(body).data, status=status.HTTP_201_CREATED)


class CredentialDeleteView(APIView):
    """Remove one of your keys. Removing your BingX key makes your access LIMITED (unless staff set it)."""

    @extend_schema(request=None, responses={204: None, 404: _ERROR})
    def delete(self, request, pk: int):
        credential = get_object_or_404(credentials_for_user(user=request.user), pk=pk)
        credential_delete(credential=credential, request=request)  # gatekeeper re-decides on credential_removed
        return Response(status=status.HTTP_204_NO_CONTENT)
