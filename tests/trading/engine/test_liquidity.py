"""Liquidity pools (equal highs / lows within k x ATR) and what happens to them: sweep or run."""

import pytest

from tests.trading.engine.builders import candles, rows, small_config
from trading.engine import analyze


def _equal_highs(second_high=12.02, last_close=11.9, last_high=12.3):
    # Pivot highs (size 2): 12 at bar 2 (known at 4) and 12.02 at bar 6 (known at 8); the highs in
    # between (11.5, 11, 11.5) stay below. ATR ~1, so 0.02 apart is "equal" at pool_atr 0.1.
    return [
        (10.0, 9.0, 9.5),
        (11.0, 10.0, 10.8),
        (12.0, 11.0, 11.5),
        (11.5, 10.5, 10.8),
        (11.0, 10.0, 10.2),
        (11.5, 10.5, 11.3),
        (second_high, 11.2, 11.6),
        (11.6, 10.8, 11.0),
        (11.2, 10.6, 10.9),
        (11.8, 10.9, 11.6),
        (last_high, 11.5, last_close),
    ]


def test_two_pivot_highs_within_tolerance_form_a_pool_known_at_the_second_pivot():
    ev = analyze(candles(_equal_highs()), small_config()).events
    pools = rows(ev, "equal_highs")
    assert pools[["direction", "bar", "confirmed", "bottom", "top", "level"]].values.tolist() == [
        [1, 2, 8, 12.0, 12.02, 12.02]
    ]
    assert ev.loc[pools.loc[0, "ref"], "kind"] == "pivot_high"
    assert ev.loc[pools.loc[0, "ref"], "bar"] == 6


def test_wick_through_and_close_back_inside_is_a_bearish_sweep():
    analysis = analyze(candles(_equal_highs()), small_config())
    ev = analysis.events
    sweep = rows(ev, "sweep")
    # bar 10 trades 12.3 > 12.02 and closes 11.9 back below it
    assert sweep[["direction", "bar", "confirmed", "top", "bottom", "level"]].values.tolist() == [
        [-1, 10, 10, 12.3, 11.5, 12.02]
    ]
    assert sweep.loc[0, "value"] == pytest.approx((12.3 - 12.02) / analysis.atr[10])
    assert ev.loc[sweep.loc[0, "ref"], "kind"] == "equal_highs"
    assert rows(ev, "run").empty


def test_a_close_beyond_the_pool_is_a_run_not_a_sweep():
    ev = analyze(candles(_equal_highs(last_close=12.2)), small_config()).events
    run = rows(ev, "run")
    assert run[["direction", "confirmed"]].values.tolist() == [[1, 10]]
    assert rows(ev, "sweep").empty


def test_highs_further_apart_than_the_tolerance_are_no_pool():
    assert rows(analyze(candles(_equal_highs(second_high=12.5)), small_config()).events, "equal_highs").empty
    wide = small_config(pool_atr=1.0)  # 0.5 apart is within 1 ATR
    assert len(rows(analyze(candles(_equal_highs(second_high=12.5)), wide).events, "equal_highs")) == 1


def test_equal_highs_with_a_higher_high_between_them_are_no_pool():
    # 12 (bar 2) and 12.02 (bar 10) are equal, but bar 6 made 13 in between: the stops above 12 are gone.
    bars = [
        (10.0, 9.0, 9.5),
        (11.0, 10.0, 10.8),
        (12.0, 11.0, 11.5),
        (11.5, 10.5, 10.8),
        (11.0, 10.0, 10.2),
        (11.5, 10.5, 11.3),
        (13.0, 11.2, 11.6),
        (11.6, 10.8, 11.0),
        (11.2, 10.4, 10.9),
        (11.8, 10.9, 11.6),
        (12.02, 11.2, 11.5),
        (11.6, 10.8, 11.0),
        (11.2, 10.6, 10.9),
    ]
    ev = analyze(candles(bars), small_config(pool_atr=0.1)).events
    highs = rows(ev, "pivot_high", "internal")
    assert highs["level"].tolist() == [12.0, 13.0, 12.02]
    assert rows(ev, "equal_highs").empty


def test_equal_lows_and_their_sweep_are_the_mirror_image():
    mirrored = [(30 - low, 30 - high, 30 - c) for high, low, c in _equal_highs()]
    ev = analyze(candles(mirrored), small_config()).events
    pools = rows(ev, "equal_lows")
    assert pools[["direction", "bar", "confirmed", "level"]].values.tolist() == [[-1, 2, 8, pytest.approx(17.98)]]
    sweep = rows(ev, "sweep")
    assert sweep[["direction", "confirmed"]].values.tolist() == [[1, 10]]
