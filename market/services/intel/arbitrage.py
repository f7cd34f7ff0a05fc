"""The arbitrage table: cross-exchange spreads from the cached order books (FLAXU_TTL_ARBITRAGE)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from market import arbitrage
from market.selectors import snapshots
from market.services.intel.common import GROUPS, as_float, envelope, exchanges, source_name, store, widget
from market.services.live import push_coalesced

DEFAULT_TAKER_FEE = 0.0005  # when an exchange's markets snapshot has no fee for the symbol
ARBITRAGE_ROWS = 50


def _venue_books() -> tuple[dict[str, list[arbitrage.VenueBook]], datetime | None, list[str]]:
    books: dict[str, list[arbitrage.VenueBook]] = {}
    stale, used = [], []
    for ex in exchanges():
        snap = snapshots.order_books(ex)
        if not snap.data:
            continue
        used.append(ex)
        stale.append(snap.stale_since)
        meta = snapshots.markets_meta(ex).data
        for symbol, book in snap.data.items():
            market = meta.get(symbol)
            fee = as_float(getattr(market, "taker_fee", None))
            size = as_float(getattr(market, "contract_size", None)) or 1.0
            books.setdefault(symbol, []).append(
                arbitrage.VenueBook(
                    exchange=ex,
                    bids=[(float(p), float(a) * size) for p, a in book.bids],
                    asks=[(float(p), float(a) * size) for p, a in book.asks],
                    taker_fee=DEFAULT_TAKER_FEE if fee is None else fee,
                )
            )
    return books, snapshots.oldest(stale), used


def _row(o: arbitrage.Opportunity) -> dict[str, Any]:
    return {
        "symbol": o.symbol,
        "buy_exchange": o.buy_exchange,
        "sell_exchange": o.sell_exchange,
        "buy_price": o.buy_price,
        "sell_price": o.sell_price,
        "buy_fee_pct": 100 * o.buy_fee,
        "sell_fee_pct": 100 * o.sell_fee,
        "gross_pct": o.gross_pct,
        "net_pct": o.net_pct,
        "executable_size": o.executable_size,
        "executable_notional": o.executable_cost,
        "profit": o.profit,
        "avg_net_pct": o.avg_net_pct,
        "is_opportunity": o.is_opportunity,
    }


def _build() -> dict[str, Any]:
    books, stale_since, used = _venue_books()
    threshold = float(settings.FLAXU_ARB_MIN_NET_PCT)
    rows = arbitrage.scan(books, threshold, only_opportunities=False)
    chosen = [o for o in rows if o.is_opportunity]
    best_other: dict[str, arbitrage.Opportunity] = {}
    for o in rows:  # the best (highest net spread) non-paying pair of each symbol, for context
        if not o.is_opportunity and (o.symbol not in best_other or o.net_pct > best_other[o.symbol].net_pct):
            best_other[o.symbol] = o
    chosen += sorted(best_other.values(), key=lambda o: -o.net_pct)
    return envelope(
        {
            "rows": [_row(o) for o in chosen[:ARBITRAGE_ROWS]],
            "opportunities": sum(1 for o in rows if o.is_opportunity),
            "min_net_pct": threshold,
            "exchanges": used,
            "symbols": sum(1 for v in books.values() if len({b.exchange for b in v}) >= 2),
            "note": arbitrage.TRANSFER_NOTE,
        },
        source=source_name("order books"),
        stale_since=stale_since,
    )


def arbitrage_table() -> dict[str, Any]:
    """Cross-exchange spreads: opportunities first (by estimated profit), then each symbol's best other pair.

    ``{"rows": [{"symbol", "buy_exchange", "sell_exchange", "buy_price", "sell_price", "buy_fee_pct",
    "sell_fee_pct", "gross_pct", "net_pct", "executable_size", "executable_notional", "profit",
    "avg_net_pct", "is_opportunity"}], "opportunities", "min_net_pct", "exchanges", "symbols", "note",
    "source", "stale_since", "updated_at", "demo"}``. Sizes in base units, notional and profit in USDT.
    """
    return widget("arbitrage", settings.FLAXU_TTL_ARBITRAGE, _build)


def arbitrage_refresh() -> dict[str, Any]:
    payload = store("arbitrage", settings.FLAXU_TTL_ARBITRAGE, _build())
    push_coalesced(GROUPS["arbitrage"], "arbitrage", {**payload, "rows": payload["rows"][:10]})
    return payload
