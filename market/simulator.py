"""A seeded market simulator for the replay source: ~30 USDT perpetuals on several exchanges.

Pure numpy (no Django, no settings): ``market.sources.replay`` wraps it in the ``MarketSource`` interface.

The market is a deterministic function of (seed, symbol, time): every UTC day of every symbol is generated
on its own from a seed derived from (seed, symbol, day), so weeks of history cost only the days asked for
and two processes with the same seed see the same prices. The clock (``ReplayClock``) only decides how
much of that fixed path is visible: replay time = anchor + (wall - start) x speed.

How a day is made
- Daily levels: log price = log(reference price) + β·market + idiosyncratic, both mean-reverting
  (Ornstein-Uhlenbeck, half-life ~35 days) with Student-t shocks and clustered daily volatility, so
  prices stay near realistic levels forever and the day's close is known without generating the days
  before it.
- Minutes: GARCH(1,1) with Student-t(5) innovations (volatility clustering, fat tails) times an intraday
  seasonality (Asian open, London, the US open), bridged so the minutes add up to the day's return.
- Events: occasional 5-minute pumps (+5-12 %) and dumps (-10-15 %), a louder hour after them, retraced
  over the following hours.
- Sub-minute path: 20 points per minute (3 s apart) bridging each minute's open to its close; high and
  low are its extremes, and tickers/forming candles read it, so a forming candle converges to the
  closed one exactly.
- Exchanges: each exchange's price is the fair price times exp(basis): a small static offset plus
  smoothed noise of a few basis points, and now and then (about one symbol-day in three) a real gap of
  0.8-2 % on one exchange for 4-20 minutes (wider than two taker fees plus 0.5 %).
- Order books (depth up to 50), funding rates, open interest, long/short ratios and liquidation events
  are derived from the path (funding follows the 8-hour premium, open interest the trend and the
  liquidations, liquidations the size of the moves).

A user-supplied OHLCV CSV (``CsvPaths``) can replace the generated fair path; everything else is derived
from it the same way.
"""

from __future__ import annotations

import csv
import math
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from threading import Lock
from typing import NamedTuple

import numpy as np

from market.timeframes import TIMEFRAME_SECONDS

MINUTES_PER_DAY = 1440
DAY_SECONDS = 86400
SUBSTEPS = 20  # sub-minute points, 3 s apart
BOOK_LEVELS = 50  # levels drawn for every book (sliced to the depth asked), so depth never changes prices

# Daily-level series span (UTC days since 1970-01-01): 2015-01-01 .. 2045-01-01.
ORIGIN_DAY = 16436
LAST_DAY = 27394

# RNG stream ids (part of every seed, so streams never overlap).
_DAILY, _INTRADAY, _BASIS, _GAP, _STATIC, _LIQ, _BOOK, _NOISE, _CSV = range(1, 10)


# --- Instruments and exchanges ---------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    spread_bps: float  # quoted spread
    level_gap_bps: float  # mean distance between book levels
    level_usd: float  # mean notional per book level
    day_volume_usd: float  # 24h volume, all exchanges together
    open_interest_usd: float  # open interest, all exchanges together
    max_leverage: int


TIERS = {
    1: Tier(0.1, 0.05, 150_000, 20e9, 30e9, 125),
    2: Tier(0.2, 0.1, 80_000, 10e9, 15e9, 100),
    3: Tier(1.0, 0.5, 25_000, 1.5e9, 2e9, 75),
    4: Tier(2.0, 1.0, 10_000, 4e8, 5e8, 50),
    5: Tier(3.0, 1.5, 5_000, 2e8, 2e8, 50),
}


@dataclass(frozen=True)
class Instrument:
    base: str
    price: float  # reference level the price mean-reverts to
    daily_vol: float  # typical daily volatility (log returns)
    beta: float  # exposure to the common market factor
    tier: int

    @property
    def symbol(self) -> str:
        return f"{self.base}/USDT:USDT"

    @property
    def params(self) -> Tier:
        return TIERS[self.tier]

    @property
    def price_step(self) -> float:
        return 10.0 ** (math.floor(math.log10(self.price)) - 5)

    @property
    def amount_step(self) -> float:
        return 10.0 ** min(math.floor(math.log10(10.0 / self.price)), 2)


UNIVERSE: tuple[Instrument, ...] = (
    Instrument("BTC", 97000, 0.025, 1.0, 1),
    Instrument("ETH", 3400, 0.036, 1.1, 2),
    Instrument("SOL", 190, 0.048, 1.25, 3),
    Instrument("XRP", 2.3, 0.045, 1.0, 3),
    Instrument("BNB", 650, 0.030, 0.8, 3),
    Instrument("DOGE", 0.32, 0.055, 1.3, 3),
    Instrument("ADA", 0.9, 0.050, 1.15, 4),
    Instrument("AVAX", 35, 0.055, 1.25, 4),
    Instrument("LINK", 20, 0.052, 1.2, 4),
    Instrument("DOT", 6.5, 0.050, 1.1, 4),
    Instrument("TRX", 0.25, 0.030, 0.6, 4),
    Instrument("TON", 5.5, 0.045, 0.8, 4),
    Instrument("1000SHIB", 0.022, 0.055, 1.2, 4),
    Instrument("LTC", 100, 0.042, 1.0, 4),
    Instrument("BCH", 450, 0.045, 1.0, 4),
    Instrument("NEAR", 5.0, 0.060, 1.3, 4),
    Instrument("APT", 9.0, 0.060, 1.3, 5),
    Instrument("ARB", 0.75, 0.065, 1.3, 5),
    Instrument("OP", 1.9, 0.065, 1.35, 5),
    Instrument("SUI", 4.0, 0.070, 1.4, 5),
    Instrument("1000PEPE", 0.018, 0.080, 1.5, 5),
    Instrument("ATOM", 7.0, 0.055, 1.1, 5),
    Instrument("FIL", 5.0, 0.060, 1.2, 5),
    Instrument("INJ", 25, 0.070, 1.4, 5),
    Instrument("UNI", 13, 0.060, 1.2, 5),
    Instrument("AAVE", 300, 0.060, 1.2, 5),
    Instrument("ETC", 27, 0.050, 1.1, 5),
    Instrument("TIA", 5.0, 0.080, 1.4, 5),
    Instrument("SEI", 0.45, 0.080, 1.4, 5),
    Instrument("WIF", 2.0, 0.090, 1.6, 5),
)


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


# --- Small deterministic helpers -------------------------------------------------------------------


def _key(text: str) -> int:
    """A stable 32-bit key for a name (Python's hash() changes between processes)."""
    return zlib.crc32(text.encode())


def _rng(*parts: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(p) & 0xFFFFFFFF for p in parts]))


def _student(rng: np.random.Generator, df: float, size) -> np.ndarray:
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


class _LRU:
    """A small thread-safe LRU cache for generated days."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), Lock()

    def get(self, key, make: Callable):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


class SyntheticPaths(PricePath):
    """Generated prices for the instruments (UNIVERSE by default)."""

    def __init__(self, seed: int, instruments: Sequence[Instrument] = UNIVERSE, cache_days: int = 160):
        self.seed = int(seed)
        self._instruments = {i.symbol: i for i in instruments}
        self._days = _LRU(cache_days)
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
        return self._days.get((symbol, day), lambda: self._make_day(symbol, day))

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


def _extremes(base: np.ndarray, open_: np.ndarray, close: np.ndarray, sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(high, low) of minutes: the extremes of their sub-minute path, open and close."""
    path = base[:, None] * np.exp(sub.astype(np.float64))
    return np.maximum(path.max(1), np.maximum(open_, close)), np.minimum(path.min(1), np.minimum(open_, close))


# --- Replaying a CSV ---------------------------------------------------------------------------------


class ReplayDataError(ValueError):
    """The replay CSV cannot be used; the message says which file, row and field."""


CSV_COLUMNS = ("time", "open", "high", "low", "close", "volume")
CSV_DEFAULT_SYMBOL = "BTC/USDT:USDT"


def _csv_symbol(raw: str) -> str:
    """``BTC/USDT:USDT``, ``BTC/USDT``, ``BTC-USDT`` or ``BTCUSDT`` as ccxt's unified perpetual symbol."""
    text = raw.strip().upper()
    if "/" in text:
        base, _, rest = text.partition("/")
        quote = rest.split(":")[0]
    elif "-" in text:
        base, _, quote = text.partition("-")
    elif text.endswith("USDT"):
        base, quote = text[:-4], "USDT"
    else:
        raise ValueError(raw)
    if not base or quote != "USDT":
        raise ValueError(raw)
    return f"{base}/USDT:USDT"


def _csv_time(raw: str) -> int:
    text = raw.strip()
    try:
        number = float(text)
    except ValueError:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return int(moment.timestamp())
    if not math.isfinite(number):
        raise ValueError(raw)
    return int(number // 1000) if number >= 1e11 else int(number)


class CsvPaths(PricePath):
    """Fair prices from a user's OHLCV CSV (``time,open,high,low,close,volume`` and optionally ``symbol``).

    Rows are 1m, 5m, 15m, 1h or 1d candles (the spacing is inferred per symbol; times aligned to it).
    ``time`` is ISO-8601 (UTC unless an offset is given) or epoch seconds/milliseconds. Without a
    ``symbol`` column every row is ``BTC/USDT:USDT``. Missing rows inside the range become flat candles
    without volume. 1-minute bars (and their 3-second path) are drawn inside each row so that they open
    at its open, touch its high and low, and close at its close: aggregated back, they are the row.
    """

    def __init__(self, path: str | Path, seed: int = 0, cache_days: int = 256):
        self.seed = int(seed)
        self.path = Path(path)
        self._rows = self._load()
        self._days = _LRU(cache_days)
        self._instruments = {s: self._guess_instrument(s, d) for s, d in self._rows.items()}

    # Loading and validation ------------------------------------------------------------------------

    def _fail(self, message: str) -> ReplayDataError:
        return ReplayDataError(f"FLAXU_REPLAY_CSV {self.path}: {message}")

    def _load(self) -> dict[str, dict]:
        if not self.path.is_file():
            raise self._fail("no such file")
        try:
            with self.path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.reader(handle)
                header = next(reader, None)
                if header is None:
                    raise self._fail("the file is empty")
                names = [h.strip().lower() for h in header]
                missing = [c for c in CSV_COLUMNS if c not in names]
                if missing:
                    raise self._fail(
                        f"missing column(s) {', '.join(missing)}; the header must name "
                        f"{','.join(CSV_COLUMNS)} (and optionally symbol), got {','.join(names)}"
                    )
                index = {c: names.index(c) for c in (*CSV_COLUMNS, "symbol") if c in names}
                per_symbol: dict[str, list[tuple]] = {}
                for line, row in enumerate(reader, start=2):
                    if not row or all(not cell.strip() for cell in row):
                        continue
                    symbol, values = self._parse_row(line, row, index)
                    per_symbol.setdefault(symbol, []).append(values)
        except UnicodeDecodeError:
            raise self._fail("not a UTF-8 text file") from None
        except csv.Error as exc:
            raise self._fail(f"not a readable CSV ({exc})") from None
        if not per_symbol:
            raise self._fail("no data rows")
        return {symbol: self._series(symbol, rows) for symbol, rows in per_symbol.items()}

    def _parse_row(self, line: int, row: list[str], index: dict[str, int]) -> tuple[str, tuple]:
        if len(row) < len(index):
            raise self._fail(f"row {line}: {len(row)} fields, expected {len(index)}")
        symbol = CSV_DEFAULT_SYMBOL
        if "symbol" in index:
            try:
                symbol = _csv_symbol(row[index["symbol"]])
            except ValueError:
                raise self._fail(
                    f"row {line}: symbol {row[index['symbol']]!r} is not a USDT pair (BTC/USDT:USDT, BTC-USDT, BTCUSDT)"
                ) from None
        try:
            moment = _csv_time(row[index["time"]])
        except (ValueError, OverflowError, OSError):
            raise self._fail(
                f"row {line}: time {row[index['time']]!r} is neither ISO-8601 nor epoch seconds/milliseconds"
            ) from None
        numbers = []
        for name in CSV_COLUMNS[1:]:
            try:
                value = float(row[index[name]])
            except ValueError:
                raise self._fail(f"row {line}: {name} {row[index[name]]!r} is not a number") from None
            if not math.isfinite(value) or value < 0 or (value == 0 and name != "volume"):
                raise self._fail(f"row {line}: {name} must be {'≥ 0' if name == 'volume' else '> 0'}, got {value}")
            numbers.append(value)
        o, h, low, c, _v = numbers
        if h < max(o, c, low) or low > min(o, c):
            raise self._fail(f"row {line}: high {h} / low {low} do not contain open {o} and close {c}")
        return symbol, (moment, line, *numbers)

    def _series(self, symbol: str, rows: list[tuple]) -> dict:
        rows.sort()
        times = np.array([r[0] for r in rows], dtype=np.int64)
        if len(times) < 2:
            raise self._fail(f"{symbol}: at least two rows are needed to tell the candle spacing")
        diffs = np.diff(times)
        if (diffs == 0).any():
            line = rows[int(np.argmax(diffs == 0)) + 1][1]
            raise self._fail(f"row {line}: a second {symbol} row for the same time")
        step = int(diffs.min())
        if step not in TIMEFRAME_SECONDS.values():
            raise self._fail(f"{symbol}: rows are {step} s apart; use 1m, 5m, 15m, 1h or 1d candles")
        misaligned = np.nonzero(times % step)[0]
        if len(misaligned):
            line = rows[int(misaligned[0])][1]
            raise self._fail(f"row {line}: time is not on a {step // 60}-minute boundary")
        # Fill holes with flat candles at the previous close and no volume.
        count = int((times[-1] - times[0]) // step) + 1
        grid = np.full((count, 5), np.nan)
        slots = (times - times[0]) // step
        grid[slots] = np.array([r[2:] for r in rows])
        for i in range(1, count):
            if np.isnan(grid[i, 0]):
                prev = grid[i - 1, 3]
                grid[i] = (prev, prev, prev, prev, 0.0)
        return {"start": int(times[0]), "step": step, "bars": grid}

    def _guess_instrument(self, symbol: str, data: dict) -> Instrument:
        bars = data["bars"]
        known = {i.symbol: i for i in UNIVERSE}.get(symbol)
        closes = bars[:, 3]
        price = float(np.median(closes))
        rets = np.diff(np.log(closes))
        per_day = DAY_SECONDS / data["step"]
        vol = float(np.std(rets) * math.sqrt(per_day)) if len(rets) > 1 else 0.04
        tier = known.tier if known else 4
        return Instrument(symbol.split("/")[0], price, max(vol, 0.005), known.beta if known else 1.0, tier)

    # PricePath -------------------------------------------------------------------------------------

    def symbols(self) -> list[str]:
        return list(self._rows)

    def instrument(self, symbol: str) -> Instrument:
        try:
            return self._instruments[symbol]
        except KeyError:
            raise KeyError(f"unknown symbol {symbol!r}") from None

    def span(self) -> tuple[int, int]:
        firsts = [d["start"] for d in self._rows.values()]
        ends = [d["start"] + len(d["bars"]) * d["step"] for d in self._rows.values()]
        return min(firsts), max(ends)

    def day(self, symbol: str, day: int) -> DayBars:
        self.instrument(symbol)
        return self._days.get((symbol, day), lambda: self._make_day(symbol, day))

    def _make_day(self, symbol: str, day: int) -> DayBars:
        data = self._rows[symbol]
        step, start, bars = data["step"], data["start"], data["bars"]
        t0 = day * DAY_SECONDS
        n = MINUTES_PER_DAY
        per_row = step // 60
        first = max(0, (t0 - start) // step)
        last = min(len(bars), -(-(t0 + DAY_SECONDS - start) // step))
        open_, high, low, close, volume, sigma = (np.full(n, np.nan) for _ in range(6))
        sub = np.zeros((n, SUBSTEPS), dtype=np.float32)
        valid = np.zeros(n, dtype=bool)
        if last <= first:
            return DayBars(t0, open_, high, low, close, volume, sigma, open_, sub, valid)
        rows = bars[first:last]
        rng = _rng(self.seed, _key(symbol), day, _CSV)
        # The log path of every row: (rows, per_row * SUBSTEPS + 1) points through O → H/L → L/H → C.
        points = per_row * SUBSTEPS
        lo_, hi_ = np.log(rows[:, 2]), np.log(rows[:, 1])
        o, c = np.log(rows[:, 0]), np.log(rows[:, 3])
        a = rng.integers(1, max(points, 2), len(rows))
        b = rng.integers(1, max(points, 2), len(rows))
        a, b = np.minimum(a, b), np.maximum(a, b)
        b = np.where(b == a, np.minimum(a + 1, points), b)
        high_first = rng.random(len(rows)) < 0.5
        x1, x2 = np.where(high_first, hi_, lo_), np.where(high_first, lo_, hi_)
        knots_t = np.stack([np.zeros(len(rows)), a, b, np.full(len(rows), points)], 1)
        knots_x = np.stack([o, x1, x2, c], 1)
        grid = np.arange(points + 1)[None, :]
        skeleton = _piecewise(knots_t, knots_x, grid)
        walk = np.concatenate([np.zeros((len(rows), 1)), np.cumsum(rng.standard_normal((len(rows), points)), 1)], 1)
        walk -= _piecewise(knots_t, np.take_along_axis(walk, knots_t.astype(np.int64), 1), grid)
        amplitude = (hi_ - lo_)[:, None] / (3.0 * math.sqrt(max(points, 1)))
        path = np.clip(skeleton + walk * amplitude, lo_[:, None], hi_[:, None])
        # Cut into minutes.
        minute_open = path[:, :-1:SUBSTEPS].reshape(-1)
        fine = path[:, 1:].reshape(len(rows), per_row, SUBSTEPS).reshape(-1, SUBSTEPS)
        m_close = fine[:, -1]
        m_high = np.maximum(fine.max(1), minute_open)
        m_low = np.minimum(fine.min(1), minute_open)
        moves = np.abs(m_close - minute_open).reshape(len(rows), per_row) + 1e-9 + (hi_ - lo_)[:, None] / per_row
        m_volume = (rows[:, 4:5] * moves / moves.sum(1, keepdims=True)).reshape(-1)
        # Place the rows' minutes in the day.
        row_times = start + (first + np.arange(len(rows))) * step
        minute_index = ((row_times[:, None] - t0) // 60 + np.arange(per_row)[None, :]).reshape(-1)
        inside = (minute_index >= 0) & (minute_index < n)
        idx = minute_index[inside]
        open_[idx] = np.exp(minute_open[inside])
        high[idx], low[idx], close[idx] = np.exp(m_high[inside]), np.exp(m_low[inside]), np.exp(m_close[inside])
        sub[idx] = (fine[inside] - minute_open[inside][:, None]).astype(np.float32)
        volume[idx] = m_volume[inside]  # CSV volumes are in base units already
        sigma[idx] = np.maximum((m_high[inside] - m_low[inside]) / 1.665, 1e-5)
        valid[idx] = True
        high[idx], low[idx] = _extremes(open_[idx], open_[idx], close[idx], sub[idx])
        return DayBars(t0, open_, high, low, close, volume, sigma, open_, sub, valid)


def _piecewise(knots_t: np.ndarray, knots_x: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Row-wise linear interpolation through 4 knots per row (vectorized np.interp)."""
    out = np.empty((knots_t.shape[0], grid.shape[1]))
    for seg in range(3):
        t_a, t_b = knots_t[:, seg : seg + 1], knots_t[:, seg + 1 : seg + 2]
        x_a, x_b = knots_x[:, seg : seg + 1], knots_x[:, seg + 1 : seg + 2]
        width = np.maximum(t_b - t_a, 1e-12)
        inside = (grid >= t_a) & (grid <= t_b)
        value = x_a + (x_b - x_a) * (grid - t_a) / width
        out = np.where(inside, value, out) if seg else np.where(inside, value, np.nan)
    return out


# --- Results --------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Gap:
    exchange: str
    start: int
    end: int
    magnitude: float  # the exchange's price is off the others by this fraction (±)


class ReplayClock:
    """Replay time: ``anchor + (wall - start) x speed``, optionally held at ``until``."""

    def __init__(
        self,
        speed: float = 1.0,
        anchor: float | None = None,
        start: float | None = None,
        until: float | None = None,
        wall: Callable[[], float] = time.time,
    ):
        if not speed > 0:
            raise ValueError("the replay speed must be positive")
        self.speed, self.wall, self.until = float(speed), wall, until
        self.start = wall() if start is None else float(start)
        self.anchor = self.start if anchor is None else float(anchor)

    def now(self) -> float:
        moment = self.anchor + (self.wall() - self.start) * self.speed
        return moment if self.until is None else min(moment, self.until)

    @property
    def ended(self) -> bool:
        return self.until is not None and self.now() >= self.until


# --- The simulator --------------------------------------------------------------------------------


class MarketSimulator:
    """Everything the replay source serves, as plain numbers, for any time ``t`` (epoch seconds)."""

    def __init__(self, seed: int = 42, exchanges: Sequence[str] = tuple(VENUES), paths: PricePath | None = None):
        self.seed = int(seed)
        self.exchanges = tuple(exchanges)
        if not self.exchanges:
            raise ValueError("at least one exchange")
        self.paths = paths or SyntheticPaths(self.seed)
        self._venue_days = _LRU(320)

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
        return self._venue_days.get((exchange, symbol, day), lambda: self._make_venue_day(exchange, symbol, day))

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
