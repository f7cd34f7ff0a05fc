"""Bad candles and bad settings are refused with a message that says what is wrong."""

import numpy as np
import pandas as pd
import pytest

from trading.engine import EngineConfig, analyze, analyze_mtf
from trading.engine.synthetic import generate_candles


@pytest.fixture
def frame():
    return generate_candles(50, seed=1)


def test_missing_columns_are_named(frame):
    with pytest.raises(ValueError, match=r"lack column.*volume"):
        analyze(frame.drop(columns="volume"))


def test_not_a_dataframe():
    with pytest.raises(ValueError, match="DataFrame"):
        analyze(np.zeros((5, 5)))


def test_index_must_be_datetimes_in_utc(frame):
    with pytest.raises(ValueError, match="DatetimeIndex"):
        analyze(frame.reset_index(drop=True))
    with pytest.raises(ValueError, match="UTC"):
        analyze(frame.tz_localize(None))
    with pytest.raises(ValueError, match="UTC"):
        analyze(frame.tz_convert("Europe/Berlin"))


def test_index_must_strictly_increase(frame):
    with pytest.raises(ValueError, match="strictly increasing"):
        analyze(frame.iloc[::-1])
    with pytest.raises(ValueError, match="strictly increasing"):
        analyze(pd.concat([frame.iloc[:10], frame.iloc[9:]]))


def test_nan_and_infinity_are_located(frame):
    bad = frame.copy()
    bad.iloc[7, bad.columns.get_loc("close")] = np.nan
    with pytest.raises(ValueError, match=r"'close' has NaN.*position 7"):
        analyze(bad)
    bad = frame.copy()
    bad.iloc[3, bad.columns.get_loc("high")] = np.inf
    with pytest.raises(ValueError, match=r"'high' has NaN or infinite.*position 3"):
        analyze(bad)


def test_non_numeric_columns_are_refused(frame):
    from decimal import Decimal

    bad = frame.astype({"open": object})
    bad["open"] = [Decimal(str(x)) for x in frame["open"]]
    with pytest.raises(ValueError, match=r"'open' must be float64.*Decimal"):
        analyze(bad)


def test_impossible_bars_are_refused(frame):
    bad = frame.copy()
    bad.iloc[4, bad.columns.get_loc("low")] = bad.iloc[4]["high"] + 1
    with pytest.raises(ValueError, match=r"high < low.*position 4"):
        analyze(bad)
    bad = frame.copy()
    bad.iloc[2, bad.columns.get_loc("volume")] = -1.0
    with pytest.raises(ValueError, match=r"negative volume.*position 2"):
        analyze(bad)


def test_integer_columns_and_extra_columns_are_fine(frame):
    ints = frame.round().astype({"volume": "int64"})
    ints["high"] = np.maximum(ints["high"], ints[["open", "close"]].max(axis=1))
    ints["symbol"] = "BTC/USDT:USDT"
    assert analyze(ints).atr.dtype == np.float64


def test_empty_and_tiny_series_give_empty_answers():
    empty = generate_candles(0)
    result = analyze(empty)
    assert result.events.empty and result.signals.empty
    assert list(result.signals.columns)[:3] == ["confirmed", "time", "direction"]
    assert analyze(generate_candles(3)).signals.empty


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("swing_size", 0),
        ("internal_size", 1.5),
        ("atr_period", True),
        ("value_area", 0.0),
        ("value_area", 1.5),
        ("tp1_rr", 0.0),
        ("tp2_rr", 1.0),
        ("min_confidence", 101),
        ("report_confidence", -1),
        ("pool_atr", -0.1),
        ("max_risk_atr", 0.0),
    ],
)
def test_bad_settings_are_refused(field, value):
    with pytest.raises(ValueError, match=field):
        EngineConfig(**{field: value})


def test_multi_timeframe_input_is_checked(frame):
    with pytest.raises(ValueError, match="at least one"):
        analyze_mtf({})
    with pytest.raises(ValueError, match="unknown timeframe"):
        analyze_mtf({"5 minutes": frame})
    with pytest.raises(ValueError, match="same timeframe"):
        analyze_mtf({"60m": frame, "1h": frame})
