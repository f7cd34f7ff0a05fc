"""Market-intelligence widgets: computed from the cached snapshots, stored candles and data providers.

What the UI calls (each returns plain JSON-safe data, cached for the widget's TTL setting, and always
carries ``"source"`` (where the data came from), ``"stale_since"`` (ISO time, or None when fresh),
``"updated_at"`` and ``"demo"``):

* :func:`arbitrage_table` (FLAXU_TTL_ARBITRAGE), :func:`funding_table` (FLAXU_TTL_FUNDING),
  :func:`long_short_table` and :func:`open_interest_table` (FLAXU_TTL_FUNDING),
  :func:`liquidation_heatmap` (FLAXU_TTL_LIQUIDATIONS), :func:`fear_greed` (FLAXU_TTL_FEAR_GREED),
  :func:`altcoin_season` (FLAXU_TTL_FEAR_GREED: it moves once a day), :func:`top_coins` (the list:
  FLAXU_TTL_TOP500; live prices from the ticker snapshot on every call).

What the Celery tasks call (``market.tasks.intel``): the ``*_refresh`` functions recompute a widget,
store it, and push a compact update with ``push_coalesced`` to its group in ``GROUPS``.

A provider that fails never blanks a widget: the fallback chain is tried, then the last good data is
shown with ``stale_since``. Snapshot-based widgets are stale since the oldest stale snapshot they used.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import asdict, is_dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache

from market import arbitrage, funding, indices, liquidation_map
from market.exchanges import errors
from market.providers import binance_liquidations
from market.providers.alternative_me import AlternativeMe
from market.providers.base import Fetched, Link, ProviderError, first_good
from market.providers.coingecko import CoinGecko
from market.providers.coinglass import Coinglass
from market.providers.replay import ReplayAlternativeMe, ReplayCoinGecko
from market.selectors import snapshots
from market.selectors.candles import candle_frame
from market.services.candles import candle_exchanges
from market.services.live import push_coalesced
from market.sources import get_source

logger = logging.getLogger(__name__)

_PREFIX = "market:intel"
GROUPS = {
    "arbitrage": "market.arbitrage",
    "funding": "market.funding",
    "long_short": "market.long-short",
    "open_interest": "market.open-interest",
    "liquidations": "market.liquidations",  # + "." + symbol slug, e.g. market.liquidations.btc-usdt-usdt
    "fear_greed": "market.fear-greed",
    "altcoin_season": "market.altcoin-season",
    "top_coins": "market.top-coins",
}
LONG_SHORT_EXCHANGES = ("binanceusdm", "okx", "bybit", "bingx")
DEFAULT_TAKER_FEE = 0.0005  # when an exchange's markets snapshot has no fee for the symbol
ARBITRAGE_ROWS = 50
TOP_COINS = 500
TOP_SORTS = ("rank", "name", "symbol", "price", "market_cap", "volume_24h", "change_24h_pct", "change_7d_pct")
FEAR_GREED_DAYS = 30
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


# --- plumbing ------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON-safe copy: Decimal -> float, datetime -> ISO string, dataclass -> dict, NaN/inf -> None."""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, np.floating):
        return _plain(float(value))
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _now() -> datetime:
    return datetime.now(UTC)


def _oldest(times: Iterable[datetime | None]) -> datetime | None:
    known = [t for t in times if t is not None]
    return min(known) if known else None


def _envelope(data: dict[str, Any], *, source: str | None, stale_since: datetime | None) -> dict[str, Any]:
    return _plain({**data, "source": source, "stale_since": stale_since, "updated_at": _now(), "demo": _demo()})


def _demo() -> bool:
    return bool(get_source().is_demo)


def _key(name: str) -> str:
    return f"{_PREFIX}:{name}"


def _widget(name: str, ttl: int, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The cached widget, computed and stored when missing."""
    hit = cache.get(_key(name))
    if hit is not None:
        return hit
    payload = build()
    cache.set(_key(name), payload, ttl)
    return payload


def cached_widget(name: str) -> dict[str, Any] | None:
    """The widget as last stored, or None; never computes or fetches (for the landing page's preview)."""
    return cache.get(_key(name))


def _store(name: str, ttl: int, payload: dict[str, Any]) -> dict[str, Any]:
    cache.set(_key(name), payload, ttl)
    return payload


def _exchanges() -> list[str]:
    return list(snapshots.exchanges())


def _source_name(what: str) -> str:
    return f"{get_source().name} {what}"


def _known_symbol(symbol: str) -> str:
    if symbol not in snapshots.universe():
        raise errors.InvalidRequest(f"Unknown symbol {symbol!r}; use a perpetual of the followed universe.")
    return symbol


# --- arbitrage -----------------------------------------------------------------------------------


def _venue_books() -> tuple[dict[str, list[arbitrage.VenueBook]], datetime | None, list[str]]:
    books: dict[str, list[arbitrage.VenueBook]] = {}
    stale, used = [], []
    for ex in _exchanges():
        snap = snapshots.order_books(ex)
        if not snap.data:
            continue
        used.append(ex)
        stale.append(snap.stale_since)
        meta = snapshots.markets_meta(ex).data
        for symbol, book in snap.data.items():
            market = meta.get(symbol)
            fee = _float(getattr(market, "taker_fee", None))
            size = _float(getattr(market, "contract_size", None)) or 1.0
            books.setdefault(symbol, []).append(
                arbitrage.VenueBook(
                    exchange=ex,
                    bids=[(float(p), float(a) * size) for p, a in book.bids],
                    asks=[(float(p), float(a) * size) for p, a in book.asks],
                    taker_fee=DEFAULT_TAKER_FEE if fee is None else fee,
                )
            )
    return books, _oldest(stale), used


def _arbitrage_row(o: arbitrage.Opportunity) -> dict[str, Any]:
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


def _build_arbitrage() -> dict[str, Any]:
    books, stale_since, used = _venue_books()
    threshold = float(settings.FLAXU_ARB_MIN_NET_PCT)
    rows = arbitrage.scan(books, threshold, only_opportunities=False)
    chosen = [o for o in rows if o.is_opportunity]
    best_other: dict[str, arbitrage.Opportunity] = {}
    for o in rows:  # the best (highest net spread) non-paying pair of each symbol, for context
        if not o.is_opportunity and (o.symbol not in best_other or o.net_pct > best_other[o.symbol].net_pct):
            best_other[o.symbol] = o
    chosen += sorted(best_other.values(), key=lambda o: -o.net_pct)
    return _envelope(
        {
            "rows": [_arbitrage_row(o) for o in chosen[:ARBITRAGE_ROWS]],
            "opportunities": sum(1 for o in rows if o.is_opportunity),
            "min_net_pct": threshold,
            "exchanges": used,
            "symbols": sum(1 for v in books.values() if len({b.exchange for b in v}) >= 2),
            "note": arbitrage.TRANSFER_NOTE,
        },
        source=_source_name("order books"),
        stale_since=stale_since,
    )


def arbitrage_table() -> dict[str, Any]:
    """Cross-exchange spreads: opportunities first (by estimated profit), then each symbol's best other pair.

    ``{"rows": [{"symbol", "buy_exchange", "sell_exchange", "buy_price", "sell_price", "buy_fee_pct",
    "sell_fee_pct", "gross_pct", "net_pct", "executable_size", "executable_notional", "profit",
    "avg_net_pct", "is_opportunity"}], "opportunities", "min_net_pct", "exchanges", "symbols", "note",
    "source", "stale_since", "updated_at", "demo"}``. Sizes in base units, notional and profit in USDT.
    """
    return _widget("arbitrage", settings.FLAXU_TTL_ARBITRAGE, _build_arbitrage)


def arbitrage_refresh() -> dict[str, Any]:
    payload = _store("arbitrage", settings.FLAXU_TTL_ARBITRAGE, _build_arbitrage())
    push_coalesced(GROUPS["arbitrage"], "arbitrage", {**payload, "rows": payload["rows"][:10]})
    return payload


# --- funding, long/short, open interest ------------------------------------------------------------


def _build_funding() -> dict[str, Any]:
    exchanges, stale, observations = _exchanges(), [], []
    for ex in exchanges:
        snap = snapshots.funding(ex)
        stale.append(snap.stale_since)
        for symbol, fr in snap.data.items():
            observations.append(
                funding.FundingObservation(ex, symbol, float(fr.rate), fr.next_funding_time, fr.interval)
            )
    rows = funding.compare(observations, exchanges)
    return _envelope(
        {
            "exchanges": exchanges,
            "rows": [
                {
                    "symbol": r.symbol,
                    "spread_pct": r.spread_pct,
                    "quotes": {
                        ex: (
                            {
                                "rate_pct": q.rate_pct,
                                "interval_hours": q.interval_hours,
                                "annualized_pct": q.annualized_pct,
                                "next_funding_time": q.next_funding_time,
                            }
                            if (q := r.quotes.get(ex))
                            else None
                        )
                        for ex in exchanges
                    },
                }
                for r in rows
            ],
            "formula": "annualized = rate x 365 x 24 / interval hours (simple, not compounded)",
        },
        source=_source_name("funding rates"),
        stale_since=_oldest(stale),
    )


def funding_table() -> dict[str, Any]:
    """Funding side by side: ``{"exchanges", "rows": [{"symbol", "spread_pct", "quotes": {exchange:
    {"rate_pct", "interval_hours", "annualized_pct", "next_funding_time"} | None}}], "formula", ...}``,
    widest annualized spread first."""
    return _widget("funding", settings.FLAXU_TTL_FUNDING, _build_funding)


def funding_refresh() -> dict[str, Any]:
    payload = _store("funding", settings.FLAXU_TTL_FUNDING, _build_funding())
    push_coalesced(GROUPS["funding"], "funding", payload)
    return payload


def _build_long_short() -> dict[str, Any]:
    configured = set(_exchanges())
    exchanges = [ex for ex in LONG_SHORT_EXCHANGES if ex in configured]
    status, stale, by_symbol = [], [], {}
    for ex in exchanges:
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
        {"symbol": s, "ratios": {ex: by_symbol[s].get(ex) for ex in exchanges}}
        for s in sorted(by_symbol, key=lambda s: _universe_order(s))
    ]
    return _envelope(
        {"exchanges": status, "rows": rows, "not_offered_label": "not offered"},
        source=_source_name("long/short ratios"),
        stale_since=_oldest(stale),
    )


def _universe_order(symbol: str) -> tuple[int, str]:
    universe = snapshots.universe()
    return (universe.index(symbol) if symbol in universe else len(universe), symbol)


def long_short_table() -> dict[str, Any]:
    """Account long/short ratios (Binance, OKX, Bybit; BingX listed with ``offered: False``):
    ``{"exchanges": [{"exchange", "offered", "stale_since"}], "rows": [{"symbol", "ratios": {exchange:
    {"ratio", "long_pct", "short_pct", "time"} | None}}], "not_offered_label", ...}``."""
    return _widget("long_short", settings.FLAXU_TTL_FUNDING, _build_long_short)


def long_short_refresh() -> dict[str, Any]:
    payload = _store("long_short", settings.FLAXU_TTL_FUNDING, _build_long_short())
    push_coalesced(GROUPS["long_short"], "long_short", payload)
    return payload


def _last_prices(exchange: str) -> dict[str, float]:
    return {s: float(t.last) for s, t in snapshots.tickers(exchange).data.items() if t.last is not None}


def _build_open_interest() -> dict[str, Any]:
    exchanges, stale, by_symbol = _exchanges(), [], {}
    for ex in exchanges:
        snap = snapshots.open_interest(ex)
        stale.append(snap.stale_since)
        prices = _last_prices(ex)
        meta = snapshots.markets_meta(ex).data
        for symbol, oi in snap.data.items():
            amount = _float(oi.amount)
            size = _float(getattr(meta.get(symbol), "contract_size", None)) or 1.0
            value = _float(oi.value)
            if value is None and amount is not None and symbol in prices:
                value = amount * size * prices[symbol]
            by_symbol.setdefault(symbol, {})[ex] = {"amount": amount, "value": value, "time": oi.time}
    rows = []
    for symbol, quotes in by_symbol.items():
        total = sum(q["value"] for q in quotes.values() if q["value"] is not None)
        rows.append({"symbol": symbol, "total_value": total, "by_exchange": {ex: quotes.get(ex) for ex in exchanges}})
    rows.sort(key=lambda r: -r["total_value"])
    return _envelope(
        {"exchanges": exchanges, "rows": rows}, source=_source_name("open interest"), stale_since=_oldest(stale)
    )


def open_interest_table() -> dict[str, Any]:
    """Open interest per symbol and exchange: ``{"exchanges", "rows": [{"symbol", "total_value",
    "by_exchange": {exchange: {"amount", "value", "time"} | None}}], ...}``, largest first (USDT)."""
    return _widget("open_interest", settings.FLAXU_TTL_FUNDING, _build_open_interest)


def open_interest_refresh() -> dict[str, Any]:
    payload = _store("open_interest", settings.FLAXU_TTL_FUNDING, _build_open_interest())
    push_coalesced(GROUPS["open_interest"], "open_interest", payload)
    return payload


# --- liquidation heatmap --------------------------------------------------------------------------


def _heatmap_state_key(symbol: str) -> str:
    return _key(f"heatmap-state:{symbol}")


def _requested_key(symbol: str) -> str:
    return _key(f"heatmap-requested:{symbol}")


def _open_interest_value(symbol: str) -> tuple[float | None, datetime | None]:
    """Total open interest of ``symbol`` over every exchange in USDT, and since when it is stale."""
    total, seen, stale = 0.0, False, []
    for ex in _exchanges():
        snap = snapshots.open_interest(ex)
        oi = snap.data.get(symbol)
        if oi is None:
            continue
        stale.append(snap.stale_since)
        value = _float(oi.value)
        if value is None and oi.amount is not None:
            price = _last_prices(ex).get(symbol)
            size = _float(getattr(snapshots.markets_meta(ex).data.get(symbol), "contract_size", None)) or 1.0
            value = float(oi.amount) * size * price if price else None
        if value is not None:
            total, seen = total + value, True
    return (total if seen else None), _oldest(stale)


def _candle_exchange() -> str:
    return candle_exchanges()[0]


def _typical(frame) -> np.ndarray:
    return ((frame["high"] + frame["low"] + frame["close"]) / 3.0).to_numpy()


def heatmap_update(symbol: str) -> liquidation_map.HeatmapState | None:
    """Feed the stored candles closed since the last update (and the current open interest) into the map.

    A new map is seeded from the last 24 h of 15-minute candles: today's open interest is spread over
    them by traded notional (volume x typical price), i.e. cumulative OI rises bar by bar to today's.
    Later updates read 1-minute candles and interpolate open interest linearly from the last observed
    value to today's. Without open interest the map only sweeps. None when there are no candles yet.
    """
    exchange = _candle_exchange()
    stored = cache.get(_heatmap_state_key(symbol))
    state = liquidation_map.HeatmapState.from_dict(stored) if stored else None
    oi_now, _ = _open_interest_value(symbol)
    if state is None:
        frame = candle_frame(exchange, symbol, "15m", limit=HEATMAP_SEED_BARS)
        step = 900
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
        step = 60
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
    cache.set(_heatmap_state_key(symbol), state.as_dict(), HEATMAP_STATE_TTL)
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
    if _demo() or not provider.enabled:
        return None
    coin, _ = base_coin(symbol)

    def build() -> dict[str, Any]:
        link = Link("coinglass", lambda: [b.as_dict() for b in provider.liquidation_history(coin, interval="1h")])
        fetched = first_good(f"coinglass:{coin}", [link])
        return _plain({"buckets": fetched.data or [], "source": fetched.source, "stale_since": fetched.stale_since})

    return _widget(f"coinglass:{coin}", COINGLASS_TTL, build)


def _within(rows: Iterable[tuple[float, float, float]], lo: float, hi: float) -> list[list[float]]:
    return [[p, long_, short] for p, long_, short in rows if lo <= p <= hi]


def _build_heatmap(symbol: str) -> dict[str, Any]:
    state = heatmap_update(symbol)
    _, oi_stale = _open_interest_value(symbol)
    price = _last_prices(_candle_exchange()).get(symbol) or (state.last_price if state else None)
    events = _liquidation_events(symbol, _now() - timedelta(hours=24))
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
    return _envelope(data, source=_source_name("candles + open interest (model)"), stale_since=oi_stale)


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
    _known_symbol(symbol)
    cache.add(_requested_key(symbol), True, HEATMAP_REQUESTED_TTL)  # one write per TTL, not one per read
    return _widget(f"heatmap:{symbol}", settings.FLAXU_TTL_LIQUIDATIONS, lambda: _build_heatmap(symbol))


def liquidation_map_for(symbol: str) -> liquidation_map.HeatmapState | None:
    """The current map of ``symbol`` (a ``LiquidationMap`` for the sniper engine), or None."""
    stored = cache.get(_heatmap_state_key(symbol))
    return liquidation_map.HeatmapState.from_dict(stored) if stored else None


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
            payload = _store(f"heatmap:{symbol}", settings.FLAXU_TTL_LIQUIDATIONS, _build_heatmap(symbol))
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


# --- top coins, fear & greed, altcoin season --------------------------------------------------------


def _replay_clock() -> float:
    return get_source().now().timestamp()


def _coin_row(coin: Any) -> dict[str, Any]:
    return coin.as_dict() if hasattr(coin, "as_dict") else dict(coin)


_MULTIPLIERS = (("1000000", 1e6), ("1000", 1e3), ("1M", 1e6))


def base_coin(symbol: str) -> tuple[str, float]:
    """``("PEPE", 1000.0)`` for ``1000PEPE/USDT:USDT``: the coin and how many of it one contract unit is."""
    base = symbol.split("/")[0].upper()
    for prefix, multiplier in _MULTIPLIERS:
        if base.startswith(prefix) and len(base) > len(prefix) and not base[len(prefix)].isdigit():
            return base[len(prefix) :], multiplier
    return base, 1.0


def _volume_top_list() -> list[dict[str, Any]]:
    """The fallback top list: perpetuals ranked by 24 h quote volume summed over the exchanges."""
    coins: dict[str, dict[str, Any]] = {}
    for ex in _exchanges():
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
            row["volume_24h"] += _float(t.quote_volume) or 0.0
            if row["price"] is None and t.last is not None:
                row["price"] = float(t.last) / multiplier
                row["change_24h_pct"] = _float(t.change_percent)
    if not coins:
        raise ProviderError("exchange volumes: no ticker snapshot yet")
    ranked = sorted(coins.values(), key=lambda r: -r["volume_24h"])
    for rank, row in enumerate(ranked, start=1):
        row["rank"] = rank
    return _plain(ranked)


def _top_list() -> Fetched:
    if _demo():
        primary = Link(
            "coingecko-replay", lambda: [_coin_row(c) for c in ReplayCoinGecko(clock=_replay_clock).top(TOP_COINS)]
        )
    else:
        primary = Link("coingecko", lambda: [_coin_row(c) for c in CoinGecko().top(TOP_COINS)])
    return first_good("top_coins", [primary, Link("exchange volumes", _volume_top_list)])


def _build_top_list() -> dict[str, Any]:
    fetched = _top_list()
    return _envelope(
        {"coins": fetched.data or [], "fetched_at": fetched.fetched_at, "errors": list(fetched.errors)},
        source=fetched.source,
        stale_since=fetched.stale_since,
    )


def _top_list_cached() -> dict[str, Any]:
    return _widget("top_coins", settings.FLAXU_TTL_TOP500, _build_top_list)


def _live_prices() -> dict[str, tuple[float, float | None]]:
    """Coin -> (last price, 24 h change %) from the first exchange's ticker snapshot that has it."""
    prices: dict[str, tuple[float, float | None]] = {}
    exchanges = _exchanges()
    tickers = snapshots.snapshots_of("tickers", exchanges)  # one cache call for every exchange
    for ex in exchanges:
        for symbol, t in tickers[ex].data.items():
            coin, multiplier = base_coin(symbol)
            if coin not in prices and t.last is not None:
                prices[coin] = (float(t.last) / multiplier, _float(t.change_percent))
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
    listing = _top_list_cached()
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
        "results": _plain(ordered[(page - 1) * per_page : page * per_page]),
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "total": total,
        "sort": sort,
        "query": query or "",
    }


def top_coins_refresh() -> dict[str, Any]:
    payload = _store("top_coins", settings.FLAXU_TTL_TOP500, _build_top_list())
    push_coalesced(
        GROUPS["top_coins"],
        "top_coins",
        {k: payload[k] for k in ("source", "stale_since", "updated_at", "fetched_at")}
        | {"total": len(payload["coins"])},
    )
    return payload


def _build_fear_greed() -> dict[str, Any]:
    if _demo():
        link = Link(
            "alternative.me-replay",
            lambda: ReplayAlternativeMe(clock=_replay_clock).fear_greed(FEAR_GREED_DAYS).as_dict(),
        )
    else:
        link = Link("alternative.me", lambda: AlternativeMe().fear_greed(FEAR_GREED_DAYS).as_dict())
    fetched = first_good("fear_greed", [link])
    data = fetched.data or {"value": None, "classification": None, "time": None, "next_update": None, "history": []}
    return _envelope({**data, "errors": list(fetched.errors)}, source=fetched.source, stale_since=fetched.stale_since)


def fear_greed() -> dict[str, Any]:
    """``{"value" (0-100), "classification", "time", "next_update", "history": [{"time", "value",
    "classification"}] (30 days, oldest first), "errors", ...}``; values None only if it never loaded."""
    return _widget("fear_greed", settings.FLAXU_TTL_FEAR_GREED, _build_fear_greed)


def fear_greed_refresh() -> dict[str, Any]:
    payload = _store("fear_greed", settings.FLAXU_TTL_FEAR_GREED, _build_fear_greed())
    push_coalesced(GROUPS["fear_greed"], "fear_greed", {k: v for k, v in payload.items() if k != "history"})
    return payload


def _daily_closes(exchange: str, symbols: Iterable[str], now: datetime) -> dict[str, np.ndarray]:
    """Closes of stored, closed daily candles ending yesterday (UTC) by coin symbol."""
    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    closes = {}
    for symbol in symbols:
        frame = candle_frame(exchange, symbol, "1d", end=today, limit=120)
        if frame.empty or frame.index[-1] < today - timedelta(days=1):  # history must end yesterday
            continue
        coin, _ = base_coin(symbol)
        closes[coin] = frame["close"].to_numpy()
    return closes


def _build_altcoin_season() -> dict[str, Any]:
    listing = _top_list_cached()
    coins = [
        indices.Coin(c["symbol"], c.get("name") or c["symbol"], c.get("market_cap") or c.get("volume_24h"))
        for c in listing["coins"]
    ]
    exchange = _candle_exchange()
    closes = _daily_closes(exchange, snapshots.universe(), get_source().now())
    result = indices.altcoin_season(coins, closes)
    windows = {
        str(w): {
            "index": s.index,
            "label": s.label,
            "beat": s.beat,
            "counted": s.counted,
            "bitcoin_return_pct": s.bitcoin_return_pct,
            "returns_pct": s.returns_pct,
            "missing": list(s.missing),
        }
        for w, s in result.windows.items()
    }
    return _envelope(
        {
            "index": result.windows[90].index,
            "label": result.windows[90].label,
            "index_30d": result.windows[30].index,
            "label_30d": result.windows[30].label,
            "windows": windows,
            "universe": list(result.universe),
            "excluded": result.excluded,
            "ranked_by": "market cap" if any(c.get("market_cap") for c in listing["coins"]) else "24 h volume",
            "candles": f"{exchange} daily candles",
            "thresholds": {"altcoin_season": indices.ALTCOIN_SEASON_AT, "bitcoin_season": indices.BITCOIN_SEASON_AT},
        },
        source=f"{listing['source']} + {exchange} daily candles" if listing["source"] else None,
        stale_since=listing["stale_since"],
    )


def altcoin_season() -> dict[str, Any]:
    """Altcoin Season Index (ours): ``{"index" (90 d), "label", "index_30d", "label_30d", "windows":
    {"90"|"30": {"index", "label", "beat", "counted", "bitcoin_return_pct", "returns_pct", "missing"}},
    "universe", "excluded": {symbol: reason}, "ranked_by", "candles", "thresholds", ...}``.

    Coins of the top 50 without our daily candles are listed as missing, not counted."""
    return _widget("altcoin_season", settings.FLAXU_TTL_FEAR_GREED, _build_altcoin_season)


def altcoin_season_refresh() -> dict[str, Any]:
    payload = _store("altcoin_season", settings.FLAXU_TTL_FEAR_GREED, _build_altcoin_season())
    push_coalesced(
        GROUPS["altcoin_season"],
        "altcoin_season",
        {k: payload[k] for k in ("index", "label", "index_30d", "label_30d", "source", "stale_since", "updated_at")},
    )
    return payload


def provider_status() -> list[dict[str, Any]]:
    """Health of every provider that has been called (for the staff dashboard)."""
    from market.providers.base import all_provider_health

    return _plain([h.as_dict() for h in all_provider_health()])
