"""Market API routes, mounted under /api/market/."""

from django.urls import path

from market import api

urlpatterns = [
    path("source/", api.SourceView.as_view(), name="api_market_source"),
    path("tickers/", api.TickersView.as_view(), name="api_market_tickers"),
    path("candles/", api.CandlesView.as_view(), name="api_market_candles"),
    path("funding/", api.FundingView.as_view(), name="api_market_funding"),
    path("long-short/", api.LongShortView.as_view(), name="api_market_long_short"),
    path("open-interest/", api.OpenInterestView.as_view(), name="api_market_open_interest"),
    path("arbitrage/", api.ArbitrageView.as_view(), name="api_market_arbitrage"),
    path("heatmap/", api.HeatmapView.as_view(), name="api_market_heatmap"),
    path("fear-greed/", api.FearGreedView.as_view(), name="api_market_fear_greed"),
    path("altcoin-season/", api.AltcoinSeasonView.as_view(), name="api_market_altcoin_season"),
    path("top-coins/", api.TopCoinsView.as_view(), name="api_market_top_coins"),
    path("alerts/", api.PriceAlertListCreateView.as_view(), name="api_market_alerts"),
    path("alerts/<int:pk>/", api.PriceAlertDeleteView.as_view(), name="api_market_alert_detail"),
]
