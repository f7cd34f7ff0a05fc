"""Default beat schedules for the market-intelligence widgets (editable in the admin afterwards).

Task names and intervals are literals (a historical migration must not import task code or read settings):
the arbitrage table every FLAXU_TTL_ARBITRAGE's default (15 s), the tables every fifth of FLAXU_TTL_FUNDING's
(300 s, capped to 10..60 s), the heatmaps every two FLAXU_TTL_LIQUIDATIONS (30 s).
"""

from django.db import migrations

from core import beat

_T = "market.tasks.intel."
_ARBITRAGE = 15
_TABLES = 60
_HEATMAPS = 60
# name -> (task, every, period, expire_seconds, description)
SCHEDULES = {
    "Market: arbitrage table": (
        f"{_T}refresh_arbitrage",
        _ARBITRAGE,
        "seconds",
        _ARBITRAGE,
        "Cross-exchange spreads from the cached order books, pushed to market.arbitrage.",
    ),
    "Market: funding table": (f"{_T}refresh_funding_table", _TABLES, "seconds", _TABLES, "Funding side by side."),
    "Market: long/short table": (f"{_T}refresh_long_short_table", _TABLES, "seconds", _TABLES, "Long/short ratios."),
    "Market: open interest table": (f"{_T}refresh_open_interest_table", _TABLES, "seconds", _TABLES, "Open interest."),
    "Market: liquidation heatmaps": (
        f"{_T}refresh_liquidation_heatmaps",
        _HEATMAPS,
        "seconds",
        _HEATMAPS,
        "New 1-minute candles and open interest into the liquidation maps (requested symbols + the first 3).",
    ),
    "Market: fear & greed": (f"{_T}refresh_fear_greed", 1, "hours", 3600, "Fear & Greed Index (alternative.me)."),
    "Market: top 500 coins": (f"{_T}refresh_top_coins", 10, "minutes", 600, "Top 500 (CoinGecko, fallback volumes)."),
    "Market: altcoin season": (f"{_T}refresh_altcoin_season", 1, "hours", 3600, "Altcoin Season Index (ours)."),
}


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0003_price_alerts"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat.operation(SCHEDULES)]
