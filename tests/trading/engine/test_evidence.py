"""Walk-forward evidence: Wilson intervals, class fall-backs, only outcomes known before the signal."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from trading.engine.evidence import EvidenceConfig, execution_verdict, walk_forward_evidence, wilson_interval
from trading.engine.outcomes import signal_outcomes

T0 = pd.Timestamp("2024-01-01", tz="UTC")


@pytest.mark.parametrize(
    ("hits", "n", "low", "high"),
    # Newcombe (1998), Statistics in Medicine 17:857-872, table I, Wilson score method.
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_interval_matches_the_published_values(hits, n, low, high):
    lo, hi = wilson_interval(hits, n)
    assert float(lo) == pytest.approx(low, abs=5e-5) and float(hi) == pytest.approx(high, abs=5e-5)


def test_wilson_interval_without_trials_is_unknown():
    lo, hi = wilson_interval(0, 0)
    assert np.isnan(lo) and np.isnan(hi)


def history(rows):
    """(setup, direction, timeframe, confidence, hours after T0 resolved, tp1_hit, r) rows."""
    frame = pd.DataFrame(rows, columns=["setup", "direction", "timeframe", "confidence", "hours", "tp1_hit", "r"])
    frame["resolved_at"] = T0 + pd.to_timedelta(frame["hours"], unit="h")
    return frame.rename(columns={"r": "r_after_costs"})


def judged(setup, direction, timeframe, confidence, hours):
    return pd.DataFrame([{"setup": setup, "direction": direction, "timeframe": timeframe, "confidence": confidence,
                          "known_at": T0 + pd.Timedelta(hours=hours)}])  # fmt: skip


def test_only_outcomes_resolved_strictly_before_the_signal_count():
    past = history([("fvg", "LONG", "1h", 80, h, h % 2 == 0, 1.0 if h % 2 == 0 else -1.0) for h in range(10)])
    ev = walk_forward_evidence(past, judged("fvg", "LONG", "1h", 81, 5), EvidenceConfig(min_samples=1)).iloc[0]
    assert ev["n"] == 5 and ev["hits"] == 3  # hours 0-4; the one resolved at hour 5 is not known yet
    assert ev["rate"] == pytest.approx(0.6) and ev["mean_r"] == pytest.approx(0.2)
    assert ev["label"] == "fvg LONG 1h 80-85" and ev["level"] == 0


def test_a_thin_class_falls_back_to_coarser_ones_in_order():
    rows = [("fvg", "LONG", "1h", 90, 1, True, 2.0)] * 3  # the exact class: 3 outcomes
    rows += [("fvg", "LONG", "15m", 60, 1, False, -1.0)] * 3  # same setup and direction, other timeframe
    rows += [("ob", "LONG", "1h", 90, 1, False, -1.0)] * 4  # other setup, same direction
    rows += [("ob", "SHORT", "1h", 90, 1, True, 1.0)] * 10
    past = history(rows)
    pick = judged("fvg", "LONG", "1h", 92, 10)
    assert walk_forward_evidence(past, pick, EvidenceConfig(min_samples=3)).iloc[0]["level"] == 0
    by_tf = walk_forward_evidence(past, pick, EvidenceConfig(min_samples=4)).iloc[0]
    assert by_tf["level"] == 2 and by_tf["n"] == 6 and by_tf["label"] == "fvg LONG"
    assert walk_forward_evidence(past, pick, EvidenceConfig(min_samples=10)).iloc[0]["label"] == "LONG"
    everything = walk_forward_evidence(past, pick, EvidenceConfig(min_samples=100)).iloc[0]
    assert everything["label"] == "all signals" and everything["n"] == 20  # nothing is enough: the widest


def test_no_history_gives_no_rate_and_zero_samples():
    ev = walk_forward_evidence(history([]), judged("fvg", "LONG", "1h", 80, 1)).iloc[0]
    assert ev["n"] == 0 and np.isnan(ev["rate"]) and np.isnan(ev["mean_r"])


def test_executable_needs_confidence_above_the_threshold_and_positive_mean_r_with_enough_samples():
    ok = execution_verdict(confidence=80, threshold=75, n=30, mean_r=0.1, min_samples=30)
    assert ok.auto_executable and "0.10 R" in ok.reason
    at_line = execution_verdict(confidence=75, threshold=75, n=300, mean_r=0.5, min_samples=30)
    assert not at_line.auto_executable and "not above 75" in at_line.reason
    few = execution_verdict(confidence=90, threshold=75, n=29, mean_r=0.5, min_samples=30, label="fvg LONG")
    assert not few.auto_executable and "only 29 past outcomes" in few.reason and "fvg LONG" in few.reason
    losing = execution_verdict(confidence=90, threshold=75, n=100, mean_r=-0.05, min_samples=30)
    assert not losing.auto_executable and "-0.05 R" in losing.reason


def random_market(seed: int, n: int):
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.004, n)))
    open_ = np.concatenate(([100.0], close[:-1]))
    high = np.maximum(open_, close) * (1 + rng.exponential(0.002, n))
    low = np.minimum(open_, close) * (1 - rng.exponential(0.002, n))
    index = pd.date_range("2024-03-01", periods=n, freq="15min", tz="UTC")
    candles = pd.DataFrame({"open": open_, "high": high, "low": low, "close": close}, index=index)
    bars = np.flatnonzero(rng.random(n) < 0.3)
    side = rng.choice([1.0, -1.0], len(bars))
    risk = close[bars] * rng.uniform(0.002, 0.01, len(bars))
    signals = pd.DataFrame({
        "confirmed": bars, "direction": np.where(side > 0, "LONG", "SHORT"), "entry": close[bars],
        "stop_loss": close[bars] - side * risk, "take_profit_1": close[bars] + 2 * side * risk,
        "take_profit_2": close[bars] + 3 * side * risk, "confidence": rng.integers(60, 100, len(bars)).astype(float),
        "setup": rng.choice(["fvg", "ob"], len(bars)), "timeframe": "15m",
    })  # fmt: skip
    signals["known_at"] = index[bars] + pd.Timedelta(minutes=15)
    return candles, signals


def evidence_of(candles, signals, min_samples):
    outcomes = signal_outcomes(candles, signals)
    past = pd.concat([signals.reset_index(drop=True), outcomes], axis=1)
    return walk_forward_evidence(past, signals, EvidenceConfig(min_samples=min_samples))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(60, 400), cut=st.floats(0.2, 0.9), min_samples=st.integers(1, 20))
@example(seed=379654, n=60, cut=0.21875, min_samples=1)  # no signal before the cut
def test_appending_future_candles_and_signals_never_changes_an_earlier_signals_evidence(seed, n, cut, min_samples):
    candles, signals = random_market(seed, n)
    k = int(n * cut)
    early = signals[signals["confirmed"] < k]
    before = evidence_of(candles.iloc[:k], early, min_samples)
    after = evidence_of(candles, signals, min_samples).iloc[: len(early)]
    pd.testing.assert_frame_equal(before, after)


def test_no_signal_to_judge_gives_an_empty_frame_with_the_same_dtypes():
    _, signals = random_market(1, 80)
    empty = walk_forward_evidence(history([]), signals.iloc[:0])
    full = walk_forward_evidence(history([]), signals.iloc[:1])
    assert empty.empty and (empty.dtypes == full.dtypes).all()
