"""No look-ahead, end to end: for every k, ``analyze(candles[:k])`` yields exactly the events and
signals of ``analyze(candles)`` confirmed before bar k - same rows, same order, same values.

So appending future candles never changes, adds or removes a past event or signal, and a backtest
over history sees exactly what the live engine saw."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.trading.engine.strategies import configs, markets
from trading.engine import EngineConfig, analyze
from trading.engine.synthetic import generate_candles

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXHAUSTIVE = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _signal_arrays(analysis, k=None):
    sig = analysis.raw_signals
    keep = slice(None) if k is None else sig.bar < k
    return [
        np.asarray(a)[keep]
        for a in (
            sig.bar,
            sig.direction,
            sig.setup,
            sig.entry,
            sig.stop,
            sig.tp1,
            sig.tp2,
            sig.confidence,
            sig.reasons,
            sig.counts,
        )
    ]


def assert_prefix_matches_compact(full, candles, k, config):
    """The same check on the engine's compact arrays (fast enough to try every k)."""
    part = analyze(candles.iloc[:k], config)
    m = np.searchsorted(full.event_ints[4], k)  # rows confirmed before k: a prefix of the table
    assert (full.event_ints[4, m:] >= k).all()
    np.testing.assert_array_equal(part.event_ints, full.event_ints[:, :m])
    np.testing.assert_array_equal(part.event_floats, full.event_floats[:, :m])  # NaN == NaN here
    for mine, theirs in zip(_signal_arrays(part), _signal_arrays(full, k), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_array_equal(part.swing_bias, full.swing_bias[:k])
    np.testing.assert_array_equal(part.internal_bias, full.internal_bias[:k])
    np.testing.assert_array_equal(part.atr, full.atr[:k])


def assert_prefix_matches(full, candles, k, config):
    part = analyze(candles.iloc[:k], config)
    events = full.events[full.events["confirmed"] < k]
    assert events.index.tolist() == list(range(len(events)))  # a prefix of the table: row numbers hold
    pd.testing.assert_frame_equal(part.events, events, check_exact=True)
    signals = full.signals[full.signals["confirmed"] < k]
    assert signals.index.tolist() == list(range(len(signals)))
    pd.testing.assert_frame_equal(part.signals, signals, check_exact=True)
    np.testing.assert_array_equal(part.swing_bias, full.swing_bias[:k])
    np.testing.assert_array_equal(part.internal_bias, full.internal_bias[:k])
    np.testing.assert_array_equal(part.atr, full.atr[:k])


@EXHAUSTIVE
@given(candles=markets(max_bars=400), config=configs())
def test_every_prefix_sees_exactly_the_past_of_the_full_analysis(candles, config):
    full = analyze(candles, config)
    for k in range(len(candles) + 1):
        assert_prefix_matches_compact(full, candles, k, config)


@SETTINGS
@given(candles=markets(), config=configs(), data=st.data())
def test_a_prefix_gets_the_same_tables(candles, config, data):
    full = analyze(candles, config)
    for k in data.draw(st.lists(st.integers(0, len(candles)), min_size=1, max_size=3)):
        assert_prefix_matches(full, candles, k, config)


def test_every_prefix_of_one_long_series_with_default_settings():
    # the production settings (swing 50, internal 5) over 1,500 bars, cut at every 7th bar
    candles = generate_candles(1500, seed=2024)
    config = EngineConfig()
    full = analyze(candles, config)
    assert len(full.signals) > 20 and (full.events["kind"] == "breaker_mitigated").any()
    for k in range(0, 1501, 7):
        assert_prefix_matches(full, candles, k, config)


def test_nothing_is_confirmed_before_its_anchor_and_references_point_back_in_time():
    candles = generate_candles(4000, seed=77, tick=0.01)
    analysis = analyze(candles, EngineConfig(swing_size=20, internal_size=3, report_confidence=0))
    ev = analysis.events
    assert (ev["bar"] <= ev["confirmed"]).all()
    assert ev["confirmed"].is_monotonic_increasing
    has_ref = ev["ref"] >= 0
    assert (ev.loc[has_ref, "ref"].to_numpy() < ev.index[has_ref]).all()
    assert (ev.loc[ev.loc[has_ref, "ref"], "confirmed"].to_numpy() <= ev.loc[has_ref, "confirmed"].to_numpy()).all()
    for _, signal in analysis.signals.iterrows():
        assert (ev.loc[list(signal["reasons"]), "confirmed"] <= signal["confirmed"]).all()


class _PeekingPivots:
    """A centred window (the usual "swing high = highest of n bars before and after" written as a
    labelled series): the label of a bar is decided with bars after the series was cut."""

    @staticmethod
    def labels(high, size):
        s = pd.Series(high)
        centred = s.rolling(2 * size + 1, center=True, min_periods=1).max()
        return np.flatnonzero((s == centred).to_numpy())


def test_the_prefix_check_catches_a_detector_that_peeks():
    # The same check, applied to a centred-window pivot detector, fails: its last bars get labels
    # that later bars take away. (The engine's pivots pass it: see test_no_lookahead_detectors.py.)
    high = generate_candles(600, seed=5)["high"].to_numpy()
    full = set(_PeekingPivots.labels(high, 5).tolist())
    changed = 0
    for k in range(50, 600, 10):
        part = set(_PeekingPivots.labels(high[:k], 5).tolist())
        changed += part != {b for b in full if b < k}
    assert changed > 0
