"""Trading-by-hand pages, under /trading/ (included by trading/urls.py)."""

from django.urls import path

from trading.orders import views

urlpatterns = [
    path("order/", views.order_page, name="trading_order"),
    path("sniper/<int:pk>/trade/", views.alert_trade, name="trading_alert_trade"),
    path("signals/<int:pk>/trade/", views.signal_trade, name="trading_signal_trade"),
    path("trades/", views.trades_live, name="trading_trades_live"),
]
