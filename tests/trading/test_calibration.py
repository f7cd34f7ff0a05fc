"""The calibration snapshot: every followed series backtested over stored candles; live signals quote it."""

from __future__ import annotations

import pytest

from tests.trading.factories import BTC, EXCHANGE, seed_candles
from trading.models import Calibration
from trading.selectors import signal_calibration
from trading.services.calibration import calibration_refresh
from trading.services.signals import signals_run

pytestmark = pytest.mark.django_db


def test_a_snapshot_pools_outcomes_and_signals_quote_their_bucket(settings):
    seed_candles(4000, seed=21)
    snapshot = calibration_refresh()
    assert snapshot.series == [[EXCHANGE, BTC, "5m"]] and snapshot.candles == 4000
    assert snapshot.cases == sum(r["cases"] for r in snapshot.table) > 0
    assert all(0 <= r["hit_rate"] <= 1 and r["tp1_hits"] <= r["cases"] for r in snapshot.table)

    signal = signals_run(exchange=EXCHANGE, symbol=BTC, timeframe="5m")[-1]
    lookup = signal_calibration(signal)
    rows = [r for r in snapshot.table if r["setup"] == signal.setup and r["low"] <= signal.confidence < r["high"]]
    assert lookup.cases == sum(r["cases"] for r in rows)
    if lookup.cases >= 30:
        assert lookup.sentence == (
            f"setups like this reached TP1 in {100 * lookup.hit_rate:.0f} % of {lookup.cases:,} backtested cases"
        )
    elif lookup.cases:
        assert "too few for a reliable rate" in lookup.sentence


def test_old_snapshots_are_pruned():
    for _ in range(32):
        calibration_refresh(series=[])
    assert Calibration.objects.count() == 30
