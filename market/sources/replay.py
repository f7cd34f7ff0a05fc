"""The replay source: the seeded simulator (or a user's CSV) played forward in real time, shown as DEMO.

Numbers come from ``market.simulator`` as floats and leave here as the gateway's dataclasses with Decimal
prices on each market's price step, so callers cannot tell the replay from an exchange.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal

from market.exchanges import errors
from market.exchanges.types import Candle, FundingRate, LongShortRatio, Market, OpenInterest, OrderBook, Ticker
from market.simulator.base import BOOK_LEVELS, DAY_SECONDS, ORIGIN_DAY
from market.simulator.clock import ReplayClock
from market.simulator.csv_paths import CsvPaths
from market.simulator.market import MarketSimulator
from market.simulator.venues import venue
from market.sources.base import Liquidation
from market.timeframes import TIMEFRAME_SECONDS

DEFAULT_LIMIT = 500
MAX_LIMIT = 1500
EARLIEST = (ORIGIN_DAY + 1) * DAY_SECONDS

# How each exchange spells a perpetual's market id.
_MARKET_IDS = {
    "bingx": "{base}-USDT",
    "binanceusdm": "{base}USDT",
    "okx": "{base}-USDT-SWAP",
    "bybit": "{base}USDT",
}


def _exponent(step: float) -> int:
    return round(math.log10(step))


def _decimal(value: float, exponent: int) -> Decimal:
    """``value`` rounded to 10**exponent, exactly (no binary float digits leak into the Decimal)."""
    if exponent >= 0:
        return Decimal(round(value / 10**exponent) * 10**exponent)
    return Decimal(round(value * 10.0 ** (-exponent))).scaleb(exponent)


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


class ReplaySource:
    """``MarketSource`` over ``MarketSimulator``; ``now()`` is replay time (see ``ReplayClock``)."""

    name = "replay"
    is_demo = True

    def __init__(
        self,
        *,
        seed: int = 42,
        exchanges: tuple[str, ...] | list[str] = ("bingx", "binanceusdm", "okx", "bybit"),
        speed: float = 1.0,
        csv_path: str | None = None,
        start: float | None = None,
        anchor: float | None = None,
        clock: ReplayClock | None = None,
    ):
        paths = CsvPaths(csv_path, seed=seed) if csv_path else None
        self.simulator = MarketSimulator(seed=seed, exchanges=tuple(exchanges), paths=paths)
        self.seed, self.csv_path = seed, csv_path
        if clock is None:
            until = None
            if paths is not None:
                first, end = paths.span()
                # Half the file is history when the replay starts; the other half plays forward.
                anchor = anchor if anchor is not None else first + (end - first) // 2 // 60 * 60
                until = end - 1  # the last second of the last candle: prices hold there
            clock = ReplayClock(speed=speed, anchor=anchor, start=start, until=until)
        self.clock = clock
        self._exponents: dict[str, tuple[int, int, int]] = {}

    def __repr__(self) -> str:
        what = f"csv={self.csv_path}" if self.csv_path else f"seed={self.seed}"
        return f"<ReplaySource {what} speed={self.clock.speed}>"

    # Clock and universe ----------------------------------------------------------------------------

    def now(self) -> datetime:
        return _moment(self.clock.now())

    @property
    def detail(self) -> str:
        """One line for the UI's DEMO badge."""
        what = f"CSV {self.csv_path}" if self.csv_path else f"simulated market, seed {self.seed}"
        ended = ", ended" if self.clock.ended else ""
        return f"Replay: {what}, {self.clock.speed:g}x speed{ended}"

    def exchanges(self) -> list[str]:
        return list(self.simulator.exchanges)

    def universe(self) -> list[str]:
        return self.simulator.symbols()

    def _check(self, exchange: str, symbol: str | None = None) -> None:
        if exchange not in self.simulator.exchanges:
            raise errors.InvalidRequest(
                f"Unknown exchange {exchange!r}; expected one of {', '.join(self.simulator.exchanges)}."
            )
        if symbol is not None and symbol not in self.simulator.symbols():
            raise errors.InvalidRequest(f"{exchange} has no market {symbol!r}.")

    def _exp(self, symbol: str) -> tuple[int, int, int]:
        """(price, amount, volume) decimal exponents of a symbol."""
        if symbol not in self._exponents:
            inst = self.simulator.instrument(symbol)
            amount = _exponent(inst.amount_step)
            self._exponents[symbol] = (_exponent(inst.price_step), amount, min(amount - 2, 0))
        return self._exponents[symbol]

    # Prices ----------------------------------------------------------------------------------------

    def tickers(self, exchange: str) -> dict[str, Ticker]:
        self._check(exchange)
        t = self.clock.now()
        out = {}
        for symbol in self.universe():
            tick = self.simulator.ticker(exchange, symbol, t)
            if not math.isfinite(tick.last):
                continue
            p, _a, v = self._exp(symbol)
            change = tick.change_percent
            out[symbol] = Ticker(
                exchange=exchange,
                symbol=symbol,
                last=_decimal(tick.last, p),
                bid=_decimal(tick.bid, p),
                ask=_decimal(tick.ask, p),
                change_percent=_decimal(change, -2) if math.isfinite(change) else None,
                base_volume=_decimal(tick.base_volume, v),
                quote_volume=_decimal(tick.quote_volume, -2),
                time=_moment(t),
            )
        return out

    def order_book(self, exchange: str, symbol: str, depth: int = 20) -> OrderBook:
        """Up to ``BOOK_LEVELS`` (50) levels a side."""
        self._check(exchange, symbol)
        if depth < 1:
            raise errors.InvalidRequest("depth is at least 1.")
        t = self.clock.now()
        book = self.simulator.order_book(exchange, symbol, t, min(depth, BOOK_LEVELS))
        p, a, _v = self._exp(symbol)

        def levels(rows) -> tuple[tuple[Decimal, Decimal], ...]:
            return tuple((_decimal(price, p), _decimal(amount, a)) for price, amount in rows.tolist())

        return OrderBook(
            exchange=exchange, symbol=symbol, bids=levels(book.bids), asks=levels(book.asks), time=_moment(t)
        )

    def ohlcv(
        self, exchange: str, symbol: str, timeframe: str, since: datetime | None = None, limit: int | None = None
    ) -> list[Candle]:
        self._check(exchange, symbol)
        if timeframe not in TIMEFRAME_SECONDS:
            raise errors.InvalidRequest(f"{exchange} has no {timeframe!r} candles.")
        if since is not None and since.tzinfo is None:
            raise errors.InvalidRequest("Use timezone-aware datetimes.")
        limit = min(max(int(limit or DEFAULT_LIMIT), 1), MAX_LIMIT)
        step = TIMEFRAME_SECONDS[timeframe]
        now = self.clock.now()
        # The latest `limit` candles, or `limit` from `since` (inclusive when on a boundary).
        first = (int(now) // step - limit + 1) if since is None else math.ceil(since.timestamp() / step)
        start = first * step
        start = max(start, math.ceil(EARLIEST / step) * step)
        if start > now:
            return []
        bars = self.simulator.candles(exchange, symbol, timeframe, start, start + limit * step, now)
        p, _a, v = self._exp(symbol)
        return [
            Candle(
                time=_moment(t),
                open=_decimal(o, p),
                high=_decimal(h, p),
                low=_decimal(lo, p),
                close=_decimal(c, p),
                volume=_decimal(vol, v),
            )
            for t, o, h, lo, c, vol in zip(
                bars.time.tolist(),
                bars.open.tolist(),
                bars.high.tolist(),
                bars.low.tolist(),
                bars.close.tolist(),
                bars.volume.tolist(),
                strict=True,
            )
        ]

    # Derivatives data ------------------------------------------------------------------------------

    def funding_rates(self, exchange: str) -> dict[str, FundingRate]:
        self._check(exchange)
        t = self.clock.now()
        out = {}
        for symbol in self.universe():
            f = self.simulator.funding(exchange, symbol, t)
            if not math.isfinite(f.mark_price):
                continue
            p = self._exp(symbol)[0]
            out[symbol] = FundingRate(
                exchange=exchange,
                symbol=symbol,
                rate=_decimal(f.rate, -6),
                next_funding_time=_moment(f.next_funding_time),
                mark_price=_decimal(f.mark_price, p),
                index_price=_decimal(f.index_price, p) if math.isfinite(f.index_price) else None,
                interval="8h",
            )
        return out

    def open_interest(self, exchange: str, symbol: str) -> OpenInterest:
        self._check(exchange, symbol)
        t = self.clock.now()
        amount, value = self.simulator.open_interest(exchange, symbol, t)
        if not math.isfinite(value):
            raise errors.ExchangeUnavailable(f"The replay has no {symbol} data at {_moment(t):%Y-%m-%d %H:%M}.")
        return OpenInterest(
            exchange=exchange,
            symbol=symbol,
            amount=_decimal(amount, self._exp(symbol)[1]),
            value=_decimal(value, -2),
            time=_moment(t),
        )

    def long_short_ratio(self, exchange: str, symbol: str) -> LongShortRatio:
        self._check(exchange, symbol)
        try:
            ratio, slot = self.simulator.long_short(exchange, symbol, self.clock.now())
        except LookupError:
            raise errors.NotOffered(f"{exchange} does not publish long/short ratios.") from None
        return LongShortRatio(
            exchange=exchange, symbol=symbol, timeframe="5m", ratio=_decimal(ratio, -4), time=_moment(slot)
        )

    def markets(self, exchange: str) -> dict[str, Market]:
        self._check(exchange)
        fees = venue(exchange)
        out = {}
        for symbol in self.universe():
            inst = self.simulator.instrument(symbol)
            p, a, _v = self._exp(symbol)
            step = Decimal(10) ** a
            out[symbol] = Market(
                exchange=exchange,
                symbol=symbol,
                id=_MARKET_IDS.get(exchange, "{base}USDT").format(base=inst.base),
                base=inst.base,
                quote="USDT",
                settle="USDT",
                type="swap",
                active=True,
                contract_size=Decimal(1),
                amount_step=step,
                price_step=Decimal(10) ** p,
                min_amount=step,
                max_amount=None,
                min_cost=Decimal(5),
                max_leverage=Decimal(inst.params.max_leverage),
                maker_fee=Decimal(repr(fees.maker_fee)),
                taker_fee=Decimal(repr(fees.taker_fee)),
            )
        return out

    def taker_fee(self, exchange: str, symbol: str) -> Decimal:
        self._check(exchange, symbol)
        return Decimal(repr(venue(exchange).taker_fee))

    def liquidations(self, since: datetime, until: datetime | None = None) -> list[Liquidation]:
        now = self.clock.now()
        end = min(until.timestamp(), now) if until is not None else now
        start = max(since.timestamp(), end - DAY_SECONDS)  # at most a day at a time
        if end <= start:
            return []
        events = self.simulator.liquidations(start, end)
        symbols, exchanges = self.simulator.symbols(), self.simulator.exchanges
        out = []
        for when, ex, si, side, price, amount in zip(*(col.tolist() for col in events), strict=True):
            symbol = symbols[int(si)]
            p, a, _v = self._exp(symbol)
            price_d = _decimal(price, p)
            amount_d = max(_decimal(amount, a), Decimal(10) ** a)
            out.append(
                Liquidation(
                    exchange=exchanges[int(ex)],
                    symbol=symbol,
                    side="long" if side > 0 else "short",
                    price=price_d,
                    amount=amount_d,
                    value=(price_d * amount_d).quantize(Decimal("0.01")),
                    time=_moment(when),
                )
            )
        return out
