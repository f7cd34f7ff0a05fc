"""Beat-driven refreshes of market data: thin tasks that call ``market.services``.

Schedules (installed by market/migrations/000X_default_schedules.py, editable in the admin): tickers every
5 s, order books every 10 s (one task per exchange), funding/open interest/long-short every minute
(TTL 5 min), liquidations every 15 s, markets hourly, candles every 10 s (ingests only when a candle of a
timeframe has closed on the source's clock, one task per exchange and symbol), retention and a full gap
repair daily.
"""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from market.selectors.candles import candle_exchanges, stored_series
from market.services import snapshots
from market.services.candles import candles_ingest, candles_prune
from market.sources import get_source
from market.timeframes import TIMEFRAME_SECONDS

__all__ = [
    "ingest_candles",
    "ingest_candles_for",
    "prune_candles",
    "refresh_derivatives",
    "refresh_liquidations",
    "refresh_markets",
    "refresh_order_books",
    "refresh_order_books_for",
    "refresh_tickers",
    "repair_candles",
]

CLOSED_MARKER = "market:candles:closed:{timeframe}"


@shared_task(ignore_result=True)
def refresh_tickers() -> dict[str, bool]:
    return snapshots.tickers_refresh()


@shared_task(ignore_result=True)
def refresh_order_books() -> int:
    """Fan out: one task per exchange (books are one call per symbol)."""
    exchanges = get_source().exchanges()
    for exchange in exchanges:
        refresh_order_books_for.delay(exchange)
    return len(exchanges)


@shared_task(ignore_result=True)
def refresh_order_books_for(exchange: str) -> dict[str, bool]:
    return snapshots.order_books_refresh(exchange=exchange)


@shared_task(ignore_result=True)
def refresh_derivatives() -> dict[str, dict[str, bool]]:
    """Funding rates, open interest and long/short ratios of every exchange."""
    return {
        "funding": snapshots.funding_refresh(),
        "open_interest": snapshots.open_interest_refresh(),
        "long_short": snapshots.long_short_refresh(),
    }


@shared_task(ignore_result=True)
def refresh_markets() -> dict[str, bool]:
    return snapshots.markets_refresh()


@shared_task(ignore_result=True)
def refresh_liquidations() -> bool:
    return snapshots.liquidations_refresh()


@shared_task(ignore_result=True)
def ingest_candles() -> list[str]:
    """Queue ingestion for every timeframe whose latest candle closed since the last run."""
    source = get_source()
    now = int(source.now().timestamp())
    due = []
    for timeframe, step in TIMEFRAME_SECONDS.items():
        closed = now // step * step
        key = CLOSED_MARKER.format(timeframe=timeframe)
        if (cache.get(key) or 0) < closed:
            cache.set(key, closed, timeout=None)
            due.append(timeframe)
    if due:
        for exchange in candle_exchanges(source):
            for symbol in source.universe():
                ingest_candles_for.delay(exchange, symbol, due)
    return due


@shared_task(ignore_result=True)
def ingest_candles_for(exchange: str, symbol: str, timeframes: list[str]) -> dict[str, int]:
    # Longest first: a 5m candle closing with an hourly one is announced once the hourly one is stored,
    # so the run it triggers (trading) reads that hour as context.
    ordered = sorted(timeframes, key=lambda tf: TIMEFRAME_SECONDS.get(tf, 0), reverse=True)
    return {tf: candles_ingest(exchange, symbol, tf).new for tf in ordered}


@shared_task(ignore_result=True)
def prune_candles() -> dict[str, int]:
    return candles_prune()


@shared_task(ignore_result=True)
def repair_candles() -> int:
    """Look for holes in the whole stored range of every series (daily; ingests look back a day or so)."""
    repaired = 0
    for exchange, symbol, timeframe in stored_series():
        repaired += candles_ingest(exchange, symbol, timeframe, repair_lookback=None, push=False).repaired
    return repaired
