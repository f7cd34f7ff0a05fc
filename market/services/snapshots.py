"""Refreshing the cached market snapshots from the market source, and telling browsers.

Each ``*_refresh`` reads every exchange (or the one given) from the source and writes one cache entry per
exchange and kind (read back by ``market.selectors.snapshots``). An exchange that fails keeps its last
good data, marked stale with the error and since when; the others are refreshed as usual. Entries live
far longer than their TTL on purpose: the TTL only decides staleness, so a failing provider never
blanks a widget.

Tickers are pushed to ``market.tickers`` (every exchange, the universe's symbols) and ``ticker.<symbol>``
(that symbol on every exchange), coalesced to one push per group per FLAXU_PUSH_COALESCE_SECONDS.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.cache import cache

from core.realtime.push import group_name
from market.exchanges import errors
from market.selectors.snapshots import ALL_EXCHANGES, cache_key
from market.services.live import push_coalesced
from market.signals import tickers_stored
from market.sources import MarketSource, get_source

logger = logging.getLogger(__name__)

# Snapshots outlive their TTL (stale data beats no data); a day without a good refresh empties them.
KEEP_SECONDS = 24 * 3600
BOOK_DEPTH = 20
LIQUIDATIONS_WINDOW = timedelta(hours=1)
TICKERS_GROUP = "market.tickers"


def _store(kind: str, exchange: str, data: Any, source: MarketSource, *, offered: bool = True) -> None:
    cache.set(
        cache_key(kind, exchange),
        {
            "data": data,
            "updated_at": datetime.now(UTC),
            "source_time": source.now(),
            "error": None,
            "failed_at": None,
            "offered": offered,
        },
        timeout=KEEP_SECONDS,
    )


def _mark_failed(kind: str, exchange: str, error: str) -> None:
    """Keep the last good data; note the error and when the failures began."""
    key = cache_key(kind, exchange)
    entry = cache.get(key) or {"data": None, "updated_at": None, "source_time": None, "offered": True}
    entry["error"] = error
    entry["failed_at"] = entry.get("failed_at") or datetime.now(UTC)
    if entry["data"] is None:
        entry["data"] = [] if kind == "liquidations" else {}
    cache.set(key, entry, timeout=KEEP_SECONDS)


def _refresh(kind: str, exchange: str, fetch: Callable[[], Any], source: MarketSource) -> bool:
    """Store ``fetch()`` as the snapshot, or keep the old one marked stale when the exchange fails."""
    try:
        data = fetch()
    except errors.NotOffered:
        _store(kind, exchange, [] if kind == "liquidations" else {}, source, offered=False)
        return True
    except errors.GatewayError as exc:
        logger.warning("market snapshot %s/%s not refreshed: %s", kind, exchange, exc.message)
        _mark_failed(kind, exchange, exc.message)
        return False
    except Exception:
        # A bug or an answer nobody foresaw must not stop the other exchanges' refresh.
        logger.exception("market snapshot %s/%s failed unexpectedly", kind, exchange)
        _mark_failed(kind, exchange, "unexpected error (logged)")
        return False
    _store(kind, exchange, data, source)
    return True


def _per_symbol(source: MarketSource, fetch: Callable[[str], Any]) -> dict[str, Any]:
    """``fetch(symbol)`` for the universe: a symbol the exchange lacks is skipped, an outage fails all."""
    out = {}
    for symbol in source.universe():
        try:
            out[symbol] = fetch(symbol)
        except errors.NotOffered:
            raise
        except errors.InvalidRequest:
            continue  # not listed on this exchange
    return out


def _exchanges(source: MarketSource, exchange: str | None) -> list[str]:
    return source.exchanges() if exchange is None else [exchange]


# --- Refreshes --------------------------------------------------------------------------------------


def tickers_refresh(*, exchange: str | None = None, source: MarketSource | None = None) -> dict[str, bool]:
    """Tickers of every exchange; then announce them (``market.signals.tickers_stored``) and push them.
    Returns {exchange: refreshed}."""
    source = source or get_source()
    done = {
        ex: _refresh("tickers", ex, lambda ex=ex: source.tickers(ex), source) for ex in _exchanges(source, exchange)
    }
    refreshed = [ex for ex, ok in done.items() if ok]
    if refreshed:
        tickers_stored.send(sender=tickers_refresh, exchanges=refreshed)
    tickers_push(source=source)
    return done


def order_books_refresh(*, exchange: str | None = None, source: MarketSource | None = None) -> dict[str, bool]:
    """Depth-20 books of the universe's symbols on every exchange (or one)."""
    source = source or get_source()
    return {
        ex: _refresh(
            "order_books",
            ex,
            lambda ex=ex: _per_symbol(source, lambda s: source.order_book(ex, s, BOOK_DEPTH)),
            source,
        )
        for ex in _exchanges(source, exchange)
    }


def funding_refresh(*, exchange: str | None = None, source: MarketSource | None = None) -> dict[str, bool]:
    source = source or get_source()
    return {
        ex: _refresh("funding", ex, lambda ex=ex: source.funding_rates(ex), source)
        for ex in _exchanges(source, exchange)
    }


def open_interest_refresh(*, exchange: str | None = None, source: MarketSource | None = None) -> dict[str, bool]:
    source = source or get_source()
    return {
        ex: _refresh(
            "open_interest", ex, lambda ex=ex: _per_symbol(source, lambda s: source.open_interest(ex, s)), source
        )
        for ex in _exchanges(source, exchange)
    }


def long_short_refresh(*, exchange: str | None = None, source: MarketSource | None = None) -> dict[str, bool]:
    """Long/short ratios; an exchange that publishes none is stored as not offered (not stale)."""
    source = source or get_source()
    return {
        ex: _refresh(
            "long_short", ex, lambda ex=ex: _per_symbol(source, lambda s: source.long_short_ratio(ex, s)), source
        )
        for ex in _exchanges(source, exchange)
    }


def markets_refresh(*, exchange: str | None = None, source: MarketSource | None = None) -> dict[str, bool]:
    """Markets with fees and steps (hours-long TTL)."""
    source = source or get_source()
    return {
        ex: _refresh("markets", ex, lambda ex=ex: source.markets(ex), source) for ex in _exchanges(source, exchange)
    }


def liquidations_refresh(*, source: MarketSource | None = None) -> bool:
    """The last hour of liquidation events (replay); stored as not offered where the source has none."""
    source = source or get_source()
    return _refresh(
        "liquidations", ALL_EXCHANGES, lambda: source.liquidations(source.now() - LIQUIDATIONS_WINDOW), source
    )


def snapshots_refresh_all(*, source: MarketSource | None = None) -> None:
    """Every snapshot once (start-up, tests, the ``make run`` warm-up)."""
    source = source or get_source()
    markets_refresh(source=source)
    tickers_refresh(source=source)
    order_books_refresh(source=source)
    funding_refresh(source=source)
    open_interest_refresh(source=source)
    long_short_refresh(source=source)
    liquidations_refresh(source=source)


# --- Pushes ------------------------------------------------------------------------------------------


def _ticker_row(ticker, stale: bool) -> dict:
    return {
        "last": ticker.last,
        "bid": ticker.bid,
        "ask": ticker.ask,
        "change_percent": ticker.change_percent,
        "quote_volume": ticker.quote_volume,
        "stale": stale,
    }


def tickers_push(*, source: MarketSource | None = None) -> int:
    """Push the cached tickers of the universe: ``market.tickers`` and each ``ticker.<symbol>``.

    ``market.tickers`` / type ``tickers``: ``{"time", "source_time", "demo", "exchanges": {exchange:
    {symbol: row}}}``; ``ticker.<symbol>`` / type ``ticker``: ``{"symbol", "time", "source_time", "demo",
    "prices": {exchange: row}}``; a row is ``{"last", "bid", "ask", "change_percent", "quote_volume",
    "stale"}`` with decimals as strings. Returns how many events were sent (coalesced ones are not).
    """
    from market.selectors.snapshots import tickers as cached_tickers

    source = source or get_source()
    symbols = source.universe()
    now, source_now = datetime.now(UTC), source.now()
    by_exchange: dict[str, dict[str, dict]] = {}
    for ex in source.exchanges():
        snap = cached_tickers(ex)
        by_exchange[ex] = {s: _ticker_row(snap.data[s], snap.stale) for s in symbols if s in snap.data}
    if not any(by_exchange.values()):
        return 0
    head = {"time": now, "source_time": source_now, "demo": source.is_demo}
    sent = int(push_coalesced(TICKERS_GROUP, "tickers", {**head, "exchanges": by_exchange}))
    for symbol in symbols:
        prices = {ex: rows[symbol] for ex, rows in by_exchange.items() if symbol in rows}
        if prices:
            sent += push_coalesced(group_name("ticker", symbol), "ticker", {**head, "symbol": symbol, "prices": prices})
    return sent
