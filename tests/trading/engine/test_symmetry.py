"""A falling market is a rising market upside down: mirroring every price mirrors every event.

On whole-number prices mirroring (p -> M - p) is exact in floating point, and true ranges, ATR, gap
sizes and tolerances do not change, so each bullish rule must fire exactly where its bearish twin
fires on the mirror image: any one-sided comparison (a ``>=`` where its twin says ``>``) shows up here.
"""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.trading.engine.strategies import configs
from trading.engine import analyze
from trading.engine.synthetic import generate_candles

MIRROR = 4000.0
SWAP = {"pivot_high": "pivot_low", "pivot_low": "pivot_high", "equal_highs": "equal_lows", "equal_lows": "equal_highs"}


def _mirror(candles: pd.DataFrame) -> pd.DataFrame:
    out = candles.copy()
    out["open"], out["close"] = MIRROR - candles["open"], MIRROR - candles["close"]
    out["high"], out["low"] = MIRROR - candles["low"], MIRROR - candles["high"]
    return out


def _as_mirrored(events: pd.DataFrame) -> list[tuple]:
    kinds = events["kind"].astype(str).map(lambda k: SWAP.get(k, k))
    rows = zip(
        kinds,
        events["scope"].astype(str),
        -events["direction"],
        events["bar"],
        events["confirmed"],
        MIRROR - events["bottom"],
        MIRROR - events["top"],
        MIRROR - events["level"],
        events["value"].fillna(-1.0),
        strict=True,
    )
    return sorted(rows)


def _plain(events: pd.DataFrame) -> list[tuple]:
    rows = zip(
        events["kind"].astype(str),
        events["scope"].astype(str),
        events["direction"],
        events["bar"],
        events["confirmed"],
        events["top"],
        events["bottom"],
        events["level"],
        events["value"].fillna(-1.0),
        strict=True,
    )
    return sorted(rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(200, 1500),
    config=configs(),
    volatility=st.sampled_from([0.001, 0.003]),
)
def test_mirrored_prices_give_mirrored_events(seed, n, config, volatility):
    candles = generate_candles(n, seed=seed, price=1000.0, volatility=volatility, tick=1.0, trend=0.3)
    assert (candles[["open", "high", "low", "close"]] % 1 == 0).all().all()  # exact mirroring needs this
    up = analyze(candles, config)
    down = analyze(_mirror(candles), config)
    assert _plain(down.events) == _as_mirrored(up.events)
    np.testing.assert_array_equal(down.swing_bias, -up.swing_bias)
    np.testing.assert_array_equal(down.internal_bias, -up.internal_bias)
    np.testing.assert_array_equal(down.atr, up.atr)
