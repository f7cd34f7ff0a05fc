"""Evidence and outcomes of live signals, on the database.

- ``signals_attach_evidence``: before new ``Signal`` rows are saved, each gets the walk-forward evidence
  of its class (``trading.engine.evidence``) from the stored outcomes resolved before its ``known_at``;
  that evidence is stored with it and never recomputed, so a signal shows what was known when it was.
- ``signal_outcomes_update``: the open signals of one series are followed over its stored closed
  candles (``trading.engine.outcomes``); the ones that resolved get their outcome, the close of the
  candle that resolved it and their realised R after costs. It runs before each signal run of the
  series (``trading.tasks.run_signals``); which outcomes a new signal may count (resolved strictly
  before its ``known_at``) is the evidence engine's rule, not a matter of timing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from market.selectors.candles import candle_frame
from market.sources import get_source
from trading import conf
from trading.engine.evidence import walk_forward_evidence
from trading.engine.outcomes import FINAL, OPEN, TP1, TP2, signal_outcomes
from trading.engine.timeframes import timeframe_to_timedelta
from trading.models import Signal

logger = logging.getLogger(__name__)

_HISTORY = ("setup", "direction", "timeframe", "confidence", "outcome", "outcome_at", "outcome_r")


def outcome_history(*, before: datetime) -> pd.DataFrame:
    """Every stored final outcome resolved before ``before``, in the evidence engine's columns."""
    rows = list(Signal.objects.filter(outcome__in=FINAL, outcome_at__lt=before).values_list(*_HISTORY))
    frame = pd.DataFrame(rows, columns=list(_HISTORY))
    return pd.DataFrame(
        {
            "setup": frame["setup"].astype(str),
            "direction": frame["direction"].astype(str),
            "timeframe": frame["timeframe"].astype(str),
            "confidence": frame["confidence"].astype(np.float64),
            "resolved_at": pd.to_datetime(frame["outcome_at"], utc=True),
            "tp1_hit": frame["outcome"].isin([TP1, TP2]),
            "r_after_costs": frame["outcome_r"].astype(np.float64),
        }
    )


def signals_attach_evidence(signals: Sequence[Signal]) -> None:
    """Set the evidence fields of (unsaved) ``signals`` from outcomes resolved before each one's ``known_at``."""
    if not signals:
        return
    history = outcome_history(before=max(s.known_at for s in signals))
    judged = pd.DataFrame(
        {
            "setup": [s.setup for s in signals],
            "direction": [s.direction for s in signals],
            "timeframe": [s.timeframe for s in signals],
            "confidence": [float(s.confidence) for s in signals],
            "known_at": pd.to_datetime([s.known_at for s in signals], utc=True),
        }
    )
    evidence = walk_forward_evidence(history, judged, conf.evidence_config())
    for signal, row in zip(signals, evidence.itertuples(index=False), strict=True):
        signal.evidence_rate = _number(row.rate)
        signal.evidence_low = _number(row.low)
        signal.evidence_high = _number(row.high)
        signal.evidence_n = int(row.n)
        signal.evidence_mean_r = _number(row.mean_r)
        signal.evidence_class = row.label
        signal.evidence_level = int(row.level)


def _number(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def signal_outcomes_update(*, exchange: str, symbol: str, timeframe: str, now: datetime | None = None) -> int:
    """Resolve the series' open signals on its stored closed candles; returns how many resolved."""
    now = now or get_source().now()
    pending = list(
        Signal.objects.filter(exchange=exchange, symbol=symbol, timeframe=timeframe, outcome=OPEN).order_by("bar_time")
    )
    if not pending:
        return 0
    step = timeframe_to_timedelta(timeframe)
    closed_end = (pd.Timestamp(now) - step + pd.Timedelta(microseconds=1)).to_pydatetime()
    candles = candle_frame(exchange, symbol, timeframe, start=pending[0].bar_time, end=closed_end)
    positions = candles.index.get_indexer(pd.to_datetime([s.bar_time for s in pending], utc=True))
    on_candles = [(s, int(p)) for s, p in zip(pending, positions, strict=True) if p >= 0]
    if not on_candles:
        return 0
    frame = pd.DataFrame(
        {
            "confirmed": [p for _, p in on_candles],
            "direction": [s.direction for s, _ in on_candles],
            "entry": [float(s.entry) for s, _ in on_candles],
            "stop_loss": [float(s.stop_loss) for s, _ in on_candles],
            "take_profit_1": [float(s.take_profit_1) for s, _ in on_candles],
            "take_profit_2": [float(s.take_profit_2) for s, _ in on_candles],
            "confidence": [float(s.confidence) for s, _ in on_candles],
        }
    )
    outcomes = signal_outcomes(candles, frame, conf.outcome_config())
    # A gap in the stored candles would shift bars: the resolving bar's own close is used, not the step.
    resolved = []
    for (signal, _), row in zip(on_candles, outcomes.itertuples(index=False), strict=True):
        if row.status == OPEN:
            continue
        signal.outcome = row.status
        if row.resolved_bar >= 0:
            signal.outcome_at = (candles.index[row.resolved_bar] + step).to_pydatetime()
        signal.outcome_r = _number(row.r_after_costs)
        resolved.append(signal)
    Signal.objects.bulk_update(resolved, ["outcome", "outcome_at", "outcome_r"])
    if resolved:
        logger.info("outcomes %s %s %s: %d resolved", exchange, symbol, timeframe, len(resolved))
    return len(resolved)
