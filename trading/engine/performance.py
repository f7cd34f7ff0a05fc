"""Realised performance of closed trades: ROI, win rate, average R, profit factor, max drawdown, the
equity curve, breakdowns per strategy and per symbol, and the signals' backtested expectation beside it.

Pure (no Django): input is plain rows or a frame of closed trades with ``pnl`` (net of fees and funding),
``r_multiple`` (may be missing), ``closed_at`` (aware datetimes), ``signal_type`` and ``symbol``, plus the
equity the account started from. The definitions are the backtester's (``trading.engine.backtest.metrics``),
so a realised figure reads the same as its backtested one:

- ROI: net PnL over the initial equity (None without an initial equity above zero);
- win rate: share of trades whose net PnL is above zero;
- average R: mean ``r_multiple`` of the trades that have one (its own count, ``r_n``);
- profit factor: gross profit over gross loss; None when there is no losing trade (``unbounded`` says
  whether that is because every trade won) — never a made-up large number;
- max drawdown: the largest fall of the realised equity curve (initial equity, then one point per closed
  trade) from its running peak, as a fraction of that peak and in currency.

Every figure carries ``n``, the trades it is computed from; with no trade every rate is None.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from trading.engine.backtest import metrics

COLUMNS = ("pnl", "r_multiple", "closed_at", "signal_type", "symbol")
EXPECTATION_COLUMNS = ("evidence_mean_r", "evidence_rate", "evidence_n")


@dataclass(frozen=True)
class Figures:
    """Headline figures of a set of closed trades (see the module docstring for each definition)."""

    n: int
    wins: int
    losses: int
    net_pnl: float
    gross_profit: float
    gross_loss: float
    roi: float | None
    win_rate: float | None
    avg_r: float | None
    r_n: int
    profit_factor: float | None
    profit_factor_unbounded: bool  # no losing trade and at least one winner: "—", not infinity
    max_drawdown: float  # fraction of the running peak
    max_drawdown_abs: float
    initial_equity: float | None
    final_equity: float | None


@dataclass(frozen=True)
class Expectation:
    """ICT trades' backtested expectation (their signals' stored evidence) beside what they realised.

    ``n``: trades compared (closed ICT trades whose signal had evidence); ``expected_*`` are the means of
    the signals' evidence over those trades; ``evidence_n``: the smallest sample behind any of them.
    """

    n: int
    expected_mean_r: float | None
    expected_rate: float | None
    evidence_n_min: int | None
    realised_mean_r: float | None
    realised_win_rate: float | None


@dataclass(frozen=True)
class Performance:
    overall: Figures
    equity_curve: list[tuple[int, float]]  # (epoch seconds, equity), strictly increasing times
    by_strategy: dict[str, Figures] = field(default_factory=dict)
    by_symbol: dict[str, Figures] = field(default_factory=dict)
    expectation: Expectation | None = None


def trades_frame(rows: Iterable[Mapping] | pd.DataFrame) -> pd.DataFrame:
    """Rows (dicts) or a frame as a frame with the known columns, floats for numbers, oldest close first."""
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    for column in COLUMNS:
        if column not in frame:
            frame[column] = None
    numeric = ["pnl", "r_multiple", *(c for c in EXPECTATION_COLUMNS if c in frame)]
    for column in numeric:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(np.float64)
    frame["closed_at"] = pd.to_datetime(frame["closed_at"], utc=True)
    frame = frame[frame["pnl"].notna() & frame["closed_at"].notna()]
    return frame.sort_values("closed_at", kind="stable").reset_index(drop=True)


def _none_if_nan(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def equity_curve(frame: pd.DataFrame, initial_equity: float) -> list[tuple[int, float]]:
    """Initial equity one second before the first close, then equity after each closed trade; trades
    closing in the same second make one point (a chart needs strictly increasing times)."""
    if frame.empty:
        return []
    seconds = (frame["closed_at"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)  # any datetime unit
    equity = initial_equity + frame["pnl"].cumsum()
    last_per_second = pd.Series(equity.to_numpy(), index=seconds.to_numpy()).groupby(level=0).last()
    start = int(last_per_second.index[0]) - 1
    return [(start, float(initial_equity))] + [(int(t), float(v)) for t, v in last_per_second.items()]


def figures(rows: Iterable[Mapping] | pd.DataFrame, initial_equity: float | None) -> Figures:
    """The headline figures of closed trades, from ``initial_equity`` (None: ROI and drawdown % unknown)."""
    frame = trades_frame(rows)
    pnl = frame["pnl"].to_numpy(np.float64)
    r = frame["r_multiple"].dropna().to_numpy(np.float64)
    n = len(pnl)
    base = float(initial_equity) if initial_equity is not None and initial_equity > 0 else None
    curve = np.concatenate([[base or 0.0], (base or 0.0) + np.cumsum(pnl)])
    drawdown, drawdown_abs = metrics.max_drawdown(curve) if n else (0.0, 0.0)
    profit_factor = metrics.profit_factor(pnl) if n else float("nan")
    net = float(pnl.sum())
    return Figures(
        n=n,
        wins=int((pnl > 0).sum()),
        losses=int((pnl <= 0).sum()),
        net_pnl=net,
        gross_profit=float(pnl[pnl > 0].sum()),
        gross_loss=float(pnl[pnl < 0].sum()),
        roi=net / base if base and n else None,
        win_rate=_none_if_nan(metrics.win_rate(pnl)),
        avg_r=float(r.mean()) if len(r) else None,
        r_n=len(r),
        profit_factor=_none_if_nan(profit_factor),
        profit_factor_unbounded=profit_factor == math.inf,
        max_drawdown=float(drawdown) if base else 0.0,  # a fraction of a peak needs a known start
        max_drawdown_abs=float(drawdown_abs),
        initial_equity=base,
        final_equity=base + net if base is not None else None,
    )


def expectation(rows: Iterable[Mapping] | pd.DataFrame) -> Expectation:
    """The ICT trades' signals' evidence (mean R after costs, TP1 rate, n) beside their realised R and
    win rate, over the trades whose signal had evidence (``evidence_n`` > 0)."""
    frame = trades_frame(rows)
    for column in EXPECTATION_COLUMNS:
        if column not in frame:
            frame[column] = np.nan
    mask = (frame["signal_type"] == "ICT") & (frame["evidence_n"].fillna(0) > 0) & frame["evidence_mean_r"].notna()
    ict = frame[mask]
    if ict.empty:
        return Expectation(0, None, None, None, None, None)
    realised_r = ict["r_multiple"].dropna()
    return Expectation(
        n=len(ict),
        expected_mean_r=float(ict["evidence_mean_r"].mean()),
        expected_rate=_none_if_nan(float(ict["evidence_rate"].mean())),
        evidence_n_min=int(ict["evidence_n"].min()),
        realised_mean_r=float(realised_r.mean()) if len(realised_r) else None,
        realised_win_rate=float((ict["pnl"] > 0).mean()),
    )


def _breakdown(frame: pd.DataFrame, column: str, initial_equity: float | None) -> dict[str, Figures]:
    return {str(key): figures(group, initial_equity) for key, group in frame.groupby(column, sort=True, dropna=True)}


def performance(rows: Iterable[Mapping] | pd.DataFrame, initial_equity: float | None) -> Performance:
    """Everything the Performance page shows: figures, equity curve, breakdowns, ICT expectation.

    A breakdown's ROI and drawdown are those of its trades alone from the same initial equity."""
    frame = trades_frame(rows)
    base = float(initial_equity) if initial_equity is not None and initial_equity > 0 else None
    return Performance(
        overall=figures(frame, base),
        equity_curve=equity_curve(frame, base) if base is not None else [],
        by_strategy=_breakdown(frame, "signal_type", base),
        by_symbol=_breakdown(frame, "symbol", base),
        expectation=expectation(frame),
    )
