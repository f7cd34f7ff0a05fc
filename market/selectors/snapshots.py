"""Cached market snapshots (tickers, books, funding, open interest, long/short, fees, liquidations).

``market.services.snapshots`` refreshes them from the market source on Celery beat; these functions only
read the cache. Each returns a ``Snapshot``: the data (empty before the first refresh), when it was last
refreshed, and whether it is stale — too old for its TTL, or the last refresh failed (then the data is
the last good one and ``stale_since`` says since when), so a widget can say "stale since <time>".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache

from market.exchanges.types import FundingRate, LongShortRatio, Market, OpenInterest, OrderBook, Ticker
from market.sources import get_source
from market.sources.base import Liquidation

T = TypeVar("T")

# kind → the setting holding its TTL in seconds (or a constant).
TTL_SETTINGS = {
    "tickers": "FLAXU_TTL_PRICES",
    "order_books": "FLAXU_TTL_PRICES",
    "funding": "FLAXU_TTL_FUNDING",
    "open_interest": "FLAXU_TTL_FUNDING",
    "long_short": "FLAXU_TTL_FUNDING",
    "liquidations": "FLAXU_TTL_LIQUIDATIONS",
}
MARKETS_TTL_SECONDS = 6 * 3600
KINDS = (*TTL_SETTINGS, "markets")
ALL_EXCHANGES = "all"  # the exchange slot of snapshots that cover every exchange (liquidations)


def ttl_seconds(kind: str) -> int:
    setting = TTL_SETTINGS.get(kind)
    return int(getattr(settings, setting)) if setting else MARKETS_TTL_SECONDS


def cache_key(kind: str, exchange: str) -> str:
    return f"market:snapshot:{kind}:{exchange}"


@dataclass(frozen=True)
class Snapshot(Generic[T]):
    """One cached snapshot and how fresh it is (all times aware UTC, wall clock)."""

    kind: str
    exchange: str
    data: T
    updated_at: datetime | None  # last successful refresh; None: never refreshed
    source_time: datetime | None  # the source's clock at that refresh (replay time in the replay)
    stale: bool
    stale_since: datetime | None  # since when the data has been stale (None when fresh or never refreshed)
    error: str | None  # why the last refresh failed, if it did
    offered: bool = True  # False: the exchange does not publish this (long/short on BingX)

    @property
    def age_seconds(self) -> float | None:
        if self.updated_at is None:
            return None
        return (datetime.now(UTC) - self.updated_at).total_seconds()


def oldest(times: Iterable[datetime | None]) -> datetime | None:
    """The earliest of the known times (a table is as stale as its stalest part); None if none is known."""
    known = [t for t in times if t is not None]
    return min(known) if known else None


def _empty(kind: str) -> Any:
    return [] if kind == "liquidations" else {}


def snapshot(kind: str, exchange: str) -> Snapshot:
    """The cached snapshot of ``kind`` for ``exchange`` (any kind in KINDS)."""
    return _snapshot(kind, exchange, cache.get(cache_key(kind, exchange)))


def snapshots_of(kind: str, exchanges: list[str]) -> dict[str, Snapshot]:
    """``snapshot(kind, exchange)`` of several exchanges with one cache call (a table of every exchange)."""
    entries = cache.get_many([cache_key(kind, ex) for ex in exchanges])
    return {ex: _snapshot(kind, ex, entries.get(cache_key(kind, ex))) for ex in exchanges}


def _snapshot(kind: str, exchange: str, entry: dict | None) -> Snapshot:
    if entry is None:
        return Snapshot(kind, exchange, _empty(kind), None, None, True, None, None)
    now = datetime.now(UTC)
    updated, failed = entry.get("updated_at"), entry.get("failed_at")
    expires = updated + timedelta(seconds=ttl_seconds(kind)) if updated else None
    stale_since = None
    if failed is not None:
        stale_since = failed if expires is None else min(failed, expires)
    elif expires is not None and now > expires:
        stale_since = expires
    offered = entry.get("offered", True)
    return Snapshot(
        kind=kind,
        exchange=exchange,
        data=entry.get("data", _empty(kind)),
        updated_at=updated,
        source_time=entry.get("source_time"),
        stale=offered and (updated is None or stale_since is not None),
        stale_since=stale_since if offered else None,
        error=entry.get("error"),
        offered=offered,
    )


def tickers(exchange: str) -> Snapshot[dict[str, Ticker]]:
    return snapshot("tickers", exchange)


def order_books(exchange: str) -> Snapshot[dict[str, OrderBook]]:
    """Depth-20 books of the universe's symbols."""
    return snapshot("order_books", exchange)


def funding(exchange: str) -> Snapshot[dict[str, FundingRate]]:
    return snapshot("funding", exchange)


def open_interest(exchange: str) -> Snapshot[dict[str, OpenInterest]]:
    return snapshot("open_interest", exchange)


def long_short(exchange: str) -> Snapshot[dict[str, LongShortRatio]]:
    """``offered`` is False (and data empty, not stale) where the exchange publishes no ratios (BingX)."""
    return snapshot("long_short", exchange)


def markets_meta(exchange: str) -> Snapshot[dict[str, Market]]:
    """Markets by symbol with steps, limits and maker/taker fees (``Market.taker_fee``)."""
    return snapshot("markets", exchange)


def liquidations() -> Snapshot[list[Liquidation]]:
    """Recent liquidation events on every exchange (the replay's; live ones come from market.providers)."""
    return snapshot("liquidations", ALL_EXCHANGES)


def exchanges() -> list[str]:
    """The exchanges the snapshots cover."""
    return get_source().exchanges()


def universe() -> list[str]:
    """The followed symbols (books, open interest and long/short cover these)."""
    return get_source().universe()


def source_info() -> dict:
    """``{"name", "is_demo", "now", "detail"}`` of the configured source; ``now`` is its clock."""
    source = get_source()
    return {
        "name": source.name,
        "is_demo": source.is_demo,
        "now": source.now(),
        "detail": getattr(source, "detail", ""),
    }
