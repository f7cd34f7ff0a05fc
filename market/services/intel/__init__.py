"""Market-intelligence widgets, one module per widget: computed from the cached snapshots, stored candles
and data providers.

What the UI calls (each returns plain JSON-safe data, cached for the widget's TTL setting with Django's
``cache.get_or_set``, and always carries ``"source"``, ``"stale_since"`` (ISO time, or None when fresh),
``"updated_at"`` and ``"demo"``):

* ``arbitrage.arbitrage_table`` (FLAXU_TTL_ARBITRAGE), ``funding.funding_table`` (FLAXU_TTL_FUNDING),
  ``long_short.long_short_table`` and ``open_interest.open_interest_table`` (FLAXU_TTL_FUNDING),
  ``heatmap.liquidation_heatmap`` (FLAXU_TTL_LIQUIDATIONS), ``fear_greed.fear_greed``
  (FLAXU_TTL_FEAR_GREED), ``altcoin_season.altcoin_season`` (FLAXU_TTL_FEAR_GREED: it moves once a day),
  ``top_coins.top_coins`` (the list: FLAXU_TTL_TOP500; live prices from the ticker snapshot on every call).

What the Celery tasks call (``market.tasks.intel``): the ``*_refresh`` functions recompute a widget,
store it, and push a compact update with ``push_coalesced`` to its group in ``GROUPS``. Reads that must
never compute (the landing page's preview, the sniper's liquidation map) are ``market.selectors.intel``.

A provider that fails never blanks a widget: the fallback chain is tried, then the last good data is
shown with ``stale_since``. Snapshot-based widgets are stale since the oldest stale snapshot they used.
This package re-exports every widget's public functions, so callers write ``intel.funding_table()``.
"""

from market.services.intel.altcoin_season import altcoin_season, altcoin_season_refresh
from market.services.intel.arbitrage import arbitrage_refresh, arbitrage_table
from market.services.intel.common import GROUPS, base_coin
from market.services.intel.fear_greed import fear_greed, fear_greed_refresh
from market.services.intel.funding import funding_refresh, funding_table
from market.services.intel.heatmap import heatmap_update, liquidation_heatmap, liquidation_heatmaps_refresh
from market.services.intel.long_short import long_short_refresh, long_short_table
from market.services.intel.open_interest import open_interest_refresh, open_interest_table
from market.services.intel.top_coins import TOP_SORTS, top_coins, top_coins_refresh

__all__ = [
    "GROUPS",
    "TOP_SORTS",
    "altcoin_season",
    "altcoin_season_refresh",
    "arbitrage_refresh",
    "arbitrage_table",
    "base_coin",
    "fear_greed",
    "fear_greed_refresh",
    "funding_refresh",
    "funding_table",
    "heatmap_update",
    "liquidation_heatmap",
    "liquidation_heatmaps_refresh",
    "long_short_refresh",
    "long_short_table",
    "open_interest_refresh",
    "open_interest_table",
    "top_coins",
    "top_coins_refresh",
]
