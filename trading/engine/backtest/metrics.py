"""Performance statistics of a backtest, each a small function over plain arrays.

Definitions (what a trader reads on the Backtests page):
- win rate: share of trades whose net PnL (after fees and funding) is > 0;
- profit factor: sum of winning net PnL / |sum of losing net PnL| (inf with no losing trade, NaN with
  no trade);
- expectancy: mean net PnL per trade, in quote currency (``expectancy_r``: mean R multiple);
- max drawdown: largest fall of the equity curve from its running peak, as a fraction of that peak
  (and in quote currency);
- Sharpe: mean / standard deviation (ddof 1) of the per-bar simple returns of the equity curve, times
  sqrt(bars per year); crypto trades around the clock, so a year is 365 days of bars (525,600 1-minute
  bars, 105,120 5-minute bars). No risk-free rate. NaN when the returns do not vary;
- exposure: share of bars during which a position was open for at least part of the bar.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SECONDS_PER_YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class BacktestStats:
    """Headline figures of one backtest (see the module docstring for each definition)."""

    trades: int
    wins: int
    losses: int
    win_rate: float
    profit_factor: float
    expectancy: float
    expectancy_r: float
    gross_profit: float
    gross_loss: float
    net_pnl: float
    fees: float
    funding: float
    initial_equity: float
    final_equity: float
    total_return: float
    max_drawdown: float
    max_drawdown_abs: float
    sharpe: float
    exposure: float
    periods_per_year: float
    signals: int
    signals_skipped: int


def win_rate(pnl: np.ndarray) -> float:
    """Share of trades with a net PnL above zero (NaN with no trade)."""
    pnl = np.asarray(pnl, dtype=np.float64)
    return float(np.mean(pnl > 0)) if len(pnl) else float("nan")


def profit_factor(pnl: np.ndarray) -> float:
    """Gross profit over gross loss (inf with no loss, NaN with no trade)."""
    pnl = np.asarray(pnl, dtype=np.float64)
    if not len(pnl):
        return float("nan")
    profit = float(pnl[pnl > 0].sum())
    loss = float(-pnl[pnl < 0].sum())
    if loss == 0.0:
        return float("inf") if profit > 0 else float("nan")
    return profit / loss


def expectancy(pnl: np.ndarray) -> float:
    """Mean net PnL per trade (NaN with no trade)."""
    pnl = np.asarray(pnl, dtype=np.float64)
    return float(pnl.mean()) if len(pnl) else float("nan")


def max_drawdown(equity: np.ndarray | pd.Series) -> tuple[float, float]:
    """(largest fall from the running peak as a fraction of that peak, the same in currency)."""
    eq = np.asarray(equity, dtype=np.float64)
    if not len(eq):
        return 0.0, 0.0
    peak = np.maximum.accumulate(eq)
    fall = peak - eq
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(peak > 0, fall / peak, 0.0)
    return float(frac.max()), float(fall.max())


def periods_per_year(index: pd.DatetimeIndex) -> float:
    """Bars per 365-day year from the median spacing of the index (NaN with fewer than two bars)."""
    if len(index) < 2:
        return float("nan")
    step = float(np.median(np.diff(index.asi8))) * pd.Timedelta(1, unit=index.unit).total_seconds()
    return SECONDS_PER_YEAR / step


def sharpe_ratio(equity: np.ndarray | pd.Series, periods: float) -> float:
    """Annualised Sharpe of per-bar equity returns (no risk-free rate; NaN if returns do not vary)."""
    eq = np.asarray(equity, dtype=np.float64)
    if len(eq) < 3:
        return float("nan")
    returns = eq[1:] / eq[:-1] - 1.0
    sd = returns.std(ddof=1)
    if not np.isfinite(sd) or sd == 0.0:
        return float("nan")
    return float(returns.mean() / sd * np.sqrt(periods))


def exposure(entry_bars: np.ndarray, exit_bars: np.ndarray, bars: int) -> float:
    """Share of ``bars`` covered by at least one [entry_bar, exit_bar] interval."""
    if bars <= 0:
        return 0.0
    marks = np.zeros(bars + 1, dtype=np.int64)
    np.add.at(marks, np.asarray(entry_bars, dtype=np.int64), 1)
    np.add.at(marks, np.asarray(exit_bars, dtype=np.int64) + 1, -1)
    return float(np.count_nonzero(np.cumsum(marks[:-1]) > 0)) / bars


def summarize(
    trades: pd.DataFrame,
    equity: pd.Series,
    *,
    initial_equity: float,
    signals: int = 0,
    signals_skipped: int = 0,
) -> BacktestStats:
    """All statistics from a trade list (``pnl``, ``r_multiple``, ``fees``, ``funding``, ``entry_bar``,
    ``exit_bar``) and the per-bar equity curve."""
    pnl = trades["pnl"].to_numpy(np.float64)
    dd, dd_abs = max_drawdown(equity)
    periods = periods_per_year(equity.index) if isinstance(equity.index, pd.DatetimeIndex) else float("nan")
    final = float(equity.iloc[-1]) if len(equity) else initial_equity
    return BacktestStats(
        trades=len(pnl),
        wins=int((pnl > 0).sum()),
        losses=int((pnl <= 0).sum()),
        win_rate=win_rate(pnl),
        profit_factor=profit_factor(pnl),
        expectancy=expectancy(pnl),
        expectancy_r=expectancy(trades["r_multiple"].to_numpy(np.float64)),
        gross_profit=float(pnl[pnl > 0].sum()),
        gross_loss=float(pnl[pnl < 0].sum()),
        net_pnl=float(pnl.sum()),
        fees=float(trades["fees"].sum()),
        funding=float(trades["funding"].sum()),
        initial_equity=initial_equity,
        final_equity=final,
        total_return=final / initial_equity - 1.0,
        max_drawdown=dd,
        max_drawdown_abs=dd_abs,
        sharpe=sharpe_ratio(equity, periods),
        exposure=exposure(trades["entry_bar"].to_numpy(), trades["exit_bar"].to_numpy(), len(equity)),
        periods_per_year=periods,
        signals=signals,
        signals_skipped=signals_skipped,
    )
