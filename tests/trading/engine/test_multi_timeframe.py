"""Multi-timeframe: a higher-timeframe candle counts only once it has closed, across every timeframe."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.trading.engine.builders import STRUCTURE_BARS, candles, small_config
from trading.engine import EngineConfig, analyze, analyze_mtf
from trading.engine.mtf import HigherTimeframe
from trading.engine.synthetic import generate_candles, resample
from trading.engine.timeframes import timeframe_to_timedelta

CONFIG = EngineConfig(swing_size=6, internal_size=2, report_confidence=0, pool_atr=0.3)
LABELS = ("1h", "15m", "5m", "1m")


def _frames(minutes):
    return {"1m": minutes, **{tf: resample(minutes, tf) for tf in ("5m", "15m", "1h")}}


def _at(ts):
    return np.array([pd.Timestamp(ts, tz="UTC").value])


def test_an_hourly_break_counts_from_the_close_of_its_candle_not_before():
    # The structure example as 1h candles: the BOS up closes bar 6, the candle opening 06:00, so it is
    # known at 07:00. A long on a lower timeframe known at 06:59 sees the bias of bar 5 (none yet).
    hourly = candles(STRUCTURE_BARS, freq="1h")
    config = small_config()
    h = HigherTimeframe("1h", analyze(hourly, config), pd.Timedelta("1h"), config)
    far = np.array([100.0])  # entry outside every hourly zone
    before, reasons_before = h.context(_at("2024-01-01 06:59"), np.array([1]), far, config)
    after, reasons_after = h.context(_at("2024-01-01 07:00"), np.array([1]), far, config)
    short_after, _ = h.context(_at("2024-01-01 07:00"), np.array([-1]), far, config)
    assert (before[0], after[0], short_after[0]) == (0.0, config.w_htf_bias, config.w_htf_counter)
    assert reasons_before == [[]]
    events = analyze(hourly, config).events
    ((tf, row),) = reasons_after[0]
    assert tf == "1h" and events.loc[row, "kind"] == "bos" and events.loc[row, "confirmed"] == 6


def test_an_hourly_zone_counts_from_its_close_until_the_close_that_ends_it():
    # The bullish block [9, 10] is known when bar 6 closes (07:00) and dies when bar 12 closes below
    # it (13:00): a long entering at 9.5 gets the zone points from 07:00 up to 12:59 only.
    hourly = candles(STRUCTURE_BARS, freq="1h")
    config = small_config(w_htf_bias=0.0, w_htf_counter=0.0)
    h = HigherTimeframe("1h", analyze(hourly, config), pd.Timedelta("1h"), config)
    times = ["2024-01-01 06:59", "2024-01-01 07:00", "2024-01-01 12:59", "2024-01-01 13:00"]
    points = [h.context(_at(t), np.array([1]), np.array([9.5]), config)[0][0] for t in times]
    assert points == [0.0, config.w_htf_zone, config.w_htf_zone, 0.0]
    shorts = [h.context(_at(t), np.array([-1]), np.array([9.5]), config)[0][0] for t in times]
    assert shorts[-1] == config.w_htf_zone  # from 13:00 the same candle is a bearish breaker


def _cut(frames, tau):
    return {tf: f[f.index + timeframe_to_timedelta(tf) <= tau] for tf, f in frames.items()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(400, 1500), data=st.data())
def test_cutting_every_timeframe_at_any_time_changes_nothing_already_known(seed, n, data):
    minutes = generate_candles(n, seed=seed, timeframe="1m", volatility=0.0015, trend=0.2, start="2024-01-01 00:00")
    frames = _frames(minutes)
    full = analyze_mtf(frames, CONFIG)
    span = int((minutes.index[-1] - minutes.index[0]) / pd.Timedelta("1m")) + 2
    for offset in data.draw(st.lists(st.integers(0, span), min_size=1, max_size=3)):
        tau = minutes.index[0] + pd.Timedelta(minutes=offset)
        cut = _cut(frames, tau)
        part = analyze_mtf(cut, CONFIG)
        for tf in LABELS:
            k = len(cut[tf])
            ev = full[tf].events
            pd.testing.assert_frame_equal(part[tf].events, ev[ev["confirmed"] < k], check_exact=True)
            sig = full[tf].signals
            pd.testing.assert_frame_equal(part[tf].signals, sig[sig["confirmed"] < k], check_exact=True)
        known = full.signals[full.signals["known_at"] <= tau].reset_index(drop=True)
        pd.testing.assert_frame_equal(part.signals, known, check_exact=True)


def test_higher_timeframe_reasons_were_closed_when_the_signal_was_known():
    minutes = generate_candles(6000, seed=12, timeframe="1m", volatility=0.0015, trend=0.2)
    result = analyze_mtf(_frames(minutes), CONFIG)
    checked = 0
    for _, signal in result.signals.iterrows():
        for tf, row in signal["htf_reasons"]:
            assert timeframe_to_timedelta(tf) > timeframe_to_timedelta(signal["timeframe"])
            event = result[tf].events.loc[row]
            closed = result[tf].index[event["confirmed"]] + timeframe_to_timedelta(tf)
            assert closed <= signal["known_at"]
            checked += 1
    assert checked > 100


def test_context_only_adds_points_and_the_top_timeframe_is_plain_analyze():
    minutes = generate_candles(3000, seed=4, timeframe="1m", volatility=0.0015, trend=0.2)
    frames = _frames(minutes)
    result = analyze_mtf(frames, CONFIG)
    plain = analyze(frames["1h"], CONFIG).signals
    top = result["1h"].signals
    assert (top["htf_reasons"].map(len) == 0).all()
    pd.testing.assert_frame_equal(top.drop(columns="htf_reasons"), plain)
    pd.testing.assert_frame_equal(result["1m"].events, analyze(frames["1m"], CONFIG).events)
    assert result.signals["timeframe"].isin(LABELS).all()
    assert result.signals["known_at"].is_monotonic_increasing


def test_nanosecond_and_microsecond_indexes_agree():
    minutes = generate_candles(1500, seed=8, timeframe="1m", volatility=0.0015, trend=0.2)
    frames = _frames(minutes)
    mixed = {tf: f.set_axis(f.index.as_unit("ns" if tf in ("1h", "5m") else "us")) for tf, f in frames.items()}
    a = analyze_mtf(frames, CONFIG).signals
    b = analyze_mtf(mixed, CONFIG).signals
    cols = ["timeframe", "confirmed", "direction", "setup", "confidence", "htf_reasons"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert a["htf_reasons"].map(len).sum() > 0


@pytest.mark.parametrize("labels", [("1h", "5m"), ("4h", "1h", "15m")])
def test_any_set_of_timeframes_highest_first(labels):
    minutes = generate_candles(4000, seed=2, timeframe="1m", volatility=0.0015)
    frames = {tf: resample(minutes, tf) for tf in labels}
    result = analyze_mtf(frames, CONFIG)
    assert list(result.analyses) == list(labels)
