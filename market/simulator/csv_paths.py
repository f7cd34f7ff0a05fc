"""Replaying a user's OHLCV CSV (FLAXU_REPLAY_CSV) as the fair price path: pandas reads and gap-fills the
rows; 1-minute bars and their 3-second path are drawn inside each row so that they aggregate back to it."""

from __future__ import annotations

import csv
import math
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from market.simulator.base import (
    _CSV,
    DAY_SECONDS,
    MINUTES_PER_DAY,
    SUBSTEPS,
    DayBars,
    PricePath,
    _extremes,
    _key,
    _rng,
)
from market.simulator.instruments import UNIVERSE, Instrument
from market.timeframes import TIMEFRAME_SECONDS

T = TypeVar("T")


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


def _or_none(parse: Callable[[str], T]) -> Callable[[str | float], T | None]:
    """``parse`` that answers None for a missing cell or a value it refuses."""

    def parsed(raw: str | float) -> T | None:
        if not isinstance(raw, str):
            return None
        try:
            return parse(raw)
        except (ValueError, OverflowError, OSError):
            return None

    return parsed


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

    def __init__(self, path: str | Path, seed: int = 0, cache_days: int = 256) -> None:
        self.seed = int(seed)
        self.path = Path(path)
        self._rows = self._load()
        self._day = lru_cache(maxsize=cache_days)(self._make_day)  # drawn days, most recent kept
        self._instruments = {s: self._guess_instrument(s, d) for s, d in self._rows.items()}

    # Loading and validation ------------------------------------------------------------------------

    def _fail(self, message: str) -> ReplayDataError:
        return ReplayDataError(f"FLAXU_REPLAY_CSV {self.path}: {message}")

    def _read(self) -> pd.DataFrame:
        """The file's cells as text, one row per CSV record (NaN where a short record has no field)."""
        if not self.path.is_file():
            raise self._fail("no such file")
        options = {"dtype": str, "na_filter": False, "encoding": "utf-8-sig", "engine": "python", "index_col": False}
        try:
            width = len(pd.read_csv(self.path, nrows=0, **options).columns)
            # Blank records are kept (and dropped below) so that row numbers stay the file's; cells past the
            # header's width are ignored, as the header names every column used.
            with warnings.catch_warnings():  # the cells past the header are dropped on purpose
                warnings.simplefilter("ignore", pd.errors.ParserWarning)
                keep = lambda cells: cells[:width]  # noqa: E731
                return pd.read_csv(self.path, skip_blank_lines=False, on_bad_lines=keep, **options)
        except pd.errors.EmptyDataError:
            raise self._fail("the file is empty") from None
        except UnicodeDecodeError:
            raise self._fail("not a UTF-8 text file") from None
        except (pd.errors.ParserError, csv.Error) as exc:
            raise self._fail(f"not a readable CSV ({exc})") from None

    def _load(self) -> dict[str, dict]:
        table = self._read()
        names = [str(h).strip().lower() for h in table.columns]
        missing = [c for c in CSV_COLUMNS if c not in names]
        if missing:
            raise self._fail(
                f"missing column(s) {', '.join(missing)}; the header must name "
                f"{','.join(CSV_COLUMNS)} (and optionally symbol), got {','.join(names)}"
            )
        used = [c for c in (*CSV_COLUMNS, "symbol") if c in names]
        cells = table.iloc[:, [names.index(c) for c in used]].set_axis(used, axis=1)
        blank = table.fillna("").apply(lambda column: column.str.strip().eq("")).all(axis=1)
        cells = cells[~blank].set_axis(table.index[~blank] + 2, axis=0)  # index: the row's line in the file
        if cells.empty:
            raise self._fail("no data rows")
        rows = self._parse(cells, fields=table.notna().sum(axis=1)[~blank].to_numpy(), width=len(used))
        return {symbol: self._series(symbol, group) for symbol, group in rows.groupby("symbol", sort=False)}

    def _parse(self, cells: pd.DataFrame, fields: np.ndarray, width: int) -> pd.DataFrame:
        """``symbol, time, line, open..volume`` of every row; the first bad row (its first problem) refused."""
        checks: list[tuple[np.ndarray, Callable[[int], str]]] = []
        checks.append((fields < width, lambda line: f"{fields[rows.index(line)]} fields, expected {width}"))
        rows = list(cells.index)
        symbol = pd.Series(CSV_DEFAULT_SYMBOL, index=cells.index)
        if "symbol" in cells:
            symbol = cells["symbol"].map(_or_none(_csv_symbol))
            checks.append(
                (
                    symbol.isna().to_numpy(),
                    lambda line: (
                        f"symbol {cells.at[line, 'symbol']!r} is not a USDT pair (BTC/USDT:USDT, BTC-USDT, BTCUSDT)"
                    ),
                )
            )
        moment = cells["time"].map(_or_none(_csv_time))
        checks.append(
            (
                moment.isna().to_numpy(),
                lambda line: f"time {cells.at[line, 'time']!r} is neither ISO-8601 nor epoch seconds/milliseconds",
            )
        )
        values = {}
        for name in CSV_COLUMNS[1:]:
            parsed = cells[name].map(_or_none(float))
            unparsable = cells[name].map(lambda raw: _or_none(float)(raw) is None).to_numpy(dtype=bool)
            values[name] = parsed.astype(float)
            checks.append((unparsable, lambda line, n=name: f"{n} {cells.at[line, n]!r} is not a number"))
            v = values[name].to_numpy()
            with np.errstate(invalid="ignore"):
                wrong = ~unparsable & (~np.isfinite(v) | (v < 0) | ((v == 0) & (name != "volume")))
            checks.append(
                (
                    wrong,
                    lambda line, n=name: (
                        f"{n} must be {'≥ 0' if n == 'volume' else '> 0'}, got {float(cells.at[line, n])}"
                    ),
                )
            )
        o, h, low, c = (values[n].to_numpy() for n in ("open", "high", "low", "close"))
        with np.errstate(invalid="ignore"):
            uncontained = (h < np.maximum(np.maximum(o, c), low)) | (low > np.minimum(o, c))
        checks.append(
            (
                uncontained,
                lambda line: (
                    f"high {values['high'][line]} / low {values['low'][line]} do not contain "
                    f"open {values['open'][line]} and close {values['close'][line]}"
                ),
            )
        )
        bad = np.zeros(len(rows), dtype=bool)
        for mask, _ in checks:
            bad |= mask
        if bad.any():
            first = int(np.argmax(bad))
            message = next(describe for mask, describe in checks if mask[first])
            raise self._fail(f"row {rows[first]}: {message(rows[first])}")
        return pd.DataFrame(
            {"symbol": symbol, "time": moment.astype(np.int64), "line": cells.index, **values}, index=cells.index
        )

    def _series(self, symbol: str, rows: pd.DataFrame) -> dict:
        rows = rows.sort_values(["time", "line"], kind="stable")
        times = rows["time"].to_numpy(np.int64)
        if len(times) < 2:
            raise self._fail(f"{symbol}: at least two rows are needed to tell the candle spacing")
        diffs = np.diff(times)
        if (diffs == 0).any():
            line = int(rows["line"].iloc[int(np.argmax(diffs == 0)) + 1])
            raise self._fail(f"row {line}: a second {symbol} row for the same time")
        step = int(diffs.min())
        if step not in TIMEFRAME_SECONDS.values():
            raise self._fail(f"{symbol}: rows are {step} s apart; use 1m, 5m, 15m, 1h or 1d candles")
        misaligned = np.nonzero(times % step)[0]
        if len(misaligned):
            line = int(rows["line"].iloc[int(misaligned[0])])
            raise self._fail(f"row {line}: time is not on a {step // 60}-minute boundary")
        # Fill holes with flat candles at the previous close and no volume.
        bars = rows.set_index("time")[list(CSV_COLUMNS[1:])].reindex(range(times[0], times[-1] + step, step))
        close = bars["close"].ffill()
        hole = bars["open"].isna()
        for name in ("open", "high", "low"):
            bars[name] = bars[name].where(~hole, close)
        bars["close"], bars["volume"] = close, bars["volume"].fillna(0.0)
        return {"start": int(times[0]), "step": step, "bars": bars.to_numpy(dtype=np.float64)}

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
        return self._day(symbol, day)

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
