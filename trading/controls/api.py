"""Trading settings API (FULL access): your settings, your kill switch, your paper wallet reset; the staff's
global pause."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_errors import ErrorSerializer
from gatekeeper.permissions import FullAccessRequired
from trading.controls.serializers import (
    GlobalPauseSerializer,
    KillSwitchSerializer,
    PaperResetSerializer,
    PaperWalletSerializer,
    TradingSettingsSerializer,
)
from trading.services.paper_wallet import paper_wallet_reset
from trading.services.profile import ACKNOWLEDGE_FIELD, profile_change, profile_for
from trading.services.risk import global_pause_set, kill_switch, trading_control

_FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Not FULL access; `detail` says why and what to do.")
_INVALID = OpenApiResponse(ErrorSerializer, description="Invalid settings; `errors` per field (the rule refused).")
_THROTTLED = OpenApiResponse(ErrorSerializer, description="More than the trading actions allowed per minute.")


class TradingActionView(APIView):
    """Reading counts against the general budget; every change against the trading one (10 a minute)."""

    def initial(self, request, *args, **kwargs):
        self.throttle_scope = "api" if request.method in ("GET", "HEAD", "OPTIONS") else "trading"
        super().initial(request, *args, **kwargs)


class TradingSettingsView(TradingActionView):
    """Your trading settings. PUT and PATCH change the fields sent (the others keep their value); every
    change is written to your activity log. ``mode: live`` also needs ``acknowledge_live_risk: true``,
    FULL access, a confirmed 2FA device and a connected BingX key: each missing one is named in `errors`."""

    permission_classes = [IsAuthenticated, FullAccessRequired]

    @extend_schema(responses={200: TradingSettingsSerializer, 403: _FORBIDDEN})
    def get(self, request):
        return Response(TradingSettingsSerializer(profile_for(request.user)).data)

    @extend_schema(
        request=TradingSettingsSerializer,
        responses={200: TradingSettingsSerializer, 400: _INVALID, 403: _FORBIDDEN, 429: _THROTTLED},
    )
    def put(self, request):
        return self._change(request)

    @extend_schema(
        request=TradingSettingsSerializer,
        responses={200: TradingSettingsSerializer, 400: _INVALID, 403: _FORBIDDEN, 429: _THROTTLED},
    )
    def patch(self, request):
        return self._change(request)

    def _change(self, request):
        profile = profile_for(request.user)
        serializer = TradingSettingsSerializer(profile, data=request.data, partial=True)
        if not serializer.is_valid():
            raise ValidationError(serializer.errors)
        changes = dict(serializer.validated_data)
        acknowledged = changes.pop(ACKNOWLEDGE_FIELD, False)
        profile = profile_change(request.user, changes, acknowledged=acknowledged, request=request)
        return Response(TradingSettingsSerializer(profile).data)


class KillSwitchView(TradingActionView):
    """Close every FLAXU position of yours (paper and live), cancel their orders and turn automation off.

    Automation is off before anything is closed and stays off until you turn it on again. 503 when
    closing could not be done now (automation is off all the same): try again, or close on BingX."""

    permission_classes = [IsAuthenticated, FullAccessRequired]

    @extend_schema(
        request=None,
        responses={
            200: KillSwitchSerializer,
            403: _FORBIDDEN,
            429: _THROTTLED,
            503: OpenApiResponse(ErrorSerializer, description="Closing failed; automation is off anyway."),
        },
    )
    def post(self, request):
        result = kill_switch(request.user, request)
        detail = f"Automation is off; {result.closed} of {result.active_before} open trade(s) closed."
        return Response(
            KillSwitchSerializer(
                {
                    "detail": detail,
                    "automation_enabled": False,
                    "active_before": result.active_before,
                    "closed": result.closed,
                }
            ).data
        )


class PaperWalletResetView(TradingActionView):
    """Start your paper wallet again at ``initial_balance`` USDT (omitted: its current size). Your open paper
    trades are closed at the market first; the reset is written to your activity log. 503 when a price
    needed to close them is not fresh: nothing was closed or reset."""

    permission_classes = [IsAuthenticated, FullAccessRequired]

    @extend_schema(
        request=PaperResetSerializer,
        responses={
            200: PaperWalletSerializer,
            400: _INVALID,
            403: _FORBIDDEN,
            429: _THROTTLED,
            503: OpenApiResponse(ErrorSerializer, description="No fresh price to close a trade; nothing changed."),
        },
    )
    def post(self, request):
        serializer = PaperResetSerializer(data=request.data)
        if not serializer.is_valid():
            raise ValidationError(serializer.errors)
        wallet = paper_wallet_reset(
            request.user, initial_balance=serializer.validated_data.get("initial_balance"), request=request
        )
        return Response(PaperWalletSerializer(wallet).data)


class GlobalPauseView(TradingActionView):
    """Staff only: pause (or resume) trading for everyone. While paused no trade is opened; closes still work."""

    permission_classes = [IsAuthenticated, IsAdminUser]

    @extend_schema(responses={200: GlobalPauseSerializer, 403: _FORBIDDEN})
    def get(self, request):
        return Response(GlobalPauseSerializer(trading_control()).data)

    @extend_schema(
        request=GlobalPauseSerializer,
        responses={200: GlobalPauseSerializer, 400: _INVALID, 403: _FORBIDDEN, 429: _THROTTLED},
    )
    def post(self, request):
        serializer = GlobalPauseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        control = global_pause_set(data["paused"], data.get("reason", ""), request.user, request)
        return Response(GlobalPauseSerializer(control).data)
