"""Fair value gaps: three-candle imbalance, minimum size, fill percentage, mitigation and fill."""

import pytest

from tests.trading.engine.builders import candles, rows, small_config
from trading.engine import analyze

# (open, high, low, close). Bars 0 and 2 leave 10.5 .. 11.0 untraded: a bullish gap of 0.5 on bar 1.
GAP_BARS = [
    (10.0, 10.5, 9.8, 10.2),
    (10.2, 11.8, 10.1, 11.6),  # displacement candle, body 1.4
    (11.6, 12.0, 11.0, 11.8),  # low 11.0 > bar 0's high 10.5
    (11.8, 12.1, 11.5, 11.9),  # stays above the gap
    (11.9, 12.0, 10.8, 11.2),  # first trade into it: down to 10.8 = 40 % of the gap
    (11.2, 11.6, 10.4, 10.6),  # through its far edge 10.5: filled
]
# ATR at bar 2: true ranges 0.7, 1.7, 1.0 -> running mean 1.1333; the gap is 0.441 ATR.


def _gaps(**config):
    ev = analyze(candles(GAP_BARS), small_config(**config)).events
    return ev, rows(ev, "fvg")


def test_a_bullish_gap_is_anchored_on_the_middle_candle_and_known_at_the_third():
    _, gaps = _gaps()
    assert gaps[["direction", "bar", "confirmed", "bottom", "top"]].values.tolist() == [[1, 1, 2, 10.5, 11.0]]
    assert gaps.loc[0, "level"] == 10.75  # consequent encroachment
    assert gaps.loc[0, "value"] == pytest.approx(0.5 / (3.4 / 3))


def test_fill_percentage_at_mitigation_and_the_fill():
    ev, gaps = _gaps()
    life = ev[ev["kind"].isin(["fvg_mitigated", "fvg_filled"])]
    assert life["kind"].astype(str).tolist() == ["fvg_mitigated", "fvg_filled"]
    assert life["confirmed"].tolist() == [4, 5]  # bar 3 never reached it
    assert life["value"].tolist() == [pytest.approx(40.0), 100.0]
    assert (life["ref"] == gaps.loc[0, "index"]).all()


@pytest.mark.parametrize(
    ("config", "kept"),
    [
        ({"fvg_min_atr": 0.4}, True),  # 0.441 ATR >= 0.4
        ({"fvg_min_atr": 0.5}, False),  # < 0.5 ATR: too small
        ({"fvg_min_atr": 0.0, "fvg_min_body": 0.3}, True),  # 0.5 >= 0.3 x body 1.4 = 0.42
        ({"fvg_min_atr": 0.0, "fvg_min_body": 0.4}, False),  # 0.5 < 0.56
    ],
)
def test_minimum_size_by_atr_or_by_body(config, kept):
    _, gaps = _gaps(**config)
    assert (len(gaps) == 1) is kept


def test_a_bearish_gap_is_the_mirror_image():
    mirrored = [(30 - o, 30 - low, 30 - high, 30 - c) for o, high, low, c in GAP_BARS]
    ev = analyze(candles(mirrored), small_config()).events
    gaps = rows(ev, "fvg")
    assert gaps[["direction", "bar", "confirmed", "bottom", "top"]].values.tolist() == [[-1, 1, 2, 19.0, 19.5]]
    life = ev[ev["kind"].isin(["fvg_mitigated", "fvg_filled"])]
    assert life["confirmed"].tolist() == [4, 5]
    assert life["value"].tolist() == [pytest.approx(40.0), 100.0]


def test_touching_bars_leave_no_gap():
    bars = [(10.0, 10.5, 9.8, 10.2), (10.2, 11.8, 10.1, 11.6), (11.6, 12.0, 10.5, 11.8)]  # low == high two back
    assert rows(analyze(candles(bars), small_config()).events, "fvg").empty
