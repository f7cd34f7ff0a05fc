"""ATR: the engine's compiled Wilder ATR equals the `ta` library's."""

import numpy as np
import pandas as pd
import pytest
import ta

from trading.engine.indicators import atr
from trading.engine.synthetic import generate_candles


@pytest.mark.parametrize("period", [3, 14, 50])
def test_atr_equals_ta_from_its_first_value_on(period):
    frame = generate_candles(2000, seed=period)
    ours = atr(frame["high"].to_numpy(), frame["low"].to_numpy(), frame["close"].to_numpy(), period)
    theirs = ta.volatility.AverageTrueRange(frame["high"], frame["low"], frame["close"], window=period)
    theirs = theirs.average_true_range().to_numpy()
    np.testing.assert_allclose(ours[period - 1 :], theirs[period - 1 :], rtol=1e-12)


def test_atr_warm_up_is_the_running_mean_true_range():
    # true ranges: 2 (first bar: high - low), max(1, |12 - 10|, |11 - 10|) = 2, max(3, 1, 2) = 3
    high = np.array([11.0, 12.0, 13.0])
    low = np.array([9.0, 11.0, 10.0])
    close = np.array([10.0, 11.5, 12.0])
    assert atr(high, low, close, 14).tolist() == [2.0, 2.0, pytest.approx(7 / 3)]
    pd.testing.assert_series_equal(pd.Series(atr(high, low, close, 2)), pd.Series([2.0, 2.0, 2.5]))


@pytest.mark.parametrize("window", [1, 2, 5, 50, 5000])
def test_sliding_extremes_are_the_trailing_window_max_and_min(window):
    from trading.engine.indicators import sliding_extremes, sliding_max, sliding_min

    values = np.random.default_rng(window).standard_normal(777).round(1)  # rounding makes ties
    lows = values - np.random.default_rng(window + 1).random(777).round(1)
    expected_max = [values[max(0, i - window + 1) : i + 1].max() for i in range(777)]
    expected_min = [values[max(0, i - window + 1) : i + 1].min() for i in range(777)]
    assert sliding_max(values, window).tolist() == expected_max
    assert sliding_min(values, window).tolist() == expected_min
    # the one pass the detectors use: the max of the highs and the min of the lows
    highs_max, lows_min = sliding_extremes(values, lows, window)
    assert highs_max.tolist() == expected_max
    assert lows_min.tolist() == [lows[max(0, i - window + 1) : i + 1].min() for i in range(777)]
