"""Exchanges over the fair path: each venue's fees, share and funding bias, and its own 1-minute bars
(the fair price times exp(basis): a static offset, smoothed noise, now and then a real arbitrage gap)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from market.simulator.base import (
    _BASIS,
    _GAP,
    _NOISE,
    _STATIC,
    DAY_SECONDS,
    MINUTES_PER_DAY,
    DayBars,
    PricePath,
    _extremes,
    _key,
    _rng,
    _smooth,
)
from market.simulator.instruments import Instrument
from market.simulator.paths import SyntheticPaths


@dataclass(frozen=True)
class Venue:
    share: float  # of volume and open interest
    maker_fee: float
    taker_fee: float
    funding_offset: float  # this venue's funding bias
    long_short: bool  # publishes long/short ratios


VENUES = {
    "binanceusdm": Venue(0.42, 0.0002, 0.0005, 0.0, True),
    "bybit": Venue(0.22, 0.0002, 0.00055, 0.00001, True),
    "okx": Venue(0.20, 0.0002, 0.0005, -0.00001, True),
    "bingx": Venue(0.16, 0.0002, 0.0005, 0.00003, False),
}
OTHER_VENUE = Venue(0.10, 0.0002, 0.0006, 0.0, True)


def venue(exchange: str) -> Venue:
    return VENUES.get(exchange, OTHER_VENUE)


@dataclass(frozen=True)
class Gap:
    exchange: str
    start: int
    end: int
    magnitude: float  # the exchange's price is off the others by this fraction (±)


class VenueDays:
    """The exchanges' own 1-minute bars over a fair path (``MarketSimulator`` serves everything from them)."""

    def __init__(
        self, seed: int = 42, exchanges: Sequence[str] = tuple(VENUES), paths: PricePath | None = None
    ) -> None:
        self.seed = int(seed)
        self.exchanges = tuple(exchanges)
        if not self.exchanges:
            raise ValueError("at least one exchange")
        self.paths = paths or SyntheticPaths(self.seed)
        # The last 320 (exchange, symbol, day) bars: a day of 1-minute bars is built once, read many times.
        self._venue_day = lru_cache(maxsize=320)(self._make_venue_day)

    # Universe --------------------------------------------------------------------------------------

    def symbols(self) -> list[str]:
        return self.paths.symbols()

    def instrument(self, symbol: str) -> Instrument:
        return self.paths.instrument(symbol)

    def _check(self, exchange: str, symbol: str) -> None:
        if exchange not in self.exchanges:
            raise KeyError(f"unknown exchange {exchange!r}")
        self.instrument(symbol)

    # Per-exchange days -------------------------------------------------------------------------------

    def gaps(self, symbol: str, day: int) -> list[Gap]:
        """The arbitrage gaps of one symbol-day (at most one; on one exchange)."""
        rng = _rng(self.seed, _key(symbol), day, _GAP)
        if rng.random() >= 0.35 or len(self.exchanges) < 2:
            return []
        exchange = self.exchanges[int(rng.integers(len(self.exchanges)))]
        start = int(rng.integers(0, MINUTES_PER_DAY - 30))
        length = int(rng.integers(4, 21))
        size = rng.uniform(0.008, 0.02) * (1 if rng.random() < 0.5 else -1)
        t = day * DAY_SECONDS + start * 60
        return [Gap(exchange, t, t + length * 60, float(size))]

    def venue_day(self, exchange: str, symbol: str, day: int) -> DayBars:
        """The day's 1-minute bars on one exchange: fair bars times exp(basis), the venue's volume."""
        return self._venue_day(exchange, symbol, day)

    def basis(self, exchange: str, symbol: str, day: int) -> np.ndarray:
        """Per-minute log basis of an exchange's price over the fair price."""
        inst = self.instrument(symbol)
        static = _rng(self.seed, _key(symbol), _key(exchange), _STATIC).normal(0, 1.5e-4)
        span = 12
        # The smoothing window reaches into the previous day's noise, so the basis runs on over midnight.
        noise = np.concatenate(
            [self._basis_noise(exchange, symbol, day - 1)[-(4 * span - 1) :], self._basis_noise(exchange, symbol, day)]
        )
        noise_bps = 2.0 + 0.6 * inst.tier
        b = static + _smooth(noise, span) * noise_bps * 1e-4
        for gap in self.gaps(symbol, day):
            if gap.exchange != exchange:
                continue
            a = (gap.start - day * DAY_SECONDS) // 60
            z = (gap.end - day * DAY_SECONDS) // 60
            shape = np.ones(z - a)
            shape[0] = 0.5
            shape[-1] = 0.5
            b[a:z] += math.log1p(gap.magnitude) * shape
        return b

    def _basis_noise(self, exchange: str, symbol: str, day: int) -> np.ndarray:
        return _rng(self.seed, _key(symbol), _key(exchange), day, _BASIS).standard_normal(MINUTES_PER_DAY)

    def _make_venue_day(self, exchange: str, symbol: str, day: int) -> DayBars:
        fair = self.paths.day(symbol, day)
        b = self.basis(exchange, symbol, day)
        scale = np.exp(b)
        prev = np.exp(np.concatenate([self.basis(exchange, symbol, day - 1)[-1:], b[:-1]]))
        open_ = fair.open * prev  # where the previous minute closed on this exchange
        base = fair.base * scale
        close = fair.close * scale
        high, low = _extremes(base, open_, close, fair.sub)
        rng = _rng(self.seed, _key(symbol), _key(exchange), day, _NOISE)
        share = venue(exchange).share * math.exp(0.1 * rng.standard_normal())
        volume = fair.volume * share * rng.lognormal(-0.02, 0.2, MINUTES_PER_DAY)
        return DayBars(fair.t0, open_, high, low, close, volume, fair.sigma, base, fair.sub, fair.valid, fair.events)
