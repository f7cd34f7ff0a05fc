"""Trading API (FULL access): signals, sniper alerts, backtests (start, status, results, trades as CSV)."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_errors import ErrorSerializer, JsonErrorsMixin
from core.throttles import ScopedOrApiRateThrottle
from gatekeeper.permissions import FullAccessRequired
from trading import conf, selectors, signal_figures
from trading.models import Backtest, Signal, SniperAlert
from trading.serializers import (
    BacktestCreateSerializer,
    BacktestDetailSerializer,
    BacktestSerializer,
    SignalDetailSerializer,
    SignalFilterSerializer,
    SignalSerializer,
    SniperAlertSerializer,
    SniperFilterSerializer,
)
from trading.services.backtests import backtest_create, normalize_symbol

_FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Not FULL access; `detail` says why and what to do.")
_INVALID = OpenApiResponse(ErrorSerializer, description="Invalid input; `errors` per field.")


class Page(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


class BacktestStatusThrottle(ScopedOrApiRateThrottle):
    """The backtest page polls its status every second while it runs: its own, larger budget."""

    def get_rate(self):
        if self.scope == "backtest_status":
            return conf.backtest_status_rate()
        return super().get_rate()


class FullAccessAPIView(APIView):
    permission_classes = [IsAuthenticated, FullAccessRequired]


def _flat_errors(errors: dict) -> dict:
    """``{"parameters": {"risk_pct": [...]}}`` -> ``{"parameters.risk_pct": [...]}`` (one level of field names)."""
    flat = {}
    for key, value in errors.items():
        if isinstance(value, dict):
            for sub, messages in value.items():
                flat[key if sub == "non_field_errors" else f"{key}.{sub}"] = messages
        else:
            flat[key] = value
    return flat


def _filters(serializer_class, request) -> dict:
    # A plain dict: from a QueryDict DRF drops an empty optional value, so `?symbol=` would mean "all".
    serializer = serializer_class(data=request.query_params.dict())
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    if data.get("symbol"):
        data["symbol"] = normalize_symbol(data["symbol"])
    return data


@extend_schema(
    parameters=[SignalFilterSerializer], responses={200: SignalSerializer(many=True), 400: _INVALID, 403: _FORBIDDEN}
)
class SignalListView(FullAccessAPIView, ListAPIView):
    """Signals of the ICT engine, the most recently known first (`known_at`), in pages of `limit` (default
    50, at most 500) from `offset`, narrowed by the filters; each with its expected R after costs, the
    evidence it had when it became known, its outcome and whether (and why) it is auto-executable."""

    serializer_class = SignalSerializer
    pagination_class = Page

    def get_queryset(self):
        return selectors.signals_filtered(**_filters(SignalFilterSerializer, self.request))

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else signal_figures.annotate(page)  # one price read per page


@extend_schema(responses={200: SignalDetailSerializer, 403: _FORBIDDEN})
class SignalDetailView(FullAccessAPIView, RetrieveAPIView):
    """One signal with its reasons in words, the events behind it and its calibration sentence."""

    serializer_class = SignalDetailSerializer
    queryset = Signal.objects.all()

    def get_object(self):
        return signal_figures.annotate([super().get_object()])[0]


@extend_schema(
    parameters=[SniperFilterSerializer],
    responses={200: SniperAlertSerializer(many=True), 400: _INVALID, 403: _FORBIDDEN},
)
class SniperAlertListView(FullAccessAPIView, ListAPIView):
    """Sniper alerts (violent 5-minute moves that cleared most liquidations), newest first."""

    serializer_class = SniperAlertSerializer
    pagination_class = Page
    queryset = SniperAlert.objects.none()

    def get_queryset(self):
        return selectors.sniper_alerts(**_filters(SniperFilterSerializer, self.request))


class BacktestListCreateView(FullAccessAPIView):
    """Your backtests (newest first), or start one: 201 with its id; it runs in the background."""

    pagination_class = Page  # GET pages like the other lists (documented as PaginatedBacktestList)

    def initial(self, request, *args, **kwargs):
        # Starting a backtest is heavy: the trading budget; reading the list: the general one.
        self.throttle_scope = "trading" if request.method == "POST" else "api"
        super().initial(request, *args, **kwargs)

    @extend_schema(responses={200: BacktestSerializer(many=True), 403: _FORBIDDEN})
    def get(self, request):
        page = self.pagination_class()
        rows = page.paginate_queryset(selectors.backtests_of(request.user), request, view=self)
        return page.get_paginated_response(BacktestSerializer(rows, many=True).data)

    @extend_schema(
        request=BacktestCreateSerializer,
        responses={201: BacktestSerializer, 400: _INVALID, 403: _FORBIDDEN},
        description="Errors name the field: `symbol` (unknown), `timeframe`, `end` (empty or reversed period, or "
        "in the future), `period` (no stored candles, too few, or more than FLAXU_BACKTEST_MAX_CANDLES), `parameters`.",
    )
    def post(self, request):
        serializer = BacktestCreateSerializer(data=request.data)
        if not serializer.is_valid():
            raise ValidationError(_flat_errors(serializer.errors))
        data = serializer.validated_data
        backtest = backtest_create(
            user=request.user,
            symbol=data["symbol"],
            timeframe=data["timeframe"],
            start=data["start"],
            end=data["end"],
            parameters=data.get("parameters"),
        )
        return Response(BacktestSerializer(backtest).data, status=status.HTTP_201_CREATED)


@extend_schema(responses={200: BacktestDetailSerializer, 403: _FORBIDDEN, 404: ErrorSerializer})
class BacktestDetailView(FullAccessAPIView, RetrieveAPIView):
    """One of your backtests: status and progress while it runs, then statistics, equity and calibration."""

    serializer_class = BacktestDetailSerializer
    throttle_classes = [BacktestStatusThrottle]
    throttle_scope = "backtest_status"

    def get_queryset(self):
        return selectors.backtests_of(self.request.user)


class CsvRenderer(BaseRenderer):
    """Lets clients ask for ``Accept: text/csv`` (or ``?format=csv``); errors are JSON all the same."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict):
            return str(data.get("detail", data)).encode(self.charset)
        return str(data or "").encode(self.charset)


class BacktestTradesCsvView(JsonErrorsMixin, FullAccessAPIView):
    """The trades of one of your backtests as CSV (empty but for the header until it is done)."""

    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR, 403: _FORBIDDEN, 404: ErrorSerializer})
    def get(self, request, pk: int):
        backtest = get_object_or_404(Backtest, pk=pk, user=request.user)
        return trades_csv_response(backtest)


def trades_csv_response(backtest: Backtest) -> StreamingHttpResponse:
    """The CSV download (the API and the page share it)."""
    response = StreamingHttpResponse(selectors.backtest_trades_csv(backtest), content_type="text/csv; charset=utf-8")
    name = f"flaxu-backtest-{backtest.pk}-{backtest.symbol.split('/')[0].lower()}-{backtest.timeframe}-trades.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
