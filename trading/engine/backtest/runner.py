"""Run signals (the ``analyze`` output format) over candles: trades, equity, statistics, calibration.

Inputs: ``candles``, the frame the signals were computed on (a UTC DatetimeIndex of bar open times,
float64 ``open, high, low, close``); ``signals`` with ``confirmed`` (a bar position in ``candles``),
``direction`` (LONG/SHORT), ``entry``, ``stop_loss``, ``take_profit_1``, ``take_profit_2`` (NaN: one
target), ``confidence`` and optionally ``setup`` (else "all"); optionally 1-minute candles covering the
same period, and funding rates.

Rules:
- **Entry.** ``market`` (default): at the open of bar ``confirmed + 1``, never on the bar whose close
  made the signal known, plus slippage. Skipped when that open is already at/through the stop or TP1.
  ``limit``: a limit order at the signal's ``entry`` from bar ``confirmed + 1`` for ``limit_valid_bars``
  bars; fills when price trades at it (at the open if the bar opens beyond it), without slippage;
  cancelled if a bar opens through the stop or reaches TP1 without filling. On the fill bar only the
  stop can follow the fill; targets count from the next bar (from the next minute with 1-minute data).
- **Exits.** Stop-loss and TP levels are the signal's prices. At TP1 ``tp1_fraction`` (50 %) closes and,
  with ``breakeven_after_tp1``, the stop moves to the entry fill price, active from the next bar; the
  rest closes at TP2. With ``take_profit_2`` NaN or ``tp1_fraction = 1`` everything closes at TP1.
  Within one bar: an opening gap through the stop exits at the open, through a target fills it at the
  open; otherwise the stop comes before targets, then TP1, then TP2. When one bar touches the stop and
  a target (or TP1 and the break-even level) and 1-minute candles are given, the minutes inside that
  bar decide, under the same rules; without them the stop is assumed first. ``max_holding_bars``
  closes at the close of the last allowed bar (timeout); open positions close at the last close (end).
- **Costs.** Market fills (market entry, stop, break-even, timeout, end) pay ``taker_fee`` on their
  notional and ``slippage_bps`` against the trader; limit fills (limit entry, TP1, TP2) pay
  ``maker_fee`` and fill at their price. Funding: at every funding time (every ``funding_interval_hours``
  from 00:00 UTC, or the times of a given rate series) the position open at that instant pays
  ``rate * size * open price of the bar at that time`` when long and receives it when short (a negative
  rate reverses both). A funding time belongs to the first bar opening at or after it; a position
  pays for funding bars after its entry bar up to and including its exit bar.
- **Portfolio.** One position at a time by default (``one_position``; signals arriving while one is
  open are skipped). Size = ``equity * risk_per_trade / |entry fill - stop|`` base units, reduced so the
  notional stays within ``equity * max_leverage``; equity is the initial equity plus the net PnL of
  trades closed before the entry bar. Fees, slippage and funding are not in the risk budget, so a full
  stop costs a little more than 1 R. ``r_multiple`` = net PnL / (size * |entry fill - stop|).
- **Equity curve**: per bar, at the close: cash plus open positions marked to the close. Funding is
  booked when the trade closes.
- **Outcomes**: every signal is walked on its own (one row each in ``outcomes``, ``signal`` being its
  row position in ``signals``), whether or not the portfolio took it; calibration reads these.

Defaults: 10,000 equity, 1 % risk, 10x cap, market entry, half at TP1 then break-even, taker 0.05 %,
maker 0.02 %, slippage 1 bp, funding 0.01 % per 8 h.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from trading.engine.backtest import walk as _walk
from trading.engine.backtest.calibration import calibration_table
from trading.engine.backtest.metrics import BacktestStats, summarize
from trading.engine.costs import MAKER_FEE, SLIPPAGE_BPS, TAKER_FEE

TRADE_COLUMNS = [
    "signal", "setup", "confidence", "side", "entry_bar", "entry_time", "entry_price", "stop_loss",
    "take_profit_1", "take_profit_2", "size", "notional", "tp1_hit", "tp1_time", "tp1_price", "tp1_fraction",
    "exit_bar", "exit_time", "exit_price", "exit_reason", "gross_pnl", "fees", "funding", "pnl", "r_multiple",
    "bars_held", "equity_before",
]  # fmt: skip
PROGRESS_STEPS = 20  # the walk reports progress at most this many times, whatever the number of signals
WALK_SHARE = 0.9  # share of the run the walk stands for in the progress reported


@dataclass(frozen=True)
class BacktestConfig:
    """Every knob of a backtest (defaults: see the module docstring)."""

    initial_equity: float = 10_000.0
    risk_per_trade: float = 0.01
    max_leverage: float = 10.0
    entry: Literal["market", "limit"] = "market"
    limit_valid_bars: int = 12
    tp1_fraction: float = 0.5
    breakeven_after_tp1: bool = True
    max_holding_bars: int | None = None
    taker_fee: float = TAKER_FEE  # the engine's cost model (costs.py): its setups are filtered on these
    maker_fee: float = MAKER_FEE
    slippage_bps: float = SLIPPAGE_BPS
    funding_rate: float = 0.0001  # per funding interval, used when no rate series is given
    funding_interval_hours: int = 8
    one_position: bool = True
    bucket_width: float = 5.0  # calibration buckets, in confidence points

    def __post_init__(self) -> None:
        if self.entry not in ("market", "limit"):
            raise ValueError("entry must be 'market' or 'limit'")
        if not 0.0 < self.tp1_fraction <= 1.0:
            raise ValueError("tp1_fraction must be in (0, 1]")
        if not 0.0 < self.risk_per_trade < 1.0 or self.max_leverage <= 0 or self.initial_equity <= 0:
            raise ValueError("risk_per_trade must be in (0, 1), max_leverage and initial_equity > 0")


@dataclass(frozen=True)
class BacktestResult:
    """Everything a backtest produced, as plain data."""

    trades: pd.DataFrame  # one row per trade taken (TRADE_COLUMNS)
    outcomes: pd.DataFrame  # one row per signal: what its order did, whether it reached TP1, taken or not
    equity: pd.Series  # per bar, at the close
    stats: BacktestStats
    calibration: pd.DataFrame  # see calibration.calibration_table
    config: BacktestConfig


def funding_by_bar(
    index: pd.DatetimeIndex, funding: pd.Series | float | None, *, interval_hours: int = 8, default: float = 0.0
) -> np.ndarray:
    """The funding rate charged at the open of each bar (0 where no funding time falls).

    A series gives rates at its timestamps; a number (or ``default`` when None) is charged at every
    ``interval_hours`` boundary from 00:00 UTC. Each funding time goes to the first bar opening at or after
    it, bar 0 excepted (nothing can be open before it).
    """
    n = len(index)
    rates = np.zeros(n)
    if n < 2:
        return rates
    if isinstance(funding, pd.Series):
        times = pd.DatetimeIndex(funding.index).as_unit(index.unit).asi8
        bars = np.searchsorted(index.asi8, times, side="left")
        keep = (bars > 0) & (bars < n) & (times > index.asi8[0])
        np.add.at(rates, bars[keep], funding.to_numpy(np.float64)[keep])
        return rates
    rate = default if funding is None else float(funding)
    if rate == 0.0:
        return rates
    step = _ticks(pd.Timedelta(hours=interval_hours), index)
    count = np.floor_divide(index.asi8, step)  # funding times at or before each bar's open
    rates[1:] = np.where(count[1:] > count[:-1], rate, 0.0)
    return rates


def _ticks(span: pd.Timedelta, index: pd.DatetimeIndex) -> int:
    """``span`` in the integer unit of ``index.asi8``."""
    return int(span / pd.Timedelta(1, unit=index.unit))


def _minute_ranges(index: pd.DatetimeIndex, minutes: pd.DataFrame | None):
    empty_f = np.empty(0)
    if minutes is None or minutes.empty:
        zeros = np.zeros(len(index), dtype=np.int64)
        return empty_f, empty_f, empty_f, zeros, zeros
    mt = pd.DatetimeIndex(minutes.index).as_unit(index.unit).asi8
    starts = index.asi8
    one_minute = _ticks(pd.Timedelta(minutes=1), index)
    step = int(np.median(np.diff(starts))) if len(starts) > 1 else one_minute
    ends = np.append(starts[1:], starts[-1] + step)
    return (
        minutes["open"].to_numpy(np.float64),
        minutes["high"].to_numpy(np.float64),
        minutes["low"].to_numpy(np.float64),
        np.searchsorted(mt, starts, side="left").astype(np.int64),
        np.searchsorted(mt, ends, side="left").astype(np.int64),
    )


def _valid_levels(side, entry, stop, tp1, tp2) -> np.ndarray:
    e, s, t1, t2 = entry * side, stop * side, tp1 * side, tp2 * side
    finite = np.isfinite(e) & np.isfinite(s) & np.isfinite(t1)
    return finite & (s < e) & (e < t1) & (np.isnan(t2) | (t2 >= t1)) & (side != 0)


def run_backtest(
    candles: pd.DataFrame,
    signals: pd.DataFrame,
    config: BacktestConfig | None = None,
    *,
    minute_candles: pd.DataFrame | None = None,
    funding: pd.Series | float | None = None,
    progress: Callable[[float], None] | None = None,
) -> BacktestResult:
    """Simulate ``signals`` over ``candles`` under ``config``; the rules are in the module docstring.

    ``progress``, if given, is called with the share done (0-1, increasing, last 1.0), at most
    ``PROGRESS_STEPS + 1`` times.
    """
    config = config or BacktestConfig()
    index = pd.DatetimeIndex(candles.index)
    n = len(index)
    o = candles["open"].to_numpy(np.float64)
    h = candles["high"].to_numpy(np.float64)
    lo = candles["low"].to_numpy(np.float64)
    c = candles["close"].to_numpy(np.float64)

    sig = signals.reset_index(drop=True)
    m = len(sig)
    side = np.where(sig["direction"].to_numpy() == "LONG", 1, np.where(sig["direction"].to_numpy() == "SHORT", -1, 0))
    side = side.astype(np.int64)
    entry = sig["entry"].to_numpy(np.float64)
    stop = sig["stop_loss"].to_numpy(np.float64)
    tp1 = sig["take_profit_1"].to_numpy(np.float64)
    tp2 = sig["take_profit_2"].to_numpy(np.float64) if "take_profit_2" in sig else np.full(m, np.nan)
    confirmed = sig["confirmed"].to_numpy(np.int64)
    setup = sig["setup"].astype(str).to_numpy() if "setup" in sig else np.full(m, "all", dtype=object)
    confidence = sig["confidence"].to_numpy(np.float64) if "confidence" in sig else np.full(m, np.nan)
    valid = _valid_levels(side, entry, stop, tp1, tp2) & (confirmed >= 0) & (confirmed < n)
    start = np.where(valid, confirmed + 1, -1).astype(np.int64)

    mo, mh, ml, mstart, mend = _minute_ranges(index, minute_candles)
    rates = funding_by_bar(index, funding, interval_hours=config.funding_interval_hours, default=config.funding_rate)
    # Signals are walked independently, so the walk runs in slices of them to report progress in between.
    edges = np.linspace(0, m, max(1, min(m, PROGRESS_STEPS)) + 1).astype(np.int64)
    parts = []
    for a, b in zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True):
        parts.append(_walk.walk(
            o, h, lo, c, rates, mo, mh, ml, mstart, mend,
            start[a:b], side[a:b], entry[a:b], stop[a:b], tp1[a:b], tp2[a:b],
            config.entry == "limit", int(config.limit_valid_bars), int(config.max_holding_bars or 0),
            float(config.tp1_fraction), bool(config.breakeven_after_tp1), config.slippage_bps / 10_000.0,
        ))  # fmt: skip
        if progress is not None and m:
            progress(WALK_SHARE * b / m)
    (status, entry_bar, entry_px, tp1_bar, tp1_min, tp1_px, tp1_frac, exit_bar, exit_min, exit_px, reason,
     funding_unit) = (np.concatenate(column) for column in zip(*parts, strict=True))  # fmt: skip

    # Per unit of size: everything below is linear in size.
    filled = status == _walk.FILLED
    f1 = tp1_frac
    p1 = np.where(f1 > 0, tp1_px, 0.0)
    gross_u = side * (f1 * (p1 - entry_px) + (1.0 - f1) * (exit_px - entry_px))
    entry_fee = config.maker_fee if config.entry == "limit" else config.taker_fee
    exit_fee = np.where((reason == _walk.TP1) | (reason == _walk.TP2), config.maker_fee, config.taker_fee)
    fees_u = entry_fee * entry_px + f1 * config.maker_fee * p1 + (1.0 - f1) * exit_fee * exit_px
    risk_u = np.abs(entry_px - stop)

    # Portfolio pass over the filled signals, in order of entry (a loop over signals, not bars).
    order = np.flatnonzero(filled)
    order = order[np.argsort(entry_bar[order], kind="stable")]
    taken = np.zeros(m, dtype=bool)
    skip_reason = np.where(filled, "", [_walk.STATUS_NAMES[s] for s in status]).astype(object)
    size = np.zeros(m)
    equity_before = np.full(m, np.nan)
    realized = config.initial_equity
    pending: list[tuple[int, int]] = []  # (exit_bar, signal) of trades taken and not yet booked
    busy_until = -1
    for k in order.tolist():
        eb = int(entry_bar[k])
        while pending and pending[0][0] < eb:
            _, done = heapq.heappop(pending)
            realized += size[done] * (gross_u[done] - fees_u[done] + funding_unit[done])
        if config.one_position and eb <= busy_until:
            skip_reason[k] = "position open"
            continue
        if realized <= 0.0:
            skip_reason[k] = "no equity"
            continue
        qty = min(realized * config.risk_per_trade / risk_u[k], realized * config.max_leverage / entry_px[k])
        size[k] = qty
        equity_before[k] = realized
        taken[k] = True
        busy_until = max(busy_until, int(exit_bar[k]))
        heapq.heappush(pending, (int(exit_bar[k]), k))

    t = np.flatnonzero(taken)
    t = t[np.argsort(entry_bar[t], kind="stable")]
    qty = size[t]
    gross = qty * gross_u[t]
    fees = qty * fees_u[t]
    fund = qty * funding_unit[t]
    pnl = gross - fees + fund
    exit_time = _event_times(index, minute_candles, exit_bar[t], exit_min[t])
    tp1_hit = tp1_frac[t] > 0
    tp1_time = _event_times(index, minute_candles, tp1_bar[t], tp1_min[t])
    trades = pd.DataFrame(
        {
            "signal": t,
            "setup": setup[t],
            "confidence": confidence[t],
            "side": np.where(side[t] > 0, "LONG", "SHORT"),
            "entry_bar": entry_bar[t],
            "entry_time": index[entry_bar[t]],
            "entry_price": entry_px[t],
            "stop_loss": stop[t],
            "take_profit_1": tp1[t],
            "take_profit_2": tp2[t],
            "size": qty,
            "notional": qty * entry_px[t],
            "tp1_hit": tp1_hit,
            "tp1_time": tp1_time.where(tp1_hit),
            "tp1_price": np.where(tp1_hit, tp1_px[t], np.nan),
            "tp1_fraction": tp1_frac[t],
            "exit_bar": exit_bar[t],
            "exit_time": exit_time,
            "exit_price": exit_px[t],
            "exit_reason": [_walk.REASON_NAMES[r] for r in reason[t]],
            "gross_pnl": gross,
            "fees": fees,
            "funding": fund,
            "pnl": pnl,
            "r_multiple": pnl / (qty * risk_u[t]),
            "bars_held": exit_bar[t] - entry_bar[t] + 1,
            "equity_before": equity_before[t],
        },
        columns=TRADE_COLUMNS,
    ).astype({"setup": str, "side": str, "exit_reason": str})  # same dtypes with and without trades

    equity = _equity_curve(
        index, c, config.initial_equity, side[t], qty, entry_px[t], entry_bar[t], entry_fee,
        tp1_bar[t], tp1_frac[t], p1[t], config.maker_fee, exit_bar[t], exit_px[t], exit_fee[t], fund,
    )  # fmt: skip

    resolved = filled & ~((reason == _walk.END) & (tp1_frac == 0))
    outcomes = pd.DataFrame(
        {
            "signal": np.arange(m),
            "confirmed": confirmed,
            "setup": setup,
            "confidence": confidence,
            "direction": np.where(side > 0, "LONG", np.where(side < 0, "SHORT", "")),
            "status": [_walk.STATUS_NAMES[s] for s in status],
            "filled": filled,
            "taken": taken,
            "skipped": skip_reason,
            "tp1_hit": tp1_frac > 0,
            "exit_reason": [_walk.REASON_NAMES[r] for r in reason],
            "r_multiple": np.where(filled, (gross_u - fees_u + funding_unit) / np.where(filled, risk_u, 1.0), np.nan),
            "resolved": resolved,
        }
    )
    stats = summarize(
        trades, equity, initial_equity=config.initial_equity, signals=m, signals_skipped=int(m - taken.sum())
    )
    result = BacktestResult(
        trades=trades,
        outcomes=outcomes,
        equity=equity,
        stats=stats,
        calibration=calibration_table(outcomes, bucket_width=config.bucket_width),
        config=config,
    )
    if progress is not None:
        progress(1.0)
    return result


def _event_times(index: pd.DatetimeIndex, minutes: pd.DataFrame | None, bars: np.ndarray, mins: np.ndarray):
    """Time of each event: its minute when a 1-minute walk found it, else its bar's open time."""
    out = pd.Series(pd.NaT, index=range(len(bars)), dtype=index.dtype)
    has_bar = bars >= 0
    if has_bar.any():
        out[has_bar] = index[bars[has_bar]]
    if minutes is not None:
        has_min = mins >= 0
        if has_min.any():
            out[has_min] = pd.DatetimeIndex(minutes.index).as_unit(index.unit)[mins[has_min]]
    return out


def _equity_curve(
    index, close, initial, side, qty, entry_px, entry_bar, entry_fee, tp1_bar, f1, p1, maker_fee,
    exit_bar, exit_px, exit_fee, funding,
) -> pd.Series:  # fmt: skip
    """Cash plus open positions marked to each bar's close; built with event arrays and cumulative sums."""
    n = len(index)
    cash = np.zeros(n)
    held = np.zeros(n)  # signed base units held from that bar on
    basis = np.zeros(n)  # signed cost of those units
    signed = side * qty
    np.add.at(cash, entry_bar, -entry_fee * qty * entry_px)
    np.add.at(held, entry_bar, signed)
    np.add.at(basis, entry_bar, signed * entry_px)
    part = f1 > 0
    if part.any():
        b = tp1_bar[part]
        q1 = signed[part] * f1[part]
        np.add.at(cash, b, q1 * (p1[part] - entry_px[part]) - maker_fee * qty[part] * f1[part] * p1[part])
        np.add.at(held, b, -q1)
        np.add.at(basis, b, -q1 * entry_px[part])
    rest = signed * (1.0 - f1)
    np.add.at(cash, exit_bar, rest * (exit_px - entry_px) - exit_fee * qty * (1.0 - f1) * exit_px + funding)
    np.add.at(held, exit_bar, -rest)
    np.add.at(basis, exit_bar, -rest * entry_px)
    held_now = np.cumsum(held)
    equity = initial + np.cumsum(cash) + held_now * close - np.cumsum(basis)
    return pd.Series(equity, index=index, name="equity")
