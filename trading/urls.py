from django.urls import include, path

from trading import views

# Included at the site root by flaxu/urls.py.
urlpatterns = [
    path("signals/", views.signal_list, name="signal_list"),
    path("signals/rows/", views.signal_rows, name="signal_rows"),
    path("signals/<int:pk>/", views.signal_detail, name="signal_detail"),
    path("signals/sniper/", views.sniper_panel, name="sniper_panel"),
    path("backtests/", views.backtest_list, name="backtest_list"),
    path("backtests/<int:pk>/", views.backtest_detail, name="backtest_detail"),
    path("backtests/<int:pk>/trades.csv", views.backtest_trades_csv, name="backtest_trades_csv"),
    path("portfolio/", include("trading.portfolio.urls")),
    path("trading/", include("trading.controls.urls")),
    path("trading/", include("trading.orders.urls")),  # the order form, one-click "Trade this"
]
