"""Portfolio API routes, under /api/ (included by trading/api_urls.py), spelled as the issue names them."""

from django.urls import path

from trading.portfolio import api

urlpatterns = [
    path("trading/positions", api.PositionListView.as_view(), name="api_portfolio_positions"),
    path("trading/history", api.HistoryListView.as_view(), name="api_portfolio_history"),
    path("trading/history/<int:pk>", api.TradeDetailView.as_view(), name="api_portfolio_trade"),
    path("trading/history.csv", api.HistoryCsvView.as_view(), name="api_portfolio_history_csv"),
    path("trading/portfolio", api.PortfolioView.as_view(), name="api_portfolio"),
    path("analytics/performance", api.PerformanceView.as_view(), name="api_performance"),
    path("wallet/balance", api.WalletBalanceView.as_view(), name="api_wallet_balance"),
    path("wallet/transactions", api.WalletTransactionsView.as_view(), name="api_wallet_transactions"),
]
