"""Reading the market-intelligence widgets as last stored: cache reads only, never a computation or a fetch.

``market.services.intel`` computes and stores the widgets (under ``widget_key``); the landing page's
preview and the sniper engine read them here.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from market import liquidation_map

PREFIX = "market:intel"


def widget_key(name: str) -> str:
    """The cache key of a stored widget (``"arbitrage"``, ``"heatmap:BTC/USDT:USDT"``, ...)."""
    return f"{PREFIX}:{name}"


def heatmap_state_key(symbol: str) -> str:
    """The cache key of a symbol's liquidation-map state (what the heatmap widget is drawn from)."""
    return widget_key(f"heatmap-state:{symbol}")


def cached_widget(name: str) -> dict[str, Any] | None:
    """The widget as last stored, or None; never computes or fetches (for the landing page's preview)."""
    return cache.get(widget_key(name))


def liquidation_map_for(symbol: str) -> liquidation_map.HeatmapState | None:
    """The current map of ``symbol`` (a ``LiquidationMap`` for the sniper engine), or None."""
    stored = cache.get(heatmap_state_key(symbol))
    return liquidation_map.HeatmapState.from_dict(stored) if stored else None
