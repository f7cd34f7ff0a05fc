"""Beat-driven refreshes of the market-intelligence widgets: thin tasks over ``market.services.intel``.

Each recomputes one widget from the snapshots/candles/providers, caches it for its TTL and pushes a
compact update to its ``market.*`` group. Their default beat schedules are installed by
market/migrations/0004_intel_schedules.py (literal copies there: a migration never imports this module).
"""

from __future__ import annotations

from celery import shared_task

from market.services import intel

__all__ = [
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
