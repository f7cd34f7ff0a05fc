"""Trading settings API routes, under /api/ (included by trading/api_urls.py), spelled as the issue names them."""

from django.urls import path

from trading.controls import api

urlpatterns = [
    path("trading/settings", api.TradingSettingsView.as_view(), name="api_trading_settings"),
    path("trading/kill-switch", api.KillSwitchView.as_view(), name="api_trading_kill_switch"),
    path("trading/paper-wallet/reset", api.PaperWalletResetView.as_view(), name="api_trading_paper_wallet_reset"),
    path("trading/global-pause", api.GlobalPauseView.as_view(), name="api_trading_global_pause"),
]
