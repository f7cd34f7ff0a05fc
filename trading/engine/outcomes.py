"""Outcomes of signals: what later candles did to each one, and its realised R after costs.

The exits are the backtester's (``trading.engine.backtest``: its bar-by-bar walk with the 1-minute
disambiguation and its cost model), run for every signal on its own; this module only maps what the
walk found to a trader's outcome and says when that outcome became known. Rules:

- entry at the open of the bar after the confirming bar (market order, plus slippage); half closes at
  TP1, the stop then moves to the entry fill, the rest closes at TP2 (the backtester's defaults);
- ``expiry_bars`` after the entry the position closes at that bar's close (``expired`` if TP1 was not
  reached by then);
- costs: the taker fee on every fill, both ways (a live order may have to cross the spread at a target
  too, so targets are not assumed to earn the maker rebate), plus ``slippage_bps`` on market fills;
  funding is left out unless ``funding_rate`` is set (the real rate series is not known in advance).

Outcome statuses:

- ``tp2``: the whole position reached TP2; ``tp1``: TP1 was reached and the rest closed at the
  break-even stop, at TP1 itself (one target) or at expiry; ``stopped``: the stop came before TP1;
  ``expired``: neither TP1 nor the stop within ``expiry_bars``;
- ``open``: still running at the last candle (even after TP1: its R is not final yet);
- ``void``: never entered: the next bar opened at or through the stop or TP1, or the levels are
  inconsistent (stop and target on the same side of the entry).

An outcome is known at the **close of the bar that resolved it** (``resolved_at``); only final
outcomes (``tp1``, ``tp2``, ``stopped``, ``expired``) carry an R and a ``resolved_at``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from trading.engine.backtest import BacktestConfig, run_backtest
from trading.engine.backtest import walk as _walk
from trading.engine.costs import cost_rate

OPEN, TP1, TP2, STOPPED, EXPIRED, VOID = "open", "tp1", "tp2", "stopped", "expired", "void"
FINAL = (TP1, TP2, STOPPED, EXPIRED)
STATUSES = (OPEN, TP1, TP2, STOPPED, EXPIRED, VOID)
OUTCOME_COLUMNS = ["status", "tp1_hit", "resolved_bar", "resolved_at", "r_after_costs", "entry_fill"]

_DEFAULTS = BacktestConfig()


@dataclass(frozen=True)
class OutcomeConfig:
    """How a signal is followed to its outcome (defaults: the backtester's fees and slippage)."""

    expiry_bars: int = 48
    taker_fee: float = _DEFAULTS.taker_fee
    slippage_bps: float = _DEFAULTS.slippage_bps
    tp1_fraction: float = _DEFAULTS.tp1_fraction
    breakeven_after_tp1: bool = _DEFAULTS.breakeven_after_tp1
    funding_rate: float = 0.0

    def __post_init__(self) -> None:
        if self.expiry_bars < 1:
            raise ValueError("expiry_bars must be at least 1")

    def backtest_config(self) -> BacktestConfig:
        """The backtest that follows every signal on its own under these rules."""
        return BacktestConfig(
            entry="market",
            max_holding_bars=self.expiry_bars,
            taker_fee=self.taker_fee,
            maker_fee=self.taker_fee,  # taker both ways (see the module docstring)
            slippage_bps=self.slippage_bps,
            tp1_fraction=self.tp1_fraction,
            breakeven_after_tp1=self.breakeven_after_tp1,
            funding_rate=self.funding_rate,
            one_position=False,
        )

    def round_trip_cost(self) -> float:
        """Cost of entering and leaving at market, as a fraction of price (fees both ways + slippage)."""
        return cost_rate(self.taker_fee, self.slippage_bps)


def signal_outcomes(
    candles: pd.DataFrame,
    signals: pd.DataFrame,
    config: OutcomeConfig | None = None,
    *,
    minute_candles: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per signal (same order, a fresh RangeIndex) with :data:`OUTCOME_COLUMNS`.

    ``candles`` and ``signals`` are in the backtester's format (``confirmed`` is a bar position in
    ``candles``). ``resolved_at`` is the close of ``resolved_bar`` (bar spacing: the index's median step).
    """
    config = config or OutcomeConfig()
    index = pd.DatetimeIndex(candles.index)
    m = len(signals)
    if m == 0:
        return _empty()
    result = run_backtest(candles, signals, config.backtest_config(), minute_candles=minute_candles)
    out = result.outcomes
    # Per-signal arrays the runner already has; the walk's codes come back as its names.
    filled = out["filled"].to_numpy(bool)
    tp1_hit = out["tp1_hit"].to_numpy(bool)
    reason = out["exit_reason"].to_numpy(object)
    names = _walk.REASON_NAMES
    ended = reason == names[_walk.END]
    stop = reason == names[_walk.STOP]
    timeout = reason == names[_walk.TIMEOUT]
    tp2 = reason == names[_walk.TP2]

    status = np.full(m, VOID, dtype=object)
    never_walked = out["status"].to_numpy(object) == _walk.STATUS_NAMES[_walk.NO_NEXT_BAR]
    status[never_walked] = OPEN
    status[filled & ended] = OPEN
    status[filled & ~ended & tp1_hit] = TP1
    status[filled & tp2] = TP2
    status[filled & stop & ~tp1_hit] = STOPPED
    status[filled & timeout & ~tp1_hit] = EXPIRED
    final = np.isin(status, FINAL)

    exit_bar, entry_fill = _from_trades(result, m)
    resolved_bar = np.where(final, exit_bar, -1)
    step = _bar_step(index)
    resolved_at = pd.Series(pd.NaT, index=range(m), dtype=index.dtype)
    if final.any():
        resolved_at[final] = index[resolved_bar[final]] + step
    return pd.DataFrame(
        {
            "status": status.astype(str),
            "tp1_hit": tp1_hit & filled,
            "resolved_bar": resolved_bar.astype(np.int64),
            "resolved_at": resolved_at,
            "r_after_costs": np.where(final, out["r_multiple"].to_numpy(np.float64), np.nan),
            "entry_fill": entry_fill,
        },
        columns=OUTCOME_COLUMNS,
    )


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "status": pd.Series(dtype=str),
            "tp1_hit": pd.Series(dtype=bool),
            "resolved_bar": pd.Series(dtype=np.int64),
            "resolved_at": pd.Series(dtype="datetime64[ns, UTC]"),
            "r_after_costs": pd.Series(dtype=np.float64),
            "entry_fill": pd.Series(dtype=np.float64),
        }
    )


def _bar_step(index: pd.DatetimeIndex) -> pd.Timedelta:
    if len(index) < 2:
        return pd.Timedelta(0)
    return pd.Timedelta(int(np.median(np.diff(index.asi8))), unit=index.unit)


def _from_trades(result, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Exit bar and entry fill of every filled signal (-1 / NaN otherwise). The runner reports them per
    trade, and every filled signal is a trade when positions may overlap (``one_position=False``): equity
    shrinks by about 1 % per loss, so it never runs out."""
    bars = np.full(m, -1, dtype=np.int64)
    fills = np.full(m, np.nan)
    trades = result.trades
    taken = trades["signal"].to_numpy(np.int64)
    bars[taken] = trades["exit_bar"].to_numpy(np.int64)
    fills[taken] = trades["entry_price"].to_numpy(np.float64)
    return bars, fills
