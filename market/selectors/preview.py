"""The landing page's market preview: Bitcoin's price, Fear & Greed and the top movers.

Cache reads only (ticker snapshot, stored Fear & Greed widget): the landing page never computes a
widget, fetches a provider or touches the database for it. Missing data is None / empty.
"""

from __future__ import annotations

import logging
from typing import Any

from market.selectors import intel, prices, snapshots

BITCOIN = "BTC/USDT:USDT"
MOVERS = 3  # gainers and losers each
EMPTY: dict[str, Any] = {
    "btc": None,
    "fear_greed": None,
    "gainers": [],
    "losers": [],
    "stale_since": None,
    "updated_at": None,
}

logger = logging.getLogger(__name__)


def market_preview() -> dict[str, Any]:
    """``{"btc": Ticker | None, "fear_greed": {"value", "classification"} | None, "gainers", "losers",
    "stale_since", "updated_at"}``; movers are perpetuals of the chart exchange by 24 h change. Never
    raises: the landing page shows "loading" rather than fail over its preview."""
    try:
        return _preview()
    except Exception:
        logger.exception("market preview unavailable on the landing page")
        return EMPTY


def _preview() -> dict[str, Any]:
    snap = snapshots.tickers(prices.chart_exchange())
    moving = sorted(
        (t for t in snap.data.values() if t.change_percent is not None and t.last is not None),
        key=lambda t: t.change_percent,
    )
    fear_greed = intel.cached_widget("fear_greed") or {}
    return {
        "btc": snap.data.get(BITCOIN),
        "fear_greed": fear_greed if fear_greed.get("value") is not None else None,
        "gainers": [t for t in reversed(moving[-MOVERS:]) if t.change_percent > 0],
        "losers": [t for t in moving[:MOVERS] if t.change_percent < 0],
        "stale_since": snap.stale_since,
        "updated_at": snap.updated_at,
    }
