"""The long/short table: account long/short ratios (Binance, OKX, Bybit; BingX listed as not offered)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from market.selectors import snapshots
from market.services.intel.common import (
    GROUPS,
    envelope,
    exchanges,
    source_name,
    store,
    universe_order,
    widget,
)
from market.services.live import push_coalesced

LONG_SHORT_EXCHANGES = ("binanceusdm", "okx", "bybit", "bingx")


def _build() -> dict[str, Any]:
    configured = set(exchanges())
    names = [ex for ex in LONG_SHORT_EXCHANGES if ex in configured]
    status, stale, by_symbol = [], [], {}
    for ex in names:
        snap = snapshots.long_short(ex)
        status.append({"exchange": ex, "offered": snap.offered, "stale_since": snap.stale_since})
        if not snap.offered:
            continue
        stale.append(snap.stale_since)
        for symbol, ratio in snap.data.items():
            r = float(ratio.ratio)
            by_symbol.setdefault(symbol, {})[ex] = {
                "ratio": r,
                "long_pct": 100 * r / (1 + r),
                "short_pct": 100 / (1 + r),
                "time": ratio.time,
            }
    rows = [
        {"symbol": s, "ratios": {ex: by_symbol[s].get(ex) for ex in names}}
        for s in sorted(by_symbol, key=universe_order)
    ]
    return envelope(
        {"exchanges": status, "rows": rows, "not_offered_label": "not offered"},
        source=source_name("long/short ratios"),
        stale_since=snapshots.oldest(stale),
    )


def long_short_table() -> dict[str, Any]:
    """Account long/short ratios (Binance, OKX, Bybit; BingX listed with ``offered: False``):
    ``{"exchanges": [{"exchange", "offered", "stale_since"}], "rows": [{"symbol", "ratios": {exchange:
    {"ratio", "long_pct", "short_pct", "time"} | None}}], "not_offered_label", ...}``."""
    return widget("long_short", settings.FLAXU_TTL_FUNDING, _build)


def long_short_refresh() -> dict[str, Any]:
    payload = store("long_short", settings.FLAXU_TTL_FUNDING, _build())
    push_coalesced(GROUPS["long_short"], "long_short", payload)
    return payload
