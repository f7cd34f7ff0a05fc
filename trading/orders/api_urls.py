"""Order API routes, under /api/ (included by trading/api_urls.py), spelled as the issue names them."""

from django.urls import path

from trading.orders import api

urlpatterns = [
    path("trading/orders", api.OrderCreateView.as_view(), name="api_trading_orders"),
    path("trading/orders/preview", api.OrderPreviewView.as_view(), name="api_trading_order_preview"),
    path("trading/positions/<int:pk>/close", api.PositionCloseView.as_view(), name="api_trading_position_close"),
]
