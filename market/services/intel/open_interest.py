"""The open-interest table: per symbol and exchange in USDT, largest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from market.selectors import snapshots
from market.services.intel.common import (
    GROUPS,
    as_float,
    envelope,
    exchanges,
    last_prices,
    source_name,
    store,
    widget,
)
from market.services.live import push_coalesced


def _build() -> dict[str, Any]:
    names, stale, by_symbol = exchanges(), [], {}
    for ex in names:
        snap = snapshots.open_interest(ex)
        stale.append(snap.stale_since)
        prices = last_prices(ex)
        meta = snapshots.markets_meta(ex).data
        for symbol, oi in snap.data.items():
            amount = as_float(oi.amount)
            size = as_float(getattr(meta.get(symbol), "contract_size", None)) or 1.0
            value = as_float(oi.value)
            if value is None and amount is not None and symbol in prices:
                value = amount * size * prices[symbol]
            by_symbol.setdefault(symbol, {})[ex] = {"amount": amount, "value": value, "time": oi.time}
    rows = []
    for symbol, quotes in by_symbol.items():
        total = sum(q["value"] for q in quotes.values() if q["value"] is not None)
        rows.append({"symbol": symbol, "total_value": total, "by_exchange": {ex: quotes.get(ex) for ex in names}})
    rows.sort(key=lambda r: -r["total_value"])
    return envelope(
        {"exchanges": names, "rows": rows}, source=source_name("open interest"), stale_since=snapshots.oldest(stale)
    )


def open_interest_table() -> dict[str, Any]:
    """Open interest per symbol and exchange: ``{"exchanges", "rows": [{"symbol", "total_value",
    "by_exchange": {exchange: {"amount", "value", "time"} | None}}], ...}``, largest first (USDT)."""
    return widget("open_interest", settings.FLAXU_TTL_FUNDING, _build)


def open_interest_refresh() -> dict[str, Any]:
    payload = store("open_interest", settings.FLAXU_TTL_FUNDING, _build())
    push_coalesced(GROUPS["open_interest"], "open_interest", payload)
    return payload


def open_interest_value(symbol: str) -> tuple[float | None, datetime | None]:
    """Total open interest of ``symbol`` over every exchange in USDT, and since when it is stale."""
    total, seen, stale = 0.0, False, []
    for ex in exchanges():
        snap = snapshots.open_interest(ex)
        oi = snap.data.get(symbol)
        if oi is None:
            continue
        stale.append(snap.stale_since)
        value = as_float(oi.value)
        if value is None and oi.amount is not None:
            price = last_prices(ex).get(symbol)
            size = as_float(getattr(snapshots.markets_meta(ex).data.get(symbol), "contract_size", None)) or 1.0
            value = float(oi.amount) * size * price if price else None
        if value is not None:
            total, seen = total + value, True
    return (total if seen else None), snapshots.oldest(stale)
