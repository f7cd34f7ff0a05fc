from django.urls import include, path

from trading import api

urlpatterns = [
    path("signals/", api.SignalListView.as_view(), name="api_signal_list"),
    path("signals/<int:pk>/", api.SignalDetailView.as_view(), name="api_signal_detail"),
    path("sniper/alerts/", api.SniperAlertListView.as_view(), name="api_sniper_alert_list"),
    path("backtests/", api.BacktestListCreateView.as_view(), name="api_backtest_list"),
    path("backtests/<int:pk>/", api.BacktestDetailView.as_view(), name="api_backtest_detail"),
    path("backtests/<int:pk>/trades.csv", api.BacktestTradesCsvView.as_view(), name="api_backtest_trades_csv"),
    path("", include("trading.portfolio.api_urls")),  # /api/trading/positions, /api/wallet/..., /api/analytics/...
    path("", include("trading.controls.api_urls")),  # /api/trading/settings, kill-switch, global-pause
    path("", include("trading.orders.api_urls")),  # /api/trading/orders, /api/trading/positions/<id>/close
]
