"""The generated fair (cross-exchange) price path, one UTC day at a time from a seed derived from (seed,
symbol, day): mean-reverting daily levels, GARCH minutes with intraday seasonality shaped into regimes
(trends, ranges, squeezes: ``regimes.py``), pumps and dumps, a 3-second sub-minute path."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from threading import Lock

import numpy as np

from market.simulator.base import (
    _DAILY,
    _INTRADAY,
    DAY_SECONDS,
    LAST_DAY,
    MINUTES_PER_DAY,
    ORIGIN_DAY,
    SUBSTEPS,
    DayBars,
    Event,
    PricePath,
    _extremes,
    _key,
    _ou,
    _rng,
    _student,
)
from market.simulator.instruments import UNIVERSE, Instrument
from market.simulator.regimes import _REGIME, apply_regimes


def _seasonality() -> np.ndarray:
    """Intraday volatility profile over the UTC day, mean square 1: quiet Asian night, London, US open."""
    m = np.arange(MINUTES_PER_DAY)

    def bump(center: float, width: float) -> np.ndarray:
        distance = np.minimum(np.abs(m - center), MINUTES_PER_DAY - np.abs(m - center))
        return np.exp(-((distance / width) ** 2))

    s = 1.0 + 0.3 * np.cos(2 * np.pi * (m - 15 * 60) / MINUTES_PER_DAY)
    s += 0.25 * bump(0, 20) + 0.35 * bump(8 * 60, 30) + 0.8 * bump(13 * 60 + 30, 25) + 0.4 * bump(14 * 60 + 30, 40)
    return s / np.sqrt(np.mean(s**2))


SEASONALITY = _seasonality()


class SyntheticPaths(PricePath):
    """Generated prices for the instruments (UNIVERSE by default)."""

    def __init__(self, seed: int, instruments: Sequence[Instrument] = UNIVERSE, cache_days: int = 160) -> None:
        self.seed = int(seed)
        self._instruments = {i.symbol: i for i in instruments}
        self._day = lru_cache(maxsize=cache_days)(self._make_day)  # generated days, most recent kept
        self._levels: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._lock = Lock()
        self._market: tuple[np.ndarray, np.ndarray] | None = None

    def symbols(self) -> list[str]:
        return list(self._instruments)

    def instrument(self, symbol: str) -> Instrument:
        try:
            return self._instruments[symbol]
        except KeyError:
            raise KeyError(f"unknown symbol {symbol!r}") from None

    # Daily levels ------------------------------------------------------------------------------

    def _market_factor(self) -> tuple[np.ndarray, np.ndarray]:
        """(log level, log volatility multiplier) of the common market factor per day."""
        if self._market is None:
            n = LAST_DAY - ORIGIN_DAY + 1
            rng = _rng(self.seed, 0, _DAILY)
            logvol = _ou(rng.normal(0, 0.15, n), 0.12)
            level = _ou(_student(rng, 5, n) * 0.025 * np.exp(logvol), 0.02)
            self._market = (level, logvol)
        return self._market

    def levels(self, symbol: str) -> tuple[np.ndarray, np.ndarray]:
        """(log price, daily volatility) for every day ORIGIN_DAY..LAST_DAY (computed once per symbol)."""
        with self._lock:
            if symbol in self._levels:
                return self._levels[symbol]
        inst = self.instrument(symbol)
        market, market_logvol = self._market_factor()
        n = LAST_DAY - ORIGIN_DAY + 1
        rng = _rng(self.seed, _key(symbol), _DAILY)
        own_logvol = _ou(rng.normal(0, 0.12, n), 0.2)
        vol = inst.daily_vol * np.exp(0.8 * market_logvol + own_logvol)
        # What the market factor does not explain (β·2.5 % of it) comes from the symbol's own shocks.
        idio_vol = np.sqrt(np.maximum(vol**2 - (inst.beta * 0.025 * np.exp(market_logvol)) ** 2, (0.3 * vol) ** 2))
        idio = _ou(_student(rng, 5, n) * idio_vol, 0.02)
        log_price = math.log(inst.price) + inst.beta * market + idio
        with self._lock:
            self._levels[symbol] = (log_price, vol)
        return log_price, vol

    # Intraday ------------------------------------------------------------------------------------

    def day(self, symbol: str, day: int) -> DayBars:
        if not ORIGIN_DAY < day <= LAST_DAY:
            raise ValueError(f"the simulator covers 2015-01-02 .. 2045-01-01 (day {day} asked)")
        return self._day(symbol, day)

    def _make_day(self, symbol: str, day: int) -> DayBars:
        inst = self.instrument(symbol)
        log_price, vol = self.levels(symbol)
        k = day - ORIGIN_DAY
        log_open, log_close, day_vol = log_price[k - 1], log_price[k], vol[k]
        rng = _rng(self.seed, _key(symbol), day, _INTRADAY)
        n, burn = MINUTES_PER_DAY, 240

        # GARCH(1,1), Student-t(5) innovations, unconditional variance = the day's per-minute variance.
        alpha, beta = 0.06, 0.92
        target = day_vol**2 / n
        omega = target * (1 - alpha - beta)
        z = _student(rng, 5, burn + n)
        h, sig, out = target, np.empty(burn + n), np.empty(burn + n)
        for i, zi in enumerate(z.tolist()):
            s = math.sqrt(h)
            r = s * zi
            sig[i], out[i] = s, r
            h = omega + alpha * r * r + beta * h
        sigma = sig[burn:] * SEASONALITY
        r = out[burn:] * SEASONALITY
        apply_regimes(r, sigma, _rng(self.seed, _key(symbol), day, _REGIME))  # trends, ranges, squeezes

        # Pumps and dumps: louder for an hour, then retraced (so the day still ends at its close).
        events: list[Event] = []
        kinds = [kind for kind, p in (("pump", 0.22), ("dump", 0.14)) if rng.random() < p]
        halves = rng.permutation(2)
        for kind, half in zip(kinds, halves, strict=False):
            lo, hi = (30, 700) if half == 0 else (720, 1000)
            start = int(rng.integers(lo, hi))
            size = rng.uniform(0.05, 0.12) if kind == "pump" else -rng.uniform(0.10, 0.15)
            # The move itself is added after the bridge; the hour after it is louder.
            r[start + 5 : start + 65] *= 1.6
            sigma[start + 5 : start + 65] *= 1.6
            events.append(Event(kind, (day * MINUTES_PER_DAY + start) * 60, float(size)))

        # Bridge: the minutes add up to the day's return, the correction spread where volatility is.
        weights = sigma**2
        r += (log_close - log_open - r.sum()) * weights / weights.sum()
        for event in events:
            start = event.start // 60 - day * MINUTES_PER_DAY
            move = math.log1p(event.magnitude)
            r[start : start + 5] += move * rng.dirichlet(np.full(5, 3.0))
            delay, length = int(rng.integers(5, 25)), int(rng.integers(90, 400))
            back = np.exp(-np.arange(length) / (length / 3))
            end = min(start + 5 + delay + length, n)
            r[start + 5 + delay : end] -= move * (back / back.sum())[: end - start - 5 - delay]

        close = np.exp(log_open + np.cumsum(r))
        close[-1] = math.exp(log_close)  # exactly where the next day opens
        open_ = np.empty(n)
        open_[0], open_[1:] = math.exp(log_open), close[:-1]

        # Sub-minute path: SUBSTEPS Gaussian steps per minute, bridged onto the minute's return.
        steps = rng.standard_normal((n, SUBSTEPS)) * (sigma / math.sqrt(SUBSTEPS))[:, None]
        steps += ((r - steps.sum(1)) / SUBSTEPS)[:, None]
        sub = np.cumsum(steps, axis=1).astype(np.float32)
        sub[:, -1] = r
        high, low = _extremes(open_, open_, close, sub)

        # Volume: seasonality, the size of the move, noise; in base units.
        quote_day = inst.params.day_volume_usd * math.exp(0.3 * rng.standard_normal())
        activity = SEASONALITY * (0.5 + np.abs(r) / sigma) * rng.lognormal(0.0, 0.35, n)
        volume = quote_day * activity / activity.sum() / close

        return DayBars(
            t0=day * DAY_SECONDS,
            open=open_,
            high=high,
            low=low,
            close=close,
            volume=volume,
            sigma=sigma,
            base=open_,
            sub=sub,
            events=tuple(events),
        )
