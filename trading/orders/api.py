"""Order API (FULL access, your own trades only): place a manual or one-click order, preview one, close a trade.

Placing is synchronous: the answer is the trade as the exchange (or the paper broker) left it. Each refusal
says why: 403 the access gate (LIMITED, SUSPENDED; live without 2FA or key), 400 the risk rule or the field,
409 already traded (the ``Location`` header names that trade), 503 with ``Retry-After`` when the exchange
could not be read (nothing was sent). Placing and closing count against the trading budget (10 a minute).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_errors import ErrorSerializer
from gatekeeper.permissions import FullAccessRequired
from trading.controls.api import TradingActionView
from trading.models import Trade
from trading.orders import placing
from trading.orders.serializers import OrderPreviewSerializer, OrderRequestSerializer
from trading.portfolio.serializers import TradeSerializer
from trading.services.execution import AlreadyTraded

_FORBIDDEN = OpenApiResponse(
    ErrorSerializer, description="Not FULL access, or live mode without 2FA or a key; `detail` says why."
)
_REFUSED = OpenApiResponse(ErrorSerializer, description="A field is wrong (`errors` per field) or a risk rule refused.")
_CONFLICT = OpenApiResponse(
    ErrorSerializer, description="Already traded (same idempotency key, alert or signal); `Location` names the trade."
)
_LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    response=[409],
    description="With 409: the trade already placed for this key, alert or signal (/api/trading/history/{id}).",
)
_THROTTLED = OpenApiResponse(ErrorSerializer, description="More than the trading actions allowed per minute.")
_UNAVAILABLE = OpenApiResponse(
    ErrorSerializer, description="The exchange could not be reached; nothing was sent. Retry after `Retry-After`."
)


def _conflict(view, exc: AlreadyTraded) -> Response:
    response = view.handle_exception(exc)
    if exc.trade is not None:
        response["Location"] = reverse("api_portfolio_trade", args=[exc.trade.pk])
    return response


class OrderCreateView(TradingActionView):
    """Place an order now, in your trading mode (paper or live).

    Manual: `symbol`, `side`, `stop_loss`, `take_profit` (optional `take_profit_2`: half there, stop to
    break-even; optional `risk_pct` 0.25-2, default your setting) and `idempotency_key`: a retry with the same
    key never places twice, it answers 409 with the first trade's `Location`. One-click: `sniper_alert`
    (your sniper risk and leverage) or `signal` (an auto-executable, fresh ICT signal, at your risk setting);
    each alert or signal is traded once. 201: the trade (OPEN; FAILED with `failure_reason` when the exchange
    refused it; PENDING when the exchange could not confirm yet: it is settled by its client order id)."""

    permission_classes = [IsAuthenticated, FullAccessRequired]

    @extend_schema(
        request=OrderRequestSerializer,
        parameters=[_LOCATION],
        responses={
            201: TradeSerializer,
            400: _REFUSED,
            403: _FORBIDDEN,
            409: _CONFLICT,
            429: _THROTTLED,
            503: _UNAVAILABLE,
        },
    )
    def post(self, request):
        serializer = OrderRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            trade = placing.order_place(request.user, serializer.validated_data)
        except AlreadyTraded as exc:
            return _conflict(self, exc)
        return Response(TradeSerializer(trade).data, status=status.HTTP_201_CREATED)


class OrderPreviewView(APIView):
    """What an order would place now (every check and the sizing, nothing sent): size, leverage, notional,
    and the USDT the stop would cost after fees and slippage. Same body and refusals as placing."""

    permission_classes = [IsAuthenticated, FullAccessRequired]  # a preview places nothing: the general budget

    @extend_schema(
        request=OrderRequestSerializer,
        parameters=[_LOCATION],
        responses={200: OrderPreviewSerializer, 400: _REFUSED, 403: _FORBIDDEN, 409: _CONFLICT, 503: _UNAVAILABLE},
    )
    def post(self, request):
        serializer = OrderRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            preview = placing.order_preview_of(request.user, serializer.validated_data)
        except AlreadyTraded as exc:
            return _conflict(self, exc)
        return Response(OrderPreviewSerializer(preview).data)


class PositionCloseView(TradingActionView):
    """Close one of your trades now (reduce-only market order; works during any pause). Another user's trade
    is 404; a trade that is not open (closed, failed, cancelled) is 409. 200: the trade, CLOSED with its exit
    and PnL, or still OPEN/PENDING when the exchange has not confirmed yet (the position sync records it)."""

    permission_classes = [IsAuthenticated, FullAccessRequired]

    @extend_schema(
        request=None,
        responses={
            200: TradeSerializer,
            403: _FORBIDDEN,
            404: ErrorSerializer,
            409: OpenApiResponse(ErrorSerializer, description="The trade is not open."),
            429: _THROTTLED,
            503: _UNAVAILABLE,
        },
    )
    def post(self, request, pk: int):
        trade = get_object_or_404(Trade, pk=pk, user=request.user)
        return Response(TradeSerializer(placing.position_close(trade)).data)
