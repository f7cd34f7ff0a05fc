"""Trading pages, under /trading/ (included by trading/urls.py)."""

from django.urls import path

from trading.controls import views

urlpatterns = [
    path("", views.trading_home, name="trading_home"),
    path("settings/", views.trading_settings, name="trading_settings"),
    path("settings/mode/", views.trading_mode, name="trading_mode"),
    path("settings/paper-reset/", views.paper_reset, name="trading_paper_reset"),
    path("kill-switch/", views.trading_kill_switch, name="trading_kill_switch"),
    path("trades/<int:pk>/close/", views.trading_trade_close, name="trading_trade_close"),
]
