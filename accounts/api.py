"""Account API: the caller's profile, their API tokens and their notifications."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors
from accounts.models import ApiToken
from accounts.serializers import (
    MeSerializer,
    NotificationSerializer,
    NotificationsReadSerializer,
    TokenCreatedSerializer,
    TokenCreateSerializer,
    TokenSerializer,
)
from accounts.services.notifications import notifications_mark_read
from accounts.services.profile import profile_update
from accounts.services.tokens import token_create, token_revoke


class MeView(generics.RetrieveUpdateAPIView):
    """The authenticated user's profile."""

    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_throttles(self):
        # A change can carry a password (allow-list): the stricter auth budget against guessing.
        self.throttle_scope = "auth" if self.request.method == "PATCH" else "api"
        return super().get_throttles()

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        profile_update(user=self.request.user, request=self.request, **serializer.validated_data)


class TokenListCreateView(APIView):
    """List your API tokens, or create one (its key is returned once)."""

    def get_throttles(self):
        # Creating credentials counts against the stricter auth scope.
        self.throttle_scope = "auth" if self.request.method == "POST" else "api"
        return super().get_throttles()

    @extend_schema(responses=TokenSerializer(many=True))
    def get(self, request):
        return Response(TokenSerializer(selectors.tokens_for_user(user=request.user), many=True).data)

    @extend_schema(request=TokenCreateSerializer, responses={201: TokenCreatedSerializer})
    def post(self, request):
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = token_create(user=request.user, name=serializer.validated_data["name"], request=request)
        token.key = key
        return Response(TokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)


class TokenRevokeView(APIView):
    """Revoke one of your tokens; calls with it are refused from then on."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        token_revoke(token=get_object_or_404(ApiToken, pk=pk, user=request.user), request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationPage(LimitOffsetPagination):
    """Limit/offset pages, as the other list APIs (trading.api.Page)."""

    default_limit = 50
    max_limit = 500


class NotificationListView(generics.ListAPIView):
    """Your notifications, newest first (limit/offset pages); `read_at` is null while unread."""

    serializer_class = NotificationSerializer
    pagination_class = NotificationPage

    def get_queryset(self):
        return selectors.notifications_for_user(user=self.request.user)


class NotificationsReadView(APIView):
    """Mark all your unread notifications read; answers how many were."""

    @extend_schema(request=None, responses={200: NotificationsReadSerializer})
    def post(self, request):
        marked = notifications_mark_read(user=request.user)
        return Response(NotificationsReadSerializer({"marked_read": marked}).data)
