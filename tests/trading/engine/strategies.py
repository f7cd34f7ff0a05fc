"""Hypothesis strategies: random synthetic markets, random engine settings, random prefixes."""

from __future__ import annotations

from hypothesis import strategies as st

from trading.engine import EngineConfig
from trading.engine.synthetic import generate_candles


@st.composite
def markets(draw, min_bars: int = 120, max_bars: int = 700, timeframe: str = "5m"):
    """Candles from synthetic.py with a random seed and random volatility, tails, trend and tick grid."""
    n = draw(st.integers(min_bars, max_bars))
    return generate_candles(
        n,
        seed=draw(st.integers(0, 2**32 - 1)),
        timeframe=timeframe,
        volatility=draw(st.sampled_from([0.0008, 0.002, 0.006])),
        garch_alpha=draw(st.sampled_from([0.0, 0.08, 0.2])),
        garch_beta=draw(st.sampled_from([0.5, 0.75])),
        dof=draw(st.sampled_from([2.5, 4.0, 30.0])),
        trend=draw(st.sampled_from([0.0, 0.1, 0.4])),
        regime_bars=draw(st.sampled_from([20.0, 300.0])),
        tick=draw(st.sampled_from([None, 0.01, 0.1])),  # a coarse grid makes many exact ties
    )


@st.composite
def configs(draw):
    """Engine settings small enough for a few hundred bars to show every pattern."""
    return EngineConfig(
        atr_period=draw(st.integers(2, 30)),
        swing_size=draw(st.integers(3, 25)),
        internal_size=draw(st.integers(1, 6)),
        ob_max_candle_atr=draw(st.sampled_from([1.0, 2.0, 1e9])),
        zone_max_age=draw(st.integers(3, 400)),
        fvg_min_atr=draw(st.sampled_from([0.0, 0.1, 0.4])),
        fvg_min_body=draw(st.sampled_from([0.0, 0.2])),
        pool_atr=draw(st.sampled_from([0.02, 0.1, 0.5])),
        pool_lookback=draw(st.integers(1, 10)),
        profile_window=draw(st.integers(5, 150)),
        profile_bins=draw(st.integers(3, 30)),
        confluence_lookback=draw(st.integers(1, 40)),
        max_risk_atr=draw(st.sampled_from([1.0, 4.0, 1e9])),
        report_confidence=draw(st.integers(0, 70)),
    )


def prefixes(n: int):
    """A few cut points 0 <= k <= n."""
    return st.lists(st.integers(0, n), min_size=1, max_size=4)
