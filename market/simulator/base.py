"""The replay's shared vocabulary: day/time constants, the seeded RNG helpers, a day of 1-minute bars,
the fair-price-path interface and candles as arrays. Pure numpy."""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from market.simulator.instruments import Instrument

MINUTES_PER_DAY = 1440
DAY_SECONDS = 86400
SUBSTEPS = 20  # sub-minute points, 3 s apart
BOOK_LEVELS = 50  # levels drawn for every book (sliced to the depth asked), so depth never changes prices

# Daily-level series span (UTC days since 1970-01-01): 2015-01-01 .. 2045-01-01.
ORIGIN_DAY = 16436
LAST_DAY = 27394

# RNG stream ids (part of every seed, so streams never overlap).
_DAILY, _INTRADAY, _BASIS, _GAP, _STATIC, _LIQ, _BOOK, _NOISE, _CSV = range(1, 10)


# --- Small deterministic helpers -------------------------------------------------------------------


def _key(text: str) -> int:
    """A stable 32-bit key for a name (Python's hash() changes between processes)."""
    return zlib.crc32(text.encode())


def _rng(*parts: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(p) & 0xFFFFFFFF for p in parts]))


def _student(rng: np.random.Generator, df: float, size: int | tuple[int, ...]) -> np.ndarray:
    """Student-t draws scaled to unit variance."""
    return rng.standard_t(df, size) * math.sqrt((df - 2) / df)


def _ou(shocks: np.ndarray, theta: float) -> np.ndarray:
    """x_k = (1 - θ)·x_{k-1} + shock_k from x = 0 (a sequential loop over a few thousand days)."""
    out = np.empty_like(shocks)
    keep, x = 1.0 - theta, 0.0
    for k, s in enumerate(shocks.tolist()):
        x = keep * x + s
        out[k] = x
    return out


def _smooth(noise: np.ndarray, span: int) -> np.ndarray:
    """Exponentially smoothed noise with unit variance ('valid' part: len(noise) - 4·span + 1 values)."""
    kernel = np.exp(-np.arange(4 * span) / span)
    kernel /= np.sqrt((kernel**2).sum())
    return np.convolve(noise, kernel, "valid")


# --- The fair price path, one UTC day at a time ----------------------------------------------------


@dataclass(frozen=True)
class Event:
    kind: str  # "pump" | "dump"
    start: int  # epoch seconds of the first minute
    magnitude: float  # total move over its 5 minutes, as a fraction (+0.08, -0.12)


@dataclass(eq=False)
class DayBars:
    """One UTC day of 1-minute bars of one symbol (fair price, all exchanges' volume)."""

    t0: int  # epoch seconds of 00:00 UTC
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray  # base units, all venues
    sigma: np.ndarray  # per-minute volatility (log)
    base: np.ndarray  # the level the sub-minute path is relative to (the minute's open before any basis)
    sub: np.ndarray  # (1440, SUBSTEPS) float32 log price relative to ``base``; the last point is the close
    valid: np.ndarray | None = None  # None: every minute exists (CSV days may be partial)
    events: tuple[Event, ...] = field(default=())


class PricePath:
    """Where the fair (cross-exchange) price comes from: generated, or a CSV."""

    seed: int

    def symbols(self) -> list[str]:
        raise NotImplementedError

    def instrument(self, symbol: str) -> Instrument:
        raise NotImplementedError

    def day(self, symbol: str, day: int) -> DayBars:
        raise NotImplementedError

    def span(self) -> tuple[int, int] | None:
        """(first, end) epoch seconds of the data, or None when unbounded."""
        return None


def _extremes(base: np.ndarray, open_: np.ndarray, close: np.ndarray, sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(high, low) of minutes: the extremes of their sub-minute path, open and close."""
    path = base[:, None] * np.exp(sub.astype(np.float64))
    return np.maximum(path.max(1), np.maximum(open_, close)), np.minimum(path.min(1), np.minimum(open_, close))


class Bars(NamedTuple):
    """Candles as arrays: open time (epoch seconds, int64) and float64 OHLCV, oldest first."""

    time: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def __len__(self) -> int:
        return len(self.time)
