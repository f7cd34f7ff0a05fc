"""Portfolio API (FULL access; your own trades only): positions, history, portfolio, performance, wallet.

Every endpoint takes ``mode`` (paper | live; default your trading mode): paper and live never mix. Live
wallet answers say ``available: false`` with a reason when BingX cannot be read, never a 500."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.api_errors import ErrorSerializer, JsonErrorsMixin
from trading import selectors_portfolio as portfolio
from trading.api import CsvRenderer, FullAccessAPIView, Page, _filters
from trading.models import Trade
from trading.portfolio.serializers import (
    HistoryFilterSerializer,
    ModeQuerySerializer,
    PerformanceFilterSerializer,
    PerformanceSerializer,
    PortfolioSerializer,
    PositionSerializer,
    TradeSerializer,
    TransfersFilterSerializer,
    TransfersSerializer,
    WalletBalanceSerializer,
)

_FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Not FULL access; `detail` says why and what to do.")
_INVALID = OpenApiResponse(ErrorSerializer, description="Invalid input; `errors` per field.")


def _mode(request, filters: dict) -> str:
    return portfolio.portfolio_mode(request.user, filters.pop("mode", None))


@extend_schema(parameters=[ModeQuerySerializer], responses={200: PositionSerializer(many=True), 400: _INVALID,
                                                            403: _FORBIDDEN})  # fmt: skip
class PositionListView(FullAccessAPIView):
    """Your OPEN trades in one mode with live PnL from the cached prices (stale prices are flagged)."""

    def get(self, request):
        filters = _filters(ModeQuerySerializer, request)
        rows = portfolio.positions_open(user=request.user, mode=_mode(request, filters))
        return Response(PositionSerializer(rows, many=True).data)


@extend_schema(
    parameters=[HistoryFilterSerializer], responses={200: TradeSerializer(many=True), 400: _INVALID, 403: _FORBIDDEN}
)
class HistoryListView(FullAccessAPIView, ListAPIView):
    """Your trades in one mode, newest first, in pages of `limit` (default 50, at most 500) from `offset`,
    narrowed by status, strategy, symbol and creation time. `?format=csv` gives every match as CSV."""

    serializer_class = TradeSerializer
    pagination_class = Page
    queryset = Trade.objects.none()

    def get_queryset(self):
        filters = _filters(HistoryFilterSerializer, self.request)
        return portfolio.trades_history(user=self.request.user, mode=_mode(self.request, filters), **filters)


@extend_schema(responses={200: TradeSerializer, 403: _FORBIDDEN, 404: ErrorSerializer})
class TradeDetailView(FullAccessAPIView, RetrieveAPIView):
    """One of your trades (any mode); another user's trade is 404, as if it did not exist."""

    serializer_class = TradeSerializer

    def get_queryset(self):
        return Trade.objects.filter(user=self.request.user)


class HistoryCsvView(JsonErrorsMixin, FullAccessAPIView):
    """The same trades as /api/trading/history (same filters), all of them, as CSV."""

    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        parameters=[HistoryFilterSerializer],
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: _INVALID, 403: _FORBIDDEN},
    )
    def get(self, request):
        filters = _filters(HistoryFilterSerializer, request)
        mode = _mode(request, filters)
        return history_csv_response(portfolio.trades_history(user=request.user, mode=mode, **filters), mode)


def history_csv_response(trades, mode: str) -> StreamingHttpResponse:
    """The CSV download of trade history (the API and the page share it)."""
    response = StreamingHttpResponse(portfolio.trades_csv(trades), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="flaxu-{mode}-trades.csv"'
    return response


@extend_schema(parameters=[ModeQuerySerializer], responses={200: PortfolioSerializer, 400: _INVALID, 403: _FORBIDDEN})
class PortfolioView(FullAccessAPIView):
    """Total value, 24 h change (net realised PnL of trades closed in the last 24 h), allocation, open
    positions with live PnL, open orders, the wallet and the balances by coin, for one mode."""

    def get(self, request):
        filters = _filters(ModeQuerySerializer, request)
        summary = portfolio.portfolio_summary(user=request.user, mode=_mode(request, filters), with_balances=True)
        return Response(PortfolioSerializer(summary).data)


@extend_schema(
    parameters=[PerformanceFilterSerializer], responses={200: PerformanceSerializer, 400: _INVALID, 403: _FORBIDDEN}
)
class PerformanceView(FullAccessAPIView):
    """Realised ROI, win rate, average R, profit factor, max drawdown, each with its n; per strategy and
    per symbol; the equity curve; and ICT trades' signal evidence beside their realised R."""

    def get(self, request):
        filters = _filters(PerformanceFilterSerializer, request)
        report = portfolio.performance_of(user=request.user, mode=_mode(request, filters), **filters)
        return Response(PerformanceSerializer(report).data)


@extend_schema(
    parameters=[ModeQuerySerializer], responses={200: WalletBalanceSerializer, 400: _INVALID, 403: _FORBIDDEN}
)
class WalletBalanceView(FullAccessAPIView):
    """The mode's USDT account (paper wallet, or BingX's perpetual-futures account read with your key) and
    the balances by coin (live: every non-zero coin of your BingX swap, spot and funding accounts)."""

    def get(self, request):
        filters = _filters(ModeQuerySerializer, request)
        mode = _mode(request, filters)
        wallet, coins = portfolio.wallet_and_coins(user=request.user, mode=mode)
        body = {**wallet.__dict__, "balances": coins.rows, "balance_accounts": coins.accounts}
        return Response(WalletBalanceSerializer(body).data)


@extend_schema(
    parameters=[TransfersFilterSerializer], responses={200: TransfersSerializer, 400: _INVALID, 403: _FORBIDDEN}
)
class WalletTransactionsView(FullAccessAPIView):
    """Deposits and withdrawals on BingX since `since` (default 90 days), newest first; read only (FLAXU
    never withdraws). Paper: none."""

    def get(self, request):
        filters = _filters(TransfersFilterSerializer, request)
        mode = _mode(request, filters)
        result = portfolio.transfers(user=request.user, mode=mode, since=filters.get("since"))
        return Response(TransfersSerializer({"mode": mode, **result.__dict__}).data)
