"""The liquidation heatmap of one followed perpetual: an estimated map fed from stored candles and open
interest (``market.liquidation_map``), real liquidations overlaid, Coinglass's history when keyed."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.cache import cache

from market import liquidation_map
from market.providers import binance_liquidations
from market.providers.base import Link, first_good
from market.providers.coinglass import Coinglass
from market.selectors import snapshots
from market.selectors.candles import candle_frame
from market.selectors.intel import heatmap_state_key, widget_key
from market.services.intel.common import (
    GROUPS,
    base_coin,
    candle_exchange,
    envelope,
    is_demo,
    known_symbol,
    last_prices,
    now,
    plain,
    source_name,
    store,
    widget,
)
from market.services.intel.open_interest import open_interest_value
from market.services.live import push_coalesced
from market.timeframes import TIMEFRAME_SECONDS

logger = logging.getLogger(__name__)

HEATMAP_SEED_BARS = 96  # 24 h of 15-minute candles seed a new map
HEATMAP_MAX_UPDATE_BARS = 720  # at most 12 h of 1-minute candles per update
HEATMAP_RANGE = 0.25  # bins within +/-25 % of the price are shown
HEATMAP_COLUMNS = 24
HEATMAP_DEFAULT_SYMBOLS = 3  # kept warm by the refresh even if nobody asked (the universe's first ones)
HEATMAP_STATE_TTL = 7 * 24 * 3600
COINGLASS_TTL = 300  # its aggregated history moves per hour; the free plan allows few calls a minute
HEATMAP_REQUESTED_TTL = 6 * 3600
HEATMAP_MODEL = (
    "Estimated, not reported: open-interest increases are opened at each candle's volume-weighted price and "
    "spread over 5/10/25/50/100x leverage; longs liquidate at P(1 - 1/L + mmr), shorts at P(1 + 1/L - mmr), "
    "mmr 0.5 %. Levels accumulate in price bins; falling open interest scales them down; a bin is cleared "
    "once price trades through it. Real liquidations are overlaid."
)


def _requested_key(symbol: str) -> str:
    return widget_key(f"heatmap-requested:{symbol}")


def _typical(frame: pd.DataFrame) -> np.ndarray:
    return ((frame["high"] + frame["low"] + frame["close"]) / 3.0).to_numpy()


def heatmap_update(symbol: str) -> liquidation_map.HeatmapState | None:
    """Feed the stored candles closed since the last update (and the current open interest) into the map.

    A new map is seeded from the last 24 h of 15-minute candles: today's open interest is spread over
    them by traded notional (volume x typical price), i.e. cumulative OI rises bar by bar to today's.
    Later updates read 1-minute candles and interpolate open interest linearly from the last observed
    value to today's. Without open interest the map only sweeps. None when there are no candles yet.
    """
    exchange = candle_exchange()
    stored = cache.get(heatmap_state_key(symbol))
    state = liquidation_map.HeatmapState.from_dict(stored) if stored else None
    oi_now, _ = open_interest_value(symbol)
    if state is None:
        frame = candle_frame(exchange, symbol, "15m", limit=HEATMAP_SEED_BARS)
        step = TIMEFRAME_SECONDS["15m"]
        if frame.empty:
            return None
        state = liquidation_map.new_state(float(frame["close"].iloc[-1]))
        notional = (frame["volume"] * _typical(frame)).to_numpy()
        weights = (
            np.cumsum(notional) / notional.sum()
            if notional.sum() > 0
            else np.linspace(1, len(frame), len(frame)) / len(frame)
        )
        targets = (oi_now or 0.0) * weights
    else:
        start = datetime.fromtimestamp(state.updated_at, tz=UTC)
        frame = candle_frame(exchange, symbol, "1m", start=start)
        frame = frame.iloc[-HEATMAP_MAX_UPDATE_BARS:]
        step = TIMEFRAME_SECONDS["1m"]
        if frame.empty:
            return state
        before = state.open_interest or 0.0
        after = before if oi_now is None else oi_now
        targets = before + (after - before) * np.arange(1, len(frame) + 1) / len(frame)
    opens = (frame.index.asi8 // 1_000_000_000).astype(np.int64)
    typical = _typical(frame)
    for t, price, low, high, oi in zip(opens, typical, frame["low"], frame["high"], targets, strict=True):
        state = liquidation_map.observe(
            state,
            time=float(t + step),
            open_interest=float(max(oi, 0.0)),
            vwap=float(price),
            low=float(low),
            high=float(high),
        )
    cache.set(heatmap_state_key(symbol), state.as_dict(), HEATMAP_STATE_TTL)
    return state


def _liquidation_events(symbol: str, since: datetime) -> list[dict[str, Any]]:
    events = []
    snap = snapshots.liquidations()
    for liq in snap.data or []:
        if liq.symbol == symbol and liq.time >= since:
            events.append(
                {
                    "time": liq.time.timestamp(),
                    "exchange": liq.exchange,
                    "side": liq.side,
                    "price": float(liq.price),
                    "amount": float(liq.amount),
                    "value": float(liq.value),
                }
            )
    events += binance_liquidations.recent_events(since=since.timestamp(), symbol=symbol)
    return sorted(events, key=lambda e: e["time"])


def _aggregated_liquidations(symbol: str) -> dict[str, Any] | None:
    """Coinglass's hourly liquidated USD (Binance, OKX, Bybit) for the symbol's coin; live and keyed only."""
    provider = Coinglass()
    if is_demo() or not provider.enabled:
        return None
    coin, _ = base_coin(symbol)

    def build() -> dict[str, Any]:
        link = Link("coinglass", lambda: [b.as_dict() for b in provider.liquidation_history(coin, interval="1h")])
        fetched = first_good(f"coinglass:{coin}", [link])
        return plain({"buckets": fetched.data or [], "source": fetched.source, "stale_since": fetched.stale_since})

    return widget(f"coinglass:{coin}", COINGLASS_TTL, build)


def _within(rows: Iterable[tuple[float, float, float]], lo: float, hi: float) -> list[list[float]]:
    return [[p, long_, short] for p, long_, short in rows if lo <= p <= hi]


def _build(symbol: str) -> dict[str, Any]:
    state = heatmap_update(symbol)
    _, oi_stale = open_interest_value(symbol)
    price = last_prices(candle_exchange()).get(symbol) or (state.last_price if state else None)
    events = _liquidation_events(symbol, now() - timedelta(hours=24))
    data: dict[str, Any] = {
        "symbol": symbol,
        "price": price,
        "model": {
            "description": HEATMAP_MODEL,
            "leverage_tiers": list(liquidation_map.HeatmapConfig().leverage_tiers),
            "tier_weights": list(liquidation_map.HeatmapConfig().weights),
            "maintenance_margin": liquidation_map.HeatmapConfig().maintenance_margin,
        },
        "recent_events": [{**e, "time": datetime.fromtimestamp(e["time"], tz=UTC)} for e in events[-50:]],
        "aggregated": _aggregated_liquidations(symbol),
    }
    if state is None or not price:
        data.update(bin_width=None, bins=[], columns=[], events=[], swept=[], cleared_share={})
    else:
        lo, hi = price * (1 - HEATMAP_RANGE), price * (1 + HEATMAP_RANGE)
        data.update(
            bin_width=state.width,
            bins=_within(liquidation_map.rows(state), lo, hi),
            columns=[
                {"time": datetime.fromtimestamp(t, tz=UTC), "bins": _within(rows, lo, hi)}
                for t, rows in state.columns[-HEATMAP_COLUMNS:]
            ],
            events=_within(
                liquidation_map.bin_events(
                    ((e["time"], e["side"], e["price"], e["amount"]) for e in events), state.width
                ),
                lo,
                hi,
            ),
            swept=[
                {"time": datetime.fromtimestamp(t, tz=UTC), "side": side, "price": p, "amount": a}
                for t, side, p, a in state.swept[-50:]
            ],
            cleared_share={
                "down_5pct": state.cleared_share(price, price * 0.95),
                "down_10pct": state.cleared_share(price, price * 0.90),
                "up_5pct": state.cleared_share(price, price * 1.05),
                "up_10pct": state.cleared_share(price, price * 1.10),
            },
            observed_at=datetime.fromtimestamp(state.updated_at, tz=UTC) if state.updated_at else None,
        )
    return envelope(data, source=source_name("candles + open interest (model)"), stale_since=oi_stale)


def liquidation_heatmap(symbol: str) -> dict[str, Any]:
    """The heatmap of one followed perpetual (``InvalidRequest`` for another symbol).

    ``{"symbol", "price", "bin_width", "bins": [[bin low price, long USDT, short USDT]], "columns":
    [{"time", "bins"}] (time axis, newest last), "events": [[bin low price, long USDT, short USDT]] (real
    liquidations, 24 h), "recent_events": [{"time", "exchange", "side", "price", "amount", "value"}],
    "swept": [{"time", "side", "price", "amount"}], "cleared_share": {"down_5pct", "down_10pct",
    "up_5pct", "up_10pct"}, "observed_at", "model": {"description", "leverage_tiers", "tier_weights",
    "maintenance_margin"}, "aggregated": None | {"buckets": [{"time", "long_usd", "short_usd"}] (Coinglass,
    hourly, live with COINGLASS_API_KEY only), "source", "stale_since"}, ...}``. Bins within +/-25 % of the price.
    """
    known_symbol(symbol)
    cache.add(_requested_key(symbol), True, HEATMAP_REQUESTED_TTL)  # one write per TTL, not one per read
    return widget(f"heatmap:{symbol}", settings.FLAXU_TTL_LIQUIDATIONS, lambda: _build(symbol))


def liquidation_heatmaps_refresh() -> list[str]:
    """Update the maps of the symbols someone asked for in the last hours and of the first few symbols."""
    universe = snapshots.universe()
    symbols = [s for s in universe if cache.get(_requested_key(s))] or []
    for s in universe[:HEATMAP_DEFAULT_SYMBOLS]:
        if s not in symbols:
            symbols.append(s)
    done = []
    for symbol in symbols:
        try:
            payload = store(f"heatmap:{symbol}", settings.FLAXU_TTL_LIQUIDATIONS, _build(symbol))
        except Exception:
            logger.exception("Liquidation heatmap of %s not refreshed", symbol)
            continue
        done.append(symbol)
        price = payload.get("price")
        compact = {k: payload[k] for k in ("symbol", "price", "bin_width", "cleared_share", "source", "stale_since")}
        if price:
            compact["bins"] = _within(payload["bins"], price * 0.9, price * 1.1)
        push_coalesced(f"{GROUPS['liquidations']}.{symbol}", "liquidation_heatmap", compact)
    return done
