"""Beat-driven refreshes of the market-intelligence widgets: thin tasks over ``market.services.intel``.

Each recomputes one widget from the snapshots/candles/providers, caches it for its TTL and pushes a
compact update to its ``market.*`` group. ``INTEL_SCHEDULES`` are the default beat schedules (name ->
(task, every, period, expire_seconds, description)) for ``flaxu.beat.install``.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from market.services import intel

__all__ = [
    "INTEL_SCHEDULES",
    "refresh_altcoin_season",
    "refresh_arbitrage",
    "refresh_fear_greed",
    "refresh_funding_table",
    "refresh_liquidation_heatmaps",
    "refresh_long_short_table",
    "refresh_open_interest_table",
    "refresh_top_coins",
]


@shared_task(ignore_result=True)
def refresh_arbitrage() -> int:
    return len(intel.arbitrage_refresh()["rows"])


@shared_task(ignore_result=True)
def refresh_funding_table() -> int:
    return len(intel.funding_refresh()["rows"])


@shared_task(ignore_result=True)
def refresh_long_short_table() -> int:
    return len(intel.long_short_refresh()["rows"])


@shared_task(ignore_result=True)
def refresh_open_interest_table() -> int:
    return len(intel.open_interest_refresh()["rows"])


@shared_task(ignore_result=True)
def refresh_liquidation_heatmaps() -> list[str]:
    return intel.liquidation_heatmaps_refresh()


@shared_task(ignore_result=True)
def refresh_fear_greed() -> int | None:
    return intel.fear_greed_refresh()["value"]


@shared_task(ignore_result=True)
def refresh_top_coins() -> int:
    return len(intel.top_coins_refresh()["coins"])


@shared_task(ignore_result=True)
def refresh_altcoin_season() -> int | None:
    return intel.altcoin_season_refresh()["index"]


_T = "market.tasks.intel."
_ARBITRAGE = max(5, int(getattr(settings, "FLAXU_TTL_ARBITRAGE", 15)))
_TABLES = max(10, min(60, int(getattr(settings, "FLAXU_TTL_FUNDING", 300)) // 5))
_HEATMAPS = max(30, int(getattr(settings, "FLAXU_TTL_LIQUIDATIONS", 30)) * 2)
# name -> (task, every, period, expire_seconds, description), for flaxu.beat.install in a data migration.
INTEL_SCHEDULES = {
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
