"""Every signal carries out-of-sample evidence from its creation and gets its outcome from later candles;
it is auto-executable only when confident and its class's past outcomes made money after costs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.trading.factories import BTC, EXCHANGE, make_signal, seed_candles, store_candles
from trading.models import Signal
from trading.services.evidence import signal_outcomes_update, signals_attach_evidence
from trading.services.signals import signals_run

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def hourly(bars):
    index = pd.date_range(T0, periods=len(bars), freq="1h", tz="UTC")
    frame = pd.DataFrame(np.array(bars, dtype=float), columns=["open", "high", "low", "close"], index=index)
    frame["volume"] = 1.0
    return frame


def past_outcomes(count, *, r, start=T0, outcome="tp2", confidence=80, setup="swing_ob"):
    """``count`` stored signals (5m, LONG) each resolved an hour after the last with realised ``r``."""
    for i in range(count):
        signal = make_signal(bar_time=start + timedelta(hours=i), confidence=confidence)
        Signal.objects.filter(pk=signal.pk).update(
            setup=setup, outcome=outcome, outcome_at=start + timedelta(hours=i, minutes=30), outcome_r=r
        )


def new_signal(*, hours_after_t0, confidence=80):
    bar_time = T0 + timedelta(hours=hours_after_t0)
    return Signal(exchange=EXCHANGE, symbol=BTC, timeframe="5m", bar_time=bar_time,
                  known_at=Signal.close_of(bar_time, "5m"), direction="LONG", setup="swing_ob", entry=100,
                  stop_loss=99, take_profit_1=102, take_profit_2=103, confidence=confidence)  # fmt: skip


def test_an_open_signal_gets_its_outcome_time_and_r_after_costs_when_later_candles_close():
    store_candles(hourly([(100, 100, 100, 100), (100, 102.5, 99.8, 102), (102, 103.2, 101.5, 103)] +
                         [(103, 104, 103, 104)] * 3), timeframe="1h")  # fmt: skip
    signal = make_signal(bar_time=T0, timeframe="1h", entry="100", stop_loss="99", take_profit_1="102",
                         take_profit_2="103")  # fmt: skip
    assert signal.outcome == "open"
    assert signal_outcomes_update(exchange=EXCHANGE, symbol=BTC, timeframe="1h", now=T0 + timedelta(hours=1)) == 0
    resolved = signal_outcomes_update(exchange=EXCHANGE, symbol=BTC, timeframe="1h", now=T0 + timedelta(hours=6))
    signal.refresh_from_db()
    assert resolved == 1 and signal.outcome == "tp2"
    assert signal.outcome_at == T0 + timedelta(hours=3)  # the close of the bar that reached TP2
    assert 2.2 < signal.outcome_r < 2.5  # 2.5 R gross, less taker fees both ways and slippage


def test_evidence_counts_only_outcomes_resolved_before_the_signal_became_known():
    past_outcomes(30, r=1.5)
    early, late = new_signal(hours_after_t0=10), new_signal(hours_after_t0=40)
    signals_attach_evidence([early, late])
    assert early.evidence_n == 10 and late.evidence_n == 30
    assert late.evidence_rate == 1.0 and late.evidence_mean_r == pytest.approx(1.5)
    assert late.evidence_low < 1.0 and late.evidence_high == pytest.approx(1.0)
    assert late.evidence_class == "swing_ob LONG 5m 80-85" and late.evidence_level == 0


def test_executable_only_above_the_threshold_with_enough_positive_out_of_sample_outcomes(settings):
    past_outcomes(30, r=0.4)
    confident, at_line = new_signal(hours_after_t0=40), new_signal(hours_after_t0=40, confidence=75)
    too_soon = new_signal(hours_after_t0=20)
    signals_attach_evidence([confident, at_line, too_soon])
    assert confident.auto_executable and "+0.40 R after costs over 30" in confident.verdict.reason
    assert not at_line.auto_executable and "not above 75" in at_line.verdict.reason
    assert not too_soon.auto_executable and "at least 30" in too_soon.verdict.reason
    settings.FLAXU_EVIDENCE_MIN_SAMPLES = 40
    assert not confident.auto_executable
    confident.historical = True
    settings.FLAXU_EVIDENCE_MIN_SAMPLES = 30
    assert not confident.auto_executable and "after the fact" in confident.verdict.reason


def test_a_class_that_lost_money_after_costs_is_informational():
    past_outcomes(40, r=-0.2, outcome="stopped")
    signal = new_signal(hours_after_t0=60, confidence=95)
    signals_attach_evidence([signal])
    assert signal.evidence_rate == 0.0 and not signal.auto_executable
    assert "-0.20 R after costs" in signal.verdict.reason


def test_a_signal_run_stores_each_new_signal_with_its_evidence():
    seed_candles(1500)
    created = signals_run(exchange=EXCHANGE, symbol=BTC, timeframe="5m")
    assert created
    stored = Signal.objects.get(pk=created[-1].pk)
    assert stored.evidence_class and stored.evidence_n == 0 and stored.evidence_rate is None
    assert not stored.auto_executable


def test_the_evidence_sample_floor_is_a_documented_setting():
    from django.conf import settings

    assert settings.FLAXU_EVIDENCE_MIN_SAMPLES == 30
    assert "FLAXU_EVIDENCE_MIN_SAMPLES = env.int(" in (ROOT / "flaxu/settings.py").read_text()
    assert "# FLAXU_EVIDENCE_MIN_SAMPLES=30" in (ROOT / ".env.example").read_text()
    assert "| `FLAXU_EVIDENCE_MIN_SAMPLES` | `30` |" in (ROOT / "README.md").read_text()
