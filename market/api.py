"""Market API (``/api/market/``): every Markets-page widget as JSON, and the caller's price alerts.

Read endpoints validate their query with a serializer, call one selector/service (each caches per its
TTL setting) and pass the result through the documented response serializer. Errors use the one
FLAXU shape (``core.api_errors``): ``{"detail", "errors": {field: [messages]}}``.

Market data is public and cheap to serve from the cache: the reads answer anonymous visitors too (the
Markets page is for everyone). The page polls them while its websocket is down (always, for anonymous
visitors, who have no websocket), so reads count against a roomier budget than the general "api"
scope: per user when signed in (``MarketDataThrottle``), per client IP when not
(``AnonMarketDataThrottle``). Alerts are the caller's own: signed in only, default throttle.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from core.api_errors import ErrorSerializer
from core.throttles import WindowCounterThrottle
from market import serializers as s
from market.exchanges import errors as gateway_errors
from market.selectors import prices, snapshots
from market.selectors.alerts import price_alerts_for_user
from market.services import intel
from market.services.alerts import price_alert_create, price_alert_delete

_ERROR = ErrorSerializer
_BAD = OpenApiResponse(_ERROR, description="Invalid query: `errors` names each parameter and what is wrong.")


class MarketDataThrottle(WindowCounterThrottle, UserRateThrottle):
    """600 reads per 15 minutes per user (FLAXU_THROTTLE_MARKET): a page polling every 10 s stays well
    inside. A counter (one cache call per read), not DRF's request history: the reads are cache hits too."""

    scope = "market"
    rate = settings.FLAXU_THROTTLE_MARKET

    def get_cache_key(self, request, view):
        # Anonymous callers are AnonMarketDataThrottle's (this class would fall back to the IP as well).
        return super().get_cache_key(request, view) if request.user and request.user.is_authenticated else None


class AnonMarketDataThrottle(WindowCounterThrottle, AnonRateThrottle):
    """Anonymous reads: 600 per 15 minutes per client IP (FLAXU_THROTTLE_MARKET_ANON; X-Forwarded-For is
    trusted only as far as REST_FRAMEWORK["NUM_PROXIES"] allows, so a made-up header buys no fresh budget)."""

    scope = "market_anon"
    rate = settings.FLAXU_THROTTLE_MARKET_ANON


def _query(serializer_class, request, **context):
    # A plain dict: from a QueryDict DRF drops an empty optional value, so `?symbol=` would mean "all".
    serializer = serializer_class(data=request.query_params.dict(), context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _universe() -> dict:
    return {"universe": snapshots.universe()}


ANSWER_SECONDS = 2


def answer_key(view: str, query_string: str) -> str:
    return f"market:answer:{view}:{hashlib.sha256(query_string.encode()).hexdigest()[:32]}"


def answer_cached(get):
    """Keep a market read's serialized answer ANSWER_SECONDS per endpoint and query string.

    The data is cached already, but serializing it (Decimals, hundreds of rows) costs more than the rest
    of the request; every caller gets the same public answer, so under a burst one request serializes
    and the others send its result, at most ANSWER_SECONDS older. Errors (400) are not kept.
    """

    @functools.wraps(get)
    def read(self, request, *args, **kwargs):
        key = answer_key(type(self).__name__, request.META.get("QUERY_STRING", ""))
        data = cache.get(key)
        if data is not None:
            return Response(data)
        response = get(self, request, *args, **kwargs)
        if response.status_code == 200:
            cache.set(key, response.data, ANSWER_SECONDS)
        return response

    return read


class MarketView(APIView):
    """A public, read-only market endpoint (the same answer for every caller)."""

    permission_classes = [AllowAny]
    throttle_classes = [MarketDataThrottle, AnonMarketDataThrottle]


class SourceView(MarketView):
    """The market-data source (live or replay/DEMO), its clock, exchanges, followed symbols and timeframes."""

    @extend_schema(responses=s.SourceInfoSerializer)
    def get(self, request):  # not answer_cached: a few fields, no cache read at all
        return Response(s.SourceInfoSerializer(prices.source_summary()).data)


class TickersView(MarketView):
    """Last price, best bid/ask, 24 h change and volume per exchange and symbol (cache, ~10 s fresh)."""

    @extend_schema(parameters=[s.TickersQuerySerializer], responses={200: s.TickersSerializer, 400: _BAD})
    @answer_cached
    def get(self, request):
        query = _query(s.TickersQuerySerializer, request, exchanges=snapshots.exchanges(), **_universe())
        return Response(s.TickersSerializer(prices.tickers_table(**query)).data)


class CandlesView(MarketView):
    """OHLCV candles for the chart: stored closed candles, completed to now by the source (last may be forming)."""

    @extend_schema(parameters=[s.CandlesQuerySerializer], responses={200: s.CandlesSerializer, 400: _BAD})
    @answer_cached
    def get(self, request):
        query = _query(s.CandlesQuerySerializer, request, **_universe())
        return Response(s.CandlesSerializer(prices.chart_candles(**query)).data)


def _widget(serializer_class, payload) -> Response:
    return Response(serializer_class(payload).data)


class FundingView(MarketView):
    """Funding rates side by side on every exchange, with next funding time and annualized rate."""

    @extend_schema(responses=s.FundingSerializer)
    @answer_cached
    def get(self, request):
        return _widget(s.FundingSerializer, intel.funding_table())


class LongShortView(MarketView):
    """Account long/short ratios (Binance, OKX, Bybit; BingX is listed as not offered)."""

    @extend_schema(responses=s.LongShortSerializer)
    @answer_cached
    def get(self, request):
        return _widget(s.LongShortSerializer, intel.long_short_table())


class OpenInterestView(MarketView):
    """Open interest per symbol and exchange (USDT), largest first."""

    @extend_schema(responses=s.OpenInterestSerializer)
    @answer_cached
    def get(self, request):
        return _widget(s.OpenInterestSerializer, intel.open_interest_table())


class ArbitrageView(MarketView):
    """Cross-exchange spreads after taker fees and book depth. Transfers between exchanges take time."""

    @extend_schema(responses=s.ArbitrageSerializer)
    @answer_cached
    def get(self, request):
        return _widget(s.ArbitrageSerializer, intel.arbitrage_table())


class HeatmapView(MarketView):
    """Estimated liquidation levels of one perpetual (a model; see `model.description`), real events overlaid."""

    @extend_schema(parameters=[s.SymbolQuerySerializer], responses={200: s.HeatmapSerializer, 400: _BAD})
    @answer_cached
    def get(self, request):
        query = _query(s.SymbolQuerySerializer, request, **_universe())
        try:
            payload = intel.liquidation_heatmap(query["symbol"])
        except gateway_errors.InvalidRequest as exc:
            raise ValidationError({"symbol": [str(exc)]}) from exc
        return _widget(s.HeatmapSerializer, payload)


class FearGreedView(MarketView):
    """Fear & Greed index (alternative.me) with 30 days of history."""

    @extend_schema(responses=s.FearGreedSerializer)
    @answer_cached
    def get(self, request):
        return _widget(s.FearGreedSerializer, intel.fear_greed())


class AltcoinSeasonView(MarketView):
    """Altcoin Season Index, computed by FLAXU: share of the top 50 altcoins that beat BTC over 90 (30) days."""

    @extend_schema(responses=s.AltcoinSeasonSerializer)
    @answer_cached
    def get(self, request):
        return _widget(s.AltcoinSeasonSerializer, intel.altcoin_season())


class TopCoinsView(MarketView):
    """A page of the top 500 coins by market cap: sortable, searchable, live prices where exchanges list them."""

    @extend_schema(parameters=[s.TopCoinsQuerySerializer], responses={200: s.TopCoinsSerializer, 400: _BAD})
    @answer_cached
    def get(self, request):
        query = _query(s.TopCoinsQuerySerializer, request)
        payload = intel.top_coins(page=query["page"], per_page=query["per_page"], sort=query["sort"], query=query["q"])
        return _widget(s.TopCoinsSerializer, payload)


# --- price alerts ---------------------------------------------------------------------------------------


def _field_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    return {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}


class PriceAlertListCreateView(APIView):
    """Your price alerts (active first); or create one: above/below a price, or rise/fall by % within a window.

    An alert fires once: an in-app notification, a websocket event (`price_alert`) and an email.
    """

    @extend_schema(responses=s.PriceAlertSerializer(many=True))
    def get(self, request):
        return Response(s.PriceAlertSerializer(price_alerts_for_user(user=request.user), many=True).data)

    @extend_schema(
        request=s.PriceAlertCreateSerializer,
        responses={201: s.PriceAlertSerializer, 400: OpenApiResponse(_ERROR, description="Invalid alert.")},
    )
    def post(self, request):
        serializer = s.PriceAlertCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            alert = price_alert_create(user=request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise ValidationError(_field_errors(exc)) from exc
        return Response(s.PriceAlertSerializer(alert).data, status=status.HTTP_201_CREATED)


class PriceAlertDeleteView(APIView):
    """Delete one of your price alerts (active or fired)."""

    @extend_schema(request=None, responses={204: None, 404: _ERROR})
    def delete(self, request, pk: int):
        alert = get_object_or_404(price_alerts_for_user(user=request.user), pk=pk)
        price_alert_delete(alert=alert)
        return Response(status=status.HTTP_204_NO_CONTENT)
