"""Writing candles: idempotent upserts, incremental ingestion with gap repair, retention.

Only closed candles are stored: a candle whose period has not ended on the source's clock (the forming
one the exchange also returns) is never written, so a stored row is final and the engines can trust
that appending future candles never changes a past one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Min

from core.realtime.push import group_name
from market.exchanges import errors
from market.exchanges.types import Candle as CandleRow
from market.models import Candle
from market.selectors.candles import candle_last_time, candle_open_times
from market.services.live import push_coalesced
from market.signals import candles_closed
from market.sources import MarketSource, get_source
from market.timeframes import TIMEFRAME_SECONDS

logger = logging.getLogger(__name__)

UPDATE_FIELDS = ["open", "high", "low", "close", "volume"]
UNIQUE_FIELDS = ["exchange", "symbol", "timeframe", "open_time"]
PAGE = 1000  # candles asked per call (BingX serves up to 1440, Bybit 1000; fewer is fine)
MAX_PAGES = 20  # per range and call, so one ingest never runs away (the next one continues)
# How far back a first ingest reaches, in candles: 3 days of 1m ... 200 days of 1d (altcoin season needs 90).
BACKFILL_DAYS = {"1m": 3, "5m": 30, "15m": 60, "1h": 120, "1d": 200}
BACKFILL = {timeframe: days * 86400 // TIMEFRAME_SECONDS[timeframe] for timeframe, days in BACKFILL_DAYS.items()}
# Gap repair looks at this many candles back on every ingest; ``repair_lookback=None`` scans everything.
REPAIR_LOOKBACK = 1500
# A hole the source could not fill is not asked for again before this (it may simply not exist).
UNFILLABLE_SECONDS = 6 * 3600
PUSH_MAX_CANDLES = 50


@dataclass(frozen=True)
class IngestResult:
    new: int  # candles appended after the last stored one
    repaired: int  # candles written into holes
    last: datetime | None  # newest stored open time afterwards


def _step(timeframe: str) -> int:
    try:
        return TIMEFRAME_SECONDS[timeframe]
    except KeyError:
        raise errors.InvalidRequest(
            f"Unknown timeframe {timeframe!r}; expected one of {', '.join(TIMEFRAME_SECONDS)}."
        ) from None


def _moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def candles_upsert(exchange: str, symbol: str, timeframe: str, rows: Iterable[CandleRow]) -> int:
    """Insert or update candles by (exchange, symbol, timeframe, open time); returns how many were written.

    ``rows`` are the gateway's ``Candle`` (time, open, high, low, close, volume; Decimal). Running it
    twice leaves the same rows; the values of the later call win.
    """
    _step(timeframe)
    objs = [
        Candle(
            exchange=exchange,
            symbol=symbol,
            timeframe=timeframe,
            open_time=r.time,
            open=r.open,
            high=r.high,
            low=r.low,
            close=r.close,
            volume=r.volume,
        )
        for r in rows
    ]
    if not objs:
        return 0
    Candle.objects.bulk_create(
        objs,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=UNIQUE_FIELDS,
        update_fields=UPDATE_FIELDS,
    )
    return len(objs)


def _fetch_closed(
    source: MarketSource, exchange: str, symbol: str, timeframe: str, since: int, until: int
) -> list[CandleRow]:
    """Candles with since <= open time < until from the source, paging forward."""
    step, out, cursor = _step(timeframe), [], since
    for _ in range(MAX_PAGES):
        if cursor >= until:
            break
        limit = min(PAGE, (until - cursor) // step + 1)
        page = source.ohlcv(exchange, symbol, timeframe, since=_moment(cursor), limit=limit)
        fresh = [c for c in page if cursor <= c.time.timestamp() < until]
        if not fresh:
            # Nothing in this window (before a listing, an outage): look at the next one.
            cursor += limit * step
            continue
        out.extend(fresh)
        cursor = int(fresh[-1].time.timestamp()) + step
    return out


def _holes(exchange: str, symbol: str, timeframe: str, lookback: int | None, last: datetime) -> list[tuple[int, int]]:
    """Missing [start, end) ranges (epoch seconds) between stored candles in the scanned window."""
    step = _step(timeframe)
    qs = Candle.objects.filter(exchange=exchange, symbol=symbol, timeframe=timeframe)
    start = None if lookback is None else last - timedelta(seconds=step * lookback)
    if start is not None:
        qs = qs.filter(open_time__gte=start)
    stats = qs.aggregate(n=Count("id"), first=Min("open_time"), last=Max("open_time"))
    if not stats["n"]:
        return []
    expected = int((stats["last"] - stats["first"]).total_seconds()) // step + 1
    if stats["n"] >= expected:
        return []  # nothing missing: no need to read the times
    times = candle_open_times(exchange, symbol, timeframe, start=stats["first"])
    gaps = np.nonzero(np.diff(times) > step)[0]
    return [(int(times[i]) + step, int(times[i + 1])) for i in gaps]


def candles_ingest(
    exchange: str,
    symbol: str,
    timeframe: str,
    source: MarketSource | None = None,
    *,
    repair_lookback: int | None = REPAIR_LOOKBACK,
    push: bool = True,
) -> IngestResult:
    """Store the closed candles since the last stored one, and refill holes in the stored range.

    A first ingest backfills ``BACKFILL[timeframe]`` candles. Holes are looked for among the last
    ``repair_lookback`` candles (``None``: the whole stored range) and refilled from the source; one
    the source has nothing for is not asked again for UNFILLABLE_SECONDS. New candles are announced
    with ``market.signals.candles_closed`` and pushed to ``market.candles.<symbol>.<timeframe>``
    (type ``candles``).
    """
    source = source or get_source()
    step = _step(timeframe)
    closed_until = int(source.now().timestamp()) // step * step  # open times before this are closed
    last = candle_last_time(exchange, symbol, timeframe)
    since = closed_until - BACKFILL[timeframe] * step if last is None else int(last.timestamp()) + step
    new = _fetch_closed(source, exchange, symbol, timeframe, since, closed_until)
    candles_upsert(exchange, symbol, timeframe, new)

    repaired = 0
    if last is not None:
        for start, end in _holes(exchange, symbol, timeframe, repair_lookback, last):
            marker = f"market:candles:unfillable:{exchange}:{symbol}:{timeframe}:{start}"
            if cache.get(marker):
                continue
            rows = _fetch_closed(source, exchange, symbol, timeframe, start, end)
            if not rows:
                cache.set(marker, True, timeout=UNFILLABLE_SECONDS)
                logger.info(
                    "candles %s %s %s: the source has nothing for the hole at %s",
                    exchange,
                    symbol,
                    timeframe,
                    _moment(start),
                )
            repaired += candles_upsert(exchange, symbol, timeframe, rows)

    if new:
        candles_closed.send(
            sender=candles_ingest, exchange=exchange, symbol=symbol, timeframe=timeframe, last=new[-1].time
        )
        if push:
            candles_push(exchange, symbol, timeframe, new[-PUSH_MAX_CANDLES:])
    newest = new[-1].time if new else last
    return IngestResult(new=len(new), repaired=repaired, last=newest)


def candles_push(exchange: str, symbol: str, timeframe: str, rows: Sequence[CandleRow]) -> bool:
    """Tell charts about newly closed candles: ``market.candles.<symbol>.<tf>``, type ``candles``,
    ``{"exchange", "symbol", "timeframe", "candles": [{"time", "open", "high", "low", "close", "volume"}]}``
    (oldest first; a chart upserts them by time, so a coalesced-away push is covered by the next)."""
    data = {
        "exchange": exchange,
        "symbol": symbol,
        "timeframe": timeframe,
        "candles": [
            {"time": r.time, "open": r.open, "high": r.high, "low": r.low, "close": r.close, "volume": r.volume}
            for r in rows
        ],
    }
    return push_coalesced(group_name("market.candles", symbol, timeframe), "candles", data)


def candles_prune(*, now: datetime | None = None) -> dict[str, int]:
    """Delete candles older than FLAXU_CANDLE_RETENTION_DAYS per timeframe (0 keeps them forever).

    Age is measured on the source's clock (a fast replay runs ahead of the wall clock). Returns the
    number of rows deleted per timeframe.
    """
    now = now or get_source().now()
    deleted = {}
    for timeframe, days in settings.FLAXU_CANDLE_RETENTION_DAYS.items():
        if not days:
            continue
        count, _ = Candle.objects.filter(timeframe=timeframe, open_time__lt=now - timedelta(days=days)).delete()
        deleted[timeframe] = count
    return deleted
