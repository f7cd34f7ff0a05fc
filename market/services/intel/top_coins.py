"""The top 500 coins: CoinGecko's list (exchange volumes as fallback) cached for FLAXU_TTL_TOP500, with
live prices from the ticker snapshot on every read."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings

from market.providers.base import Fetched, Link, ProviderError, first_good
from market.providers.coingecko import CoinGecko
from market.providers.replay import ReplayCoinGecko
from market.selectors import snapshots
from market.services.intel.common import (
    GROUPS,
    as_float,
    base_coin,
    envelope,
    exchanges,
    is_demo,
    plain,
    store,
    widget,
)
from market.services.live import push_coalesced
from market.sources import get_source

TOP_COINS = 500
TOP_SORTS = ("rank", "name", "symbol", "price", "market_cap", "volume_24h", "change_24h_pct", "change_7d_pct")


def replay_clock() -> float:
    """The replay source's clock (epoch seconds), for the replay providers."""
    return get_source().now().timestamp()


def _coin_row(coin: Any) -> dict[str, Any]:
    return coin.as_dict() if hasattr(coin, "as_dict") else dict(coin)


def _volume_top_list() -> list[dict[str, Any]]:
    """The fallback top list: perpetuals ranked by 24 h quote volume summed over the exchanges."""
    coins: dict[str, dict[str, Any]] = {}
    for ex in exchanges():
        for symbol, t in snapshots.tickers(ex).data.items():
            coin, multiplier = base_coin(symbol)
            row = coins.setdefault(
                coin,
                {
                    "id": coin.lower(),
                    "symbol": coin,
                    "name": coin,
                    "image": None,
                    "price": None,
                    "market_cap": None,
                    "rank": None,
                    "volume_24h": 0.0,
                    "high_24h": None,
                    "low_24h": None,
                    "change_24h_pct": None,
                    "change_7d_pct": None,
                    "circulating_supply": None,
                    "last_updated": t.time,
                },
            )
            row["volume_24h"] += as_float(t.quote_volume) or 0.0
            if row["price"] is None and t.last is not None:
                row["price"] = float(t.last) / multiplier
                row["change_24h_pct"] = as_float(t.change_percent)
    if not coins:
        raise ProviderError("exchange volumes: no ticker snapshot yet")
    ranked = sorted(coins.values(), key=lambda r: -r["volume_24h"])
    for rank, row in enumerate(ranked, start=1):
        row["rank"] = rank
    return plain(ranked)


def _top_list() -> Fetched:
    if is_demo():
        primary = Link(
            "coingecko-replay", lambda: [_coin_row(c) for c in ReplayCoinGecko(clock=replay_clock).top(TOP_COINS)]
        )
    else:
        primary = Link("coingecko", lambda: [_coin_row(c) for c in CoinGecko().top(TOP_COINS)])
    return first_good("top_coins", [primary, Link("exchange volumes", _volume_top_list)])


def _build() -> dict[str, Any]:
    fetched = _top_list()
    return envelope(
        {"coins": fetched.data or [], "fetched_at": fetched.fetched_at, "errors": list(fetched.errors)},
        source=fetched.source,
        stale_since=fetched.stale_since,
    )


def top_list() -> dict[str, Any]:
    """The cached list (every coin, without live prices), computed when missing."""
    return widget("top_coins", settings.FLAXU_TTL_TOP500, _build)


def _live_prices() -> dict[str, tuple[float, float | None]]:
    """Coin -> (last price, 24 h change %) from the first exchange's ticker snapshot that has it."""
    prices: dict[str, tuple[float, float | None]] = {}
    names = exchanges()
    tickers = snapshots.snapshots_of("tickers", names)  # one cache call for every exchange
    for ex in names:
        for symbol, t in tickers[ex].data.items():
            coin, multiplier = base_coin(symbol)
            if coin not in prices and t.last is not None:
                prices[coin] = (float(t.last) / multiplier, as_float(t.change_percent))
    return prices


def top_coins(page: int = 1, per_page: int = 50, sort: str = "rank", query: str = "") -> dict[str, Any]:
    """A page of the top 500 (CoinGecko; exchange volumes as fallback), searchable and sortable.

    ``sort`` is one of ``TOP_SORTS``, ``-`` in front for descending (missing values always last); ``query``
    matches symbol or name (case-insensitive substring); ``per_page`` is clamped to 1..250. Coins the
    exchanges list get their live price (``"live": true``) from the ticker snapshot. Returns ``{"results":
    [{"id", "symbol", "name", "image", "price", "market_cap", "rank", "volume_24h", "high_24h", "low_24h",
    "change_24h_pct", "change_7d_pct", "circulating_supply", "last_updated", "live"}], "page",
    "per_page", "pages", "total", "sort", "query", "fetched_at", ...}``; ValueError for another sort.
    """
    field_name = sort.lstrip("-")
    if field_name not in TOP_SORTS:
        raise ValueError(f"Unknown sort {sort!r}; expected one of {', '.join(TOP_SORTS)} (optionally with '-').")
    per_page = min(max(int(per_page), 1), 250)
    listing = top_list()
    live = _live_prices()
    coins = []
    for coin in listing["coins"]:
        row = dict(coin)
        quote = live.get(row["symbol"].upper())
        row["live"] = quote is not None
        if quote is not None:
            row["price"] = quote[0]
            if quote[1] is not None:
                row["change_24h_pct"] = quote[1]
        coins.append(row)
    needle = (query or "").strip().lower()
    if needle:
        coins = [c for c in coins if needle in c["symbol"].lower() or needle in (c["name"] or "").lower()]
    present = [c for c in coins if c.get(field_name) is not None]
    missing = [c for c in coins if c.get(field_name) is None]

    def key(c: dict[str, Any]) -> Any:
        value = c[field_name]
        return value.lower() if isinstance(value, str) else value

    present.sort(key=key, reverse=sort.startswith("-"))
    ordered = present + missing
    total = len(ordered)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(int(page), 1), pages)
    head = {k: v for k, v in listing.items() if k != "coins"}
    return {
        **head,
        "results": plain(ordered[(page - 1) * per_page : page * per_page]),
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "total": total,
        "sort": sort,
        "query": query or "",
    }


def top_coins_refresh() -> dict[str, Any]:
    payload = store("top_coins", settings.FLAXU_TTL_TOP500, _build())
    push_coalesced(
        GROUPS["top_coins"],
        "top_coins",
        {k: payload[k] for k in ("source", "stale_since", "updated_at", "fetched_at")}
        | {"total": len(payload["coins"])},
    )
    return payload
