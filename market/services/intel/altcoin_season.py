"""The Altcoin Season Index (ours): how many of the top 50 beat Bitcoin over 90 (and 30) days, from our
stored daily candles; cached for FLAXU_TTL_FEAR_GREED (it moves once a day)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings

from market import indices
from market.selectors import snapshots
from market.selectors.candles import candle_frame
from market.services.intel.common import GROUPS, base_coin, candle_exchange, envelope, store, widget
from market.services.intel.top_coins import top_list
from market.services.live import push_coalesced
from market.sources import get_source


def _daily_closes(exchange: str, symbols: Iterable[str], now: datetime) -> dict[str, np.ndarray]:
    """Closes of stored, closed daily candles ending yesterday (UTC) by coin symbol."""
    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    closes = {}
    for symbol in symbols:
        frame = candle_frame(exchange, symbol, "1d", end=today, limit=120)
        if frame.empty or frame.index[-1] < today - timedelta(days=1):  # history must end yesterday
            continue
        coin, _ = base_coin(symbol)
        closes[coin] = frame["close"].to_numpy()
    return closes


def _build() -> dict[str, Any]:
    listing = top_list()
    coins = [
        indices.Coin(c["symbol"], c.get("name") or c["symbol"], c.get("market_cap") or c.get("volume_24h"))
        for c in listing["coins"]
    ]
    exchange = candle_exchange()
    closes = _daily_closes(exchange, snapshots.universe(), get_source().now())
    result = indices.altcoin_season(coins, closes)
    windows = {
        str(w): {
            "index": s.index,
            "label": s.label,
            "beat": s.beat,
            "counted": s.counted,
            "bitcoin_return_pct": s.bitcoin_return_pct,
            "returns_pct": s.returns_pct,
            "missing": list(s.missing),
        }
        for w, s in result.windows.items()
    }
    return envelope(
        {
            "index": result.windows[90].index,
            "label": result.windows[90].label,
            "index_30d": result.windows[30].index,
            "label_30d": result.windows[30].label,
            "windows": windows,
            "universe": list(result.universe),
            "excluded": result.excluded,
            "ranked_by": "market cap" if any(c.get("market_cap") for c in listing["coins"]) else "24 h volume",
            "candles": f"{exchange} daily candles",
            "thresholds": {"altcoin_season": indices.ALTCOIN_SEASON_AT, "bitcoin_season": indices.BITCOIN_SEASON_AT},
        },
        source=f"{listing['source']} + {exchange} daily candles" if listing["source"] else None,
        stale_since=listing["stale_since"],
    )


def altcoin_season() -> dict[str, Any]:
    """Altcoin Season Index (ours): ``{"index" (90 d), "label", "index_30d", "label_30d", "windows":
    {"90"|"30": {"index", "label", "beat", "counted", "bitcoin_return_pct", "returns_pct", "missing"}},
    "universe", "excluded": {symbol: reason}, "ranked_by", "candles", "thresholds", ...}``.

    Coins of the top 50 without our daily candles are listed as missing, not counted."""
    return widget("altcoin_season", settings.FLAXU_TTL_FEAR_GREED, _build)


def altcoin_season_refresh() -> dict[str, Any]:
    payload = store("altcoin_season", settings.FLAXU_TTL_FEAR_GREED, _build())
    push_coalesced(
        GROUPS["altcoin_season"],
        "altcoin_season",
        {k: payload[k] for k in ("index", "label", "index_30d", "label_30d", "source", "stale_since", "updated_at")},
    )
    return payload
