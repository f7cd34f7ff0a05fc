"""What the Markets page and API read about prices: ticker tables, chart candles, the source summary.

Tickers come from the cached snapshots (``market.selectors.snapshots``). Chart candles are FLAXU's
stored candles (``candles_latest``) completed up to now with the source's latest ones (the forming
candle included), cached for FLAXU_TTL_PRICES; with nothing stored yet, the source's alone.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache

from market.exchanges import errors
from market.selectors import snapshots
from market.selectors.candles import candle_exchanges, candles_latest
from market.sources import get_source
from market.timeframes import TIMEFRAME_SECONDS, TIMEFRAMES

logger = logging.getLogger(__name__)


def chart_exchange() -> str:
    """The exchange whose candles FLAXU stores and charts (BingX by default)."""
    return candle_exchanges()[0]


def _order(universe: list[str]):
    position = {s: i for i, s in enumerate(universe)}
    return lambda symbol: (position.get(symbol, len(position)), symbol)


def ticker_rows(exchange: str, symbol: str | None = None, snap: snapshots.Snapshot | None = None) -> dict[str, Any]:
    """One exchange's cached tickers: ``{"exchange", "updated_at", "stale_since", "error", "tickers"}``
    (from ``snap`` when the caller read the snapshot already)."""
    snap = snap or snapshots.tickers(exchange)
    key = _order(snapshots.universe())
    rows = [
        {
            "symbol": s,
            "last": t.last,
            "bid": t.bid,
            "ask": t.ask,
            "change_percent": t.change_percent,
            "base_volume": t.base_volume,
            "quote_volume": t.quote_volume,
            "time": t.time,
        }
        for s, t in sorted(snap.data.items(), key=lambda item: key(item[0]))
        if symbol is None or s == symbol
    ]
    return {
        "exchange": exchange,
        "updated_at": snap.updated_at,
        "stale_since": snap.stale_since,
        "error": snap.error,
        "tickers": rows,
    }


def fresh_last_price(exchange: str, symbol: str) -> Decimal | None:
    """The last price from the ticker snapshot; None when there is none or it is stale (older than
    FLAXU_TTL_PRICES, or the last refresh failed): nothing may be decided on an old price."""
    snap = snapshots.tickers(exchange)
    ticker = snap.data.get(symbol)
    if ticker is None or snap.stale or ticker.last is None:
        return None
    return ticker.last


def tickers_table(*, exchange: str | None = None, symbol: str | None = None) -> dict[str, Any]:
    """Cached tickers of every exchange (or one), in universe order, with freshness."""
    source = get_source()
    exchanges = [exchange] if exchange else snapshots.exchanges()
    snaps = snapshots.snapshots_of("tickers", exchanges)  # one cache call for the whole table
    tables = [ticker_rows(ex, symbol, snaps[ex]) for ex in exchanges]
    updated = [t["updated_at"] for t in tables if t["updated_at"] is not None]
    return {
        "source": f"{source.name} tickers",
        "stale_since": snapshots.oldest(t["stale_since"] for t in tables),
        "updated_at": max(updated) if updated else None,
        "demo": source.is_demo,
        "exchanges": tables,
    }


def _candle_row(candle, step: int, now: float) -> dict[str, Any]:
    return {
        "time": candle.time,
        "open": candle.open,
        "high": candle.high,
        "low": candle.low,
        "close": candle.close,
        "volume": candle.volume,
        "closed": candle.time.timestamp() + step <= now,
    }


def chart_candles(*, symbol: str, timeframe: str, limit: int, exchange: str | None = None) -> dict[str, Any]:
    """The latest ``limit`` candles of ``symbol`` for a chart, oldest first; the last may be forming.

    Stored candles first; the source fills from the last stored one to now (one call, cached with the
    answer for FLAXU_TTL_PRICES). If the source fails, the stored ones alone, marked stale.
    """
    exchange = exchange or chart_exchange()
    key = f"market:chart:{exchange}:{symbol}:{timeframe}:{limit}"
    hit = cache.get(key)
    if hit is not None:
        return hit
    source = get_source()
    step = TIMEFRAME_SECONDS[timeframe]
    now = source.now().timestamp()
    stored = candles_latest(exchange, symbol, timeframe, limit=limit)
    if stored:
        missing = int((now - stored[-1].time.timestamp()) // step)  # after the last stored, forming included
        wanted = limit if missing > limit else max(missing, 1)
    else:
        wanted = limit
    stale_since, origin = None, f"{source.name} candles"
    try:
        fetched = source.ohlcv(exchange, symbol, timeframe, limit=wanted)
    except errors.GatewayError as exc:
        logger.warning("chart candles %s %s %s: source unavailable (%s)", exchange, symbol, timeframe, exc)
        fetched, stale_since = [], datetime.now(UTC)
        origin = "stored candles (source unavailable)"
    if fetched and stored and fetched[0].time > stored[-1].time + timedelta(seconds=step):
        stored = []  # the store lags behind by more than the window: chart the source's alone
    last_stored = stored[-1].time if stored else None
    tail = [c for c in fetched if last_stored is None or c.time > last_stored]
    rows = [_candle_row(c, step, now) for c in (stored + tail)[-limit:]]
    payload = {
        "exchange": exchange,
        "symbol": symbol,
        "timeframe": timeframe,
        "stored": sum(1 for c in stored[-limit:] if rows and c.time >= rows[0]["time"]),
        "candles": rows,
        "source": origin,
        "stale_since": stale_since,
        "updated_at": datetime.now(UTC),
        "demo": source.is_demo,
    }
    cache.set(key, payload, int(settings.FLAXU_TTL_PRICES))
    return payload


def source_summary() -> dict[str, Any]:
    """The configured market source, the exchanges and symbols followed, and the charted exchange."""
    info = snapshots.source_info()
    return {
        **info,
        "exchanges": list(snapshots.exchanges()),
        "symbols": list(snapshots.universe()),
        "candle_exchange": chart_exchange(),
        "timeframes": list(TIMEFRAMES),
    }
