"""What the replay source serves, as plain numbers for any time ``t``: candles (closed and forming),
tickers, order books, funding, open interest, long/short ratios and liquidations, all derived from the
exchanges' bars (``market.simulator.venues``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from market.simulator.base import (
    _BOOK,
    _LIQ,
    _NOISE,
    BOOK_LEVELS,
    DAY_SECONDS,
    MINUTES_PER_DAY,
    SUBSTEPS,
    Bars,
    DayBars,
    Event,
    _key,
    _rng,
)
from market.simulator.venues import VenueDays, venue
from market.timeframes import TIMEFRAME_SECONDS


class SimTicker(NamedTuple):
    last: float
    bid: float
    ask: float
    change_percent: float
    base_volume: float
    quote_volume: float
    time: float


class SimBook(NamedTuple):
    bids: np.ndarray  # (depth, 2) price, amount; best first
    asks: np.ndarray
    time: float


class SimFunding(NamedTuple):
    rate: float
    next_funding_time: float
    mark_price: float
    index_price: float


class SimLiquidations(NamedTuple):
    """Liquidation events: ``side`` is the liquidated position's side (1 long, -1 short)."""

    time: np.ndarray
    exchange: np.ndarray  # index into the simulator's exchanges
    symbol: np.ndarray  # index into the simulator's symbols
    side: np.ndarray
    price: np.ndarray
    amount: np.ndarray  # base units


class MarketSimulator(VenueDays):
    """Everything the replay source serves, as plain numbers, for any time ``t`` (epoch seconds)."""

    # Candles -----------------------------------------------------------------------------------------

    def minutes(self, exchange: str, symbol: str, start: int, end: int) -> Bars:
        """1-minute bars with open time in [start, end) (minute-aligned); missing minutes are NaN."""
        self._check(exchange, symbol)
        start, end = start - start % 60, end - end % 60
        first_day, last_day = start // DAY_SECONDS, (end - 1) // DAY_SECONDS
        parts: list[DayBars] = [self.venue_day(exchange, symbol, d) for d in range(first_day, last_day + 1)]
        cat = {
            name: np.concatenate([getattr(p, name) for p in parts])
            for name in ("open", "high", "low", "close", "volume")
        }
        valid = np.concatenate([p.valid if p.valid is not None else np.ones(MINUTES_PER_DAY, bool) for p in parts])
        a = (start - first_day * DAY_SECONDS) // 60
        z = a + (end - start) // 60
        times = first_day * DAY_SECONDS + np.arange(a, z, dtype=np.int64) * 60
        cols = {name: values[a:z].copy() for name, values in cat.items()}
        for values in cols.values():
            values[~valid[a:z]] = np.nan
        return Bars(times, cols["open"], cols["high"], cols["low"], cols["close"], cols["volume"])

    def forming_minute(self, exchange: str, symbol: str, t: float) -> tuple[float, float, float, float, float]:
        """(open, high, low, last, volume) of the minute containing ``t``, as far as it has traded."""
        minute = int(t // 60)
        day = minute // MINUTES_PER_DAY
        bars = self.venue_day(exchange, symbol, day)
        m = minute - day * MINUTES_PER_DAY
        if bars.valid is not None and not bars.valid[m]:
            return (math.nan,) * 5
        done = int((t - minute * 60) / 60 * SUBSTEPS)
        o = float(bars.open[m])
        if done == 0:
            return o, o, o, o, 0.0
        path = bars.base[m] * np.exp(bars.sub[m, :done].astype(np.float64))
        last = float(bars.close[m]) if done >= SUBSTEPS else float(path[-1])
        return o, max(o, float(path.max())), min(o, float(path.min())), last, float(bars.volume[m] * done / SUBSTEPS)

    def candles(self, exchange: str, symbol: str, timeframe: str, start: float, end: float, now: float) -> Bars:
        """Candles with open time in [start, end) as the exchange shows them at ``now``: closed ones, and
        the forming one (if it opened before ``now``) as far as it has traded."""
        step = TIMEFRAME_SECONDS[timeframe]
        start = int(start) - int(start) % step
        end = min(math.ceil(end / step) * step, (int(now) // step + 1) * step)
        if end <= start:
            return Bars(*(np.empty(0, dtype=np.int64),), *(np.empty(0) for _ in range(5)))
        m = self.minutes(exchange, symbol, start, end)
        now_minute = int(now) // 60 * 60
        future = m.time >= now_minute
        for values in (m.open, m.high, m.low, m.close, m.volume):
            values[future] = np.nan
        k = np.searchsorted(m.time, now_minute)
        if k < len(m.time) and m.time[k] == now_minute:
            o, h, lo, c, v = self.forming_minute(exchange, symbol, now)
            m.open[k], m.high[k], m.low[k], m.close[k], m.volume[k] = o, h, lo, c, v
        return aggregate(m, step)

    # Events ------------------------------------------------------------------------------------------

    def events(self, symbol: str, start: float, end: float) -> list[Event]:
        """Pumps and dumps starting in [start, end)."""
        days = range(int(start) // DAY_SECONDS, int(end - 1) // DAY_SECONDS + 1)
        return [e for d in days for e in self.paths.day(symbol, d).events if start <= e.start < end]

    # Prices now --------------------------------------------------------------------------------------

    def price(self, exchange: str, symbol: str, t: float) -> float:
        return self.forming_minute(exchange, symbol, t)[3]

    def _close_before(self, exchange: str, symbol: str, t: float) -> float:
        """Close of the last minute that ended at or before ``t`` (NaN outside the data)."""
        minute = int(t // 60) - 1
        day = minute // MINUTES_PER_DAY
        return float(self.venue_day(exchange, symbol, day).close[minute - day * MINUTES_PER_DAY])

    def _fair_return(self, symbol: str, t: float, seconds: int) -> float:
        a = self._close_before(self.exchanges[0], symbol, t - seconds)
        b = self._close_before(self.exchanges[0], symbol, t)
        value = math.log(b / a) if a > 0 and b > 0 else 0.0
        return value if math.isfinite(value) else 0.0

    def order_book(self, exchange: str, symbol: str, t: float, depth: int = 20) -> SimBook:
        """A depth-``depth`` book around the exchange's price at ``t`` (redrawn every 3 s)."""
        self._check(exchange, symbol)
        inst = self.instrument(symbol)
        params = inst.params
        mid = self.price(exchange, symbol, t)
        tick, lot = inst.price_step, inst.amount_step
        slot = int(t // (60 / SUBSTEPS))
        rng = _rng(self.seed, _key(exchange), _key(symbol), slot, _BOOK)
        half = mid * params.spread_bps / 2e4 * rng.uniform(0.6, 1.6)
        best_bid = math.floor((mid - half) / tick) * tick
        best_ask = math.ceil((mid + half) / tick) * tick
        if best_ask - best_bid < tick * 0.5:
            best_ask = best_bid + tick
        gap_ticks = np.maximum(1, np.round(rng.exponential(mid * params.level_gap_bps / 1e4 / tick, (2, BOOK_LEVELS))))
        gap_ticks[:, 0] = 0
        notional = params.level_usd * rng.lognormal(-0.25, 0.7, (2, BOOK_LEVELS)) * (1 + 0.1 * np.arange(BOOK_LEVELS))
        amounts = np.maximum(np.floor(notional / mid / lot), 1) * lot
        bid_prices = best_bid - np.cumsum(gap_ticks[0]) * tick
        ask_prices = best_ask + np.cumsum(gap_ticks[1]) * tick
        depth = max(1, min(depth, BOOK_LEVELS))
        bids = np.column_stack([bid_prices, amounts[0]])[:depth]
        asks = np.column_stack([ask_prices, amounts[1]])[:depth]
        return SimBook(bids[bids[:, 0] > 0], asks, float(t))

    def ticker(self, exchange: str, symbol: str, t: float) -> SimTicker:
        self._check(exchange, symbol)
        last = self.price(exchange, symbol, t)
        book = self.order_book(exchange, symbol, t, 1)
        day_ago = self._close_before(exchange, symbol, t - DAY_SECONDS + 60)
        window = self.minutes(exchange, symbol, int(t) - DAY_SECONDS, int(t) // 60 * 60)
        base = float(np.nansum(window.volume))
        quote = float(np.nansum(window.volume * window.close))
        change = (last / day_ago - 1) * 100 if day_ago > 0 else math.nan
        return SimTicker(last, float(book.bids[0, 0]), float(book.asks[0, 0]), change, base, quote, float(t))

    def funding(self, exchange: str, symbol: str, t: float) -> SimFunding:
        """Predicted funding rate for the next 8-hour settlement (00:00, 08:00, 16:00 UTC)."""
        self._check(exchange, symbol)
        premium = self._fair_return(symbol, t, 8 * 3600)
        hour = int(t // 3600)
        noise = _rng(self.seed, _key(exchange), _key(symbol), hour, _NOISE).standard_normal()
        rate = 0.0001 + 0.0012 * math.tanh(premium / 0.04) + 0.00004 * noise + venue(exchange).funding_offset
        rate = round(min(max(rate, -0.003), 0.003), 6)
        settle = (int(t) // (8 * 3600) + 1) * 8 * 3600
        mark = self.price(exchange, symbol, t)
        index = self.forming_minute(self.exchanges[0], symbol, t)[3] / math.exp(
            self.basis(self.exchanges[0], symbol, int(t) // DAY_SECONDS)[int(t) % DAY_SECONDS // 60]
        )
        return SimFunding(rate, float(settle), mark, index)

    def open_interest(self, exchange: str, symbol: str, t: float) -> tuple[float, float]:
        """(contracts in base units, value in USDT) of open interest on the exchange."""
        self._check(exchange, symbol)
        inst = self.instrument(symbol)
        day = int(t) // DAY_SECONDS
        drift = _rng(self.seed, _key(exchange), _key(symbol), day, _NOISE).standard_normal()
        r24, r1 = self._fair_return(symbol, t, DAY_SECONDS), self._fair_return(symbol, t, 3600)
        factor = 0.25 * math.tanh(r24 / 0.08) + 0.08 * drift + 0.08 * math.tanh(r1 / 0.02) - 2.0 * max(0.0, -r1 - 0.03)
        value = inst.params.open_interest_usd * venue(exchange).share * math.exp(factor)
        price = self.price(exchange, symbol, t)
        return value / price, value

    def long_short(self, exchange: str, symbol: str, t: float) -> tuple[float, float]:
        """(account long/short ratio, its 5-minute time); KeyError if the exchange does not publish it."""
        self._check(exchange, symbol)
        if not venue(exchange).long_short:
            raise LookupError(f"{exchange} does not publish long/short ratios")
        slot = int(t) // 300 * 300
        noise = _rng(self.seed, _key(exchange), _key(symbol), slot, _NOISE).standard_normal()
        r4 = self._fair_return(symbol, slot, 4 * 3600)
        ratio = math.exp(0.25 - 0.35 * math.tanh(r4 / 0.03) + 0.06 * noise)
        return round(ratio, 4), float(slot)

    # Liquidations ------------------------------------------------------------------------------------

    def liquidations(self, start: float, end: float, symbols: Sequence[str] | None = None) -> SimLiquidations:
        """Liquidation events in [start, end), oldest first: more of them the bigger the move, longs on
        the way down and shorts on the way up."""
        names = self.symbols()
        chosen = names if symbols is None else list(symbols)
        shares = np.array([venue(e).share for e in self.exchanges])
        shares /= shares.sum()
        parts: list[tuple] = []
        for symbol in chosen:
            si = names.index(symbol)
            tier = self.instrument(symbol).params
            for day in range(int(start) // DAY_SECONDS, int(end - 1) // DAY_SECONDS + 1):
                bars = self.paths.day(symbol, day)
                rng = _rng(self.seed, _key(symbol), day, _LIQ)
                r = np.log(bars.close / bars.open)
                z = np.nan_to_num(np.abs(r) / bars.sigma)
                lam = 0.03 + 1.5 * np.maximum(z - 1.2, 0.0) ** 2
                counts = rng.poisson(lam)
                total = int(counts.sum())
                minute = np.repeat(np.arange(MINUTES_PER_DAY), counts)
                when = bars.t0 + minute * 60 + rng.uniform(0, 60, total)
                down = r[minute] < 0
                side = np.where(rng.random(total) < 0.85, np.where(down, 1, -1), np.where(down, -1, 1))
                u = rng.random(total)
                lo, hi = bars.low[minute], bars.high[minute]
                price = np.where(side == 1, lo + (hi - lo) * u * 0.5, hi - (hi - lo) * u * 0.5)
                notional = tier.level_usd * 0.2 * rng.lognormal(0, 1.2, total)
                exchange = rng.choice(len(self.exchanges), total, p=shares)
                keep = (when >= start) & (when < end) & np.isfinite(price)
                parts.append(
                    (
                        when[keep],
                        exchange[keep],
                        np.full(keep.sum(), si),
                        side[keep],
                        price[keep],
                        notional[keep] / price[keep],
                    )
                )
        if not parts:
            return SimLiquidations(*(np.empty(0) for _ in range(6)))
        cols = [np.concatenate([p[i] for p in parts]) for i in range(6)]
        order = np.argsort(cols[0], kind="stable")
        return SimLiquidations(*(c[order] for c in cols))


def aggregate(m: Bars, step: int) -> Bars:
    """1-minute bars (aligned to ``step``, NaN where missing) as ``step``-second candles; empty ones dropped."""
    k = step // 60
    n = len(m.time) // k * k
    if n == 0:
        return Bars(np.empty(0, dtype=np.int64), *(np.empty(0) for _ in range(5)))
    shape = (-1, k)
    o, h, lo, c, v = (x[:n].reshape(shape) for x in (m.open, m.high, m.low, m.close, m.volume))
    present = ~np.isnan(o)
    has = present.any(1)
    rows = np.arange(len(o))
    first = present.argmax(1)
    last = k - 1 - present[:, ::-1].argmax(1)
    out = Bars(
        m.time[:n:k],
        o[rows, first],
        np.fmax.reduce(h, axis=1),
        np.fmin.reduce(lo, axis=1),
        c[rows, last],
        np.where(present, v, 0.0).sum(1),
    )
    return Bars(*(x[has] for x in out))
