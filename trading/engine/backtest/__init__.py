"""Backtester: signals in the ``analyze`` format over candles; trades, equity, statistics, calibration.

Pure (numpy/pandas in, plain data out). Rules: ``runner.py``; statistics: ``metrics.py``; calibration:
``calibration.py``; the sequential walk: ``walk.py``.
"""

from trading.engine.backtest.calibration import CalibrationLookup, calibration_lookup, calibration_table
from trading.engine.backtest.metrics import (
    BacktestStats,
    expectancy,
    exposure,
    max_drawdown,
    periods_per_year,
    profit_factor,
    sharpe_ratio,
    summarize,
    win_rate,
)
from trading.engine.backtest.runner import BacktestConfig, BacktestResult, funding_by_bar, run_backtest

__all__ = [
    "BacktestConfig",
    "BacktestResult",
    "BacktestStats",
    "CalibrationLookup",
    "calibration_lookup",
    "calibration_table",
    "expectancy",
    "exposure",
    "funding_by_bar",
    "max_drawdown",
    "periods_per_year",
    "profit_factor",
    "run_backtest",
    "sharpe_ratio",
    "summarize",
    "win_rate",
]
