"""The calibration snapshot live signals quote: the engine and the backtester over stored history.

``calibration_refresh`` backtests every followed series on its latest ``FLAXU_CALIBRATION_MAX_CANDLES``
stored candles with the live engine configuration and default costs, pools every signal's outcome
(reached TP1 or not, whether or not the one-position portfolio took it) and stores the TP1 hit rate per
setup and confidence bucket as a new ``Calibration`` row.
"""

from __future__ import annotations

import logging

import pandas as pd

from market.selectors.candles import candle_frame
from trading import conf
from trading.engine import analyze
from trading.engine.backtest import BacktestConfig, calibration_table, run_backtest
from trading.models import Calibration
from trading.services.signals import MIN_BARS, signal_series

logger = logging.getLogger(__name__)

KEEP_SNAPSHOTS = 30


def calibration_rows(table: pd.DataFrame) -> list[dict]:
    """The engine's calibration table as JSON rows."""
    return [
        {
            "setup": str(r.setup),
            "bucket": str(r.bucket),
            "low": float(r.low),
            "high": float(r.high),
            "cases": int(r.cases),
            "tp1_hits": int(r.tp1_hits),
            "hit_rate": float(r.hit_rate),
        }
        for r in table.itertuples(index=False)
    ]


def calibration_refresh(*, series: list[tuple[str, str, str]] | None = None) -> Calibration:
    """Backtest the followed series over stored candles and save a new calibration snapshot."""
    config = conf.engine_config()
    limit = conf.calibration_max_candles()
    outcomes, used, candles, signals = [], [], 0, 0
    for exchange, symbol, timeframe in series or signal_series():
        frame = candle_frame(exchange, symbol, timeframe, limit=limit)
        if len(frame) < MIN_BARS:
            continue
        found = analyze(frame, config).signals
        result = run_backtest(frame, found, BacktestConfig())
        outcomes.append(result.outcomes)
        used.append([exchange, symbol, timeframe])
        candles += len(frame)
        signals += len(found)
    pooled = pd.concat(outcomes, ignore_index=True) if outcomes else None
    table = calibration_table(pooled) if pooled is not None else pd.DataFrame(columns=["setup"])
    rows = calibration_rows(table) if pooled is not None else []
    snapshot = Calibration.objects.create(
        table=rows, series=used, candles=candles, signals=signals, cases=sum(r["cases"] for r in rows)
    )
    stale = Calibration.objects.order_by("-created_at", "-id").values_list("pk", flat=True)[KEEP_SNAPSHOTS:]
    Calibration.objects.filter(pk__in=list(stale)).delete()
    logger.info("calibration: %d series, %d candles, %d signals, %d cases", len(used), candles, signals, snapshot.cases)
    return snapshot
