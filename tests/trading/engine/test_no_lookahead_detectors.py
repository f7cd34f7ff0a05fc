"""No look-ahead, detector by detector: on every prefix ``[:k]`` each detector finds exactly what it
finds on the whole series with ``confirmed < k``, and every later state change is simply not there yet."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.trading.engine.strategies import markets
from trading.engine.fvg import fair_value_gaps
from trading.engine.indicators import atr
from trading.engine.liquidity import liquidity_pools, pool_outcomes
from trading.engine.order_blocks import mitigation_blocks, order_blocks
from trading.engine.pivots import find_pivots
from trading.engine.structure import market_structure
from trading.engine.volume_profile import profile_at
from trading.engine.zones import zone_life

DETECTOR = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _arrays(candles):
    return tuple(candles[c].to_numpy() for c in ("open", "high", "low", "close", "volume"))


def _equal(part, full, keep):
    for mine, theirs in zip(part, full, strict=True):
        np.testing.assert_array_equal(mine, np.asarray(theirs)[keep])


def _later_is_unknown(part_bars, full_bars, k):
    """A state change at or after k is -1 (not happened yet) on the prefix, earlier ones are equal."""
    np.testing.assert_array_equal(part_bars, np.where(full_bars < k, full_bars, -1))


@DETECTOR
@given(candles=markets(max_bars=400), period=st.integers(1, 30))
def test_atr(candles, period):
    _, h, lo, c, _ = _arrays(candles)
    full = atr(h, lo, c, period)
    for k in range(len(candles) + 1):
        np.testing.assert_array_equal(atr(h[:k], lo[:k], c[:k], period), full[:k])


@DETECTOR
@given(candles=markets(max_bars=400), size=st.integers(1, 25))
def test_pivots_and_structure(candles, size):
    _, h, lo, c, _ = _arrays(candles)
    piv = find_pivots(h, lo, size)
    st_full = market_structure(c, piv)
    for k in range(len(candles) + 1):
        part = find_pivots(h[:k], lo[:k], size)
        _equal(part, piv, piv.confirmed < k)
        st_part = market_structure(c[:k], part)
        _equal(st_part[:-1], st_full[:-1], st_full.confirmed < k)
        np.testing.assert_array_equal(st_part.bias, st_full.bias[:k])


@DETECTOR
@given(
    candles=markets(max_bars=400),
    size=st.integers(1, 12),
    max_atr=st.sampled_from([1.0, 2.0, 1e9]),
    max_age=st.integers(1, 300),
)
def test_order_blocks_mitigation_blocks_and_their_life(candles, size, max_atr, max_age):
    _, h, lo, c, _ = _arrays(candles)
    a = atr(h, lo, c, 14)
    st_full = market_structure(c, find_pivots(h, lo, size))
    full_ob = order_blocks(h, lo, a, st_full, max_candle_atr=max_atr)
    full_mb = mitigation_blocks(h, lo, st_full)
    life = zone_life(
        full_ob.direction, full_ob.top, full_ob.bottom, full_ob.confirmed, h, lo, c, max_age=max_age, flip=True
    )
    for k in range(0, len(candles) + 1, 3):
        st_part = market_structure(c[:k], find_pivots(h[:k], lo[:k], size))
        ob = order_blocks(h[:k], lo[:k], a[:k], st_part, max_candle_atr=max_atr)
        keep = full_ob.confirmed < k
        _equal(ob[1:], full_ob[1:], keep)  # (source indexes its own structure: compared through it below)
        np.testing.assert_array_equal(st_part.confirmed[ob.source], st_full.confirmed[full_ob.source][keep])
        _equal(mitigation_blocks(h[:k], lo[:k], st_part)[1:], full_mb[1:], full_mb.confirmed < k)
        part_life = zone_life(
            ob.direction, ob.top, ob.bottom, ob.confirmed, h[:k], lo[:k], c[:k], max_age=max_age, flip=True
        )
        for name in ("mitigated", "dead", "flip_mitigated", "flip_dead"):
            _later_is_unknown(getattr(part_life, name), getattr(life, name)[keep], k)
        seen = part_life.mitigated >= 0
        np.testing.assert_array_equal(part_life.depth[seen], life.depth[keep][seen])


@DETECTOR
@given(
    candles=markets(max_bars=400),
    min_atr=st.sampled_from([0.0, 0.1, 0.4]),
    min_body=st.sampled_from([0.0, 0.3]),
    max_age=st.integers(1, 300),
)
def test_fair_value_gaps_and_their_fill(candles, min_atr, min_body, max_age):
    o, h, lo, c, _ = _arrays(candles)
    a = atr(h, lo, c, 14)
    full = fair_value_gaps(o, h, lo, c, a, min_atr=min_atr, min_body=min_body)
    life = zone_life(full.direction, full.top, full.bottom, full.confirmed, h, lo, c, max_age=max_age, kill="wick")
    for k in range(len(candles) + 1):
        part = fair_value_gaps(o[:k], h[:k], lo[:k], c[:k], a[:k], min_atr=min_atr, min_body=min_body)
        keep = full.confirmed < k
        _equal(part, full, keep)
        part_life = zone_life(
            part.direction, part.top, part.bottom, part.confirmed, h[:k], lo[:k], c[:k], max_age=max_age, kill="wick"
        )
        _later_is_unknown(part_life.mitigated, life.mitigated[keep], k)
        _later_is_unknown(part_life.dead, life.dead[keep], k)


@DETECTOR
@given(
    candles=markets(max_bars=400),
    size=st.integers(1, 6),
    tol=st.sampled_from([0.02, 0.1, 0.5, 2.0]),
    lookback=st.integers(1, 10),
    max_age=st.integers(1, 300),
)
def test_liquidity_pools_sweeps_and_runs(candles, size, tol, lookback, max_age):
    _, h, lo, c, _ = _arrays(candles)
    a = atr(h, lo, c, 14)
    full = liquidity_pools(h, lo, a, find_pivots(h, lo, size), tol_atr=tol, lookback=lookback)
    outcome = pool_outcomes(full, h, lo, c, a, max_age=max_age)
    for k in range(len(candles) + 1):
        part = liquidity_pools(h[:k], lo[:k], a[:k], find_pivots(h[:k], lo[:k], size), tol_atr=tol, lookback=lookback)
        keep = full.confirmed < k
        _equal(part, full, keep)
        part_outcome = pool_outcomes(part, h[:k], lo[:k], c[:k], a[:k], max_age=max_age)
        _later_is_unknown(part_outcome.bar, outcome.bar[keep], k)
        happened = part_outcome.bar >= 0
        np.testing.assert_array_equal(part_outcome.swept[happened], outcome.swept[keep][happened])


@DETECTOR
@given(candles=markets(max_bars=300), window=st.integers(1, 120), bins=st.integers(1, 30))
def test_volume_profile_reads_no_bar_after_its_own(candles, window, bins):
    _, h, lo, c, v = _arrays(candles)
    bars = np.arange(len(candles))
    full = profile_at(h, lo, c, v, bars, window=window, bins=bins, value_area=0.7)
    for k in range(0, len(candles) + 1, 5):
        part = profile_at(h[:k], lo[:k], c[:k], v[:k], bars[:k], window=window, bins=bins, value_area=0.7)
        for mine, theirs in zip(part, full, strict=True):
            np.testing.assert_array_equal(mine, theirs[:k])
