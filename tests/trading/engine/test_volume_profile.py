"""Rolling volume profile: POC, value area, premium / discount; the window ends at the bar itself."""

import numpy as np
import pytest

from tests.trading.engine.builders import candles
from trading.engine.volume_profile import premium_discount, profile_at, volume_profile

# (high, low, close) and volume. Over bars 0..3 the range is 0..4, 4 bins of width 1. Each bar's volume
# sits at its typical price (H + L + C) / 3:
#   bar 0: (4 + 0 + 2) / 3 = 2.0 -> bin 2 (40); bars 1, 2: 0.5 -> bin 0 (10 + 12); bar 3: 1.5 -> bin 1 (20)
#   -> bins [22, 20, 40, 0]: POC bin 2, centre 2.5. Value area 70 % of 82 = 57.4: bin 2 (40), then the
#   larger neighbour, bin 1 (20 > 0) -> 60: VAL 1, VAH 3. Equilibrium 2: close 1.5 is in discount.
BARS = [(4.0, 0.0, 2.0), (1.0, 0.0, 0.5), (1.0, 0.0, 0.5), (2.0, 1.0, 1.5)]
VOLUME = [40.0, 10.0, 12.0, 20.0]


def _profile(bars, window):
    frame = candles(BARS, volume=VOLUME)
    return profile_at(
        frame["high"].to_numpy(),
        frame["low"].to_numpy(),
        frame["close"].to_numpy(),
        frame["volume"].to_numpy(),
        np.asarray(bars),
        window=window,
        bins=4,
        value_area=0.7,
    )


def test_poc_and_value_area_of_a_hand_counted_window():
    p = _profile([3], window=4)
    assert p.poc.tolist() == [2.5]
    assert (p.val.tolist(), p.vah.tolist()) == ([1.0], [3.0])
    assert (p.range_low.tolist(), p.range_high.tolist(), p.equilibrium.tolist()) == ([0.0], [4.0], [2.0])
    assert premium_discount(np.array([1.5, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])).tolist() == [-1, 0, 1]


def test_the_window_ends_at_the_bar_and_reaches_back_window_bars_only():
    # At bar 2 bar 3 does not exist yet: bins [22, 0, 40, 0] -> POC 2.5; the value area needs 43.4 of 62:
    # 40, then the empty bins 3 (a tie with bin 1 goes up) and 1, then bin 0 -> the whole range 0..4.
    p = _profile([2], window=4)
    assert (p.poc.tolist(), p.val.tolist(), p.vah.tolist()) == ([2.5], [0.0], [4.0])
    # window 2 at bar 3: bars 2 and 3 only, range 0..2 in bins of 0.5: bar 2 at 0.5 -> bin 1 (12),
    # bar 3 at 1.5 -> bin 3 (20) -> POC bin 3, centre 1.75
    p = _profile([3], window=2)
    assert (p.range_low.tolist(), p.range_high.tolist()) == ([0.0], [2.0])
    assert p.poc.tolist() == [1.75]


def test_per_bar_frame_matches_the_point_query():
    frame = candles(BARS, volume=VOLUME)
    table = volume_profile(frame, window=4, bins=4)
    assert table.loc[frame.index[3], "poc"] == 2.5
    assert table["zone"].tolist() == [0, -1, -1, -1]
    assert list(table.columns) == ["poc", "vah", "val", "range_high", "range_low", "equilibrium", "zone"]


def _reference(high, low, close, volume, i, window, bins, share):
    """The rule of volume_profile.py written out plainly."""
    s = max(0, i - window + 1)
    lo, hi = low[s : i + 1].min(), high[s : i + 1].max()
    edges = np.linspace(lo, hi, bins + 1)
    typical = (high[s : i + 1] + low[s : i + 1] + close[s : i + 1]) / 3
    hist = np.zeros(bins)
    np.add.at(hist, np.minimum(((typical - lo) / (hi - lo) * bins).astype(int), bins - 1), volume[s : i + 1])
    poc = int(np.argmax(hist))
    down = up = poc
    last = hist[poc]
    while hist[down : up + 1].sum() < share * hist.sum():
        above = hist[up + 1] if up + 1 < bins else -1
        below = hist[down - 1] if down > 0 else -1
        if above >= below:
            up += 1
            last = above
        else:
            down -= 1
            last = below
    return (edges[poc] + edges[poc + 1]) / 2, edges[up + 1], edges[down], hist, down, up, last


def test_matches_a_plain_reference_and_the_value_area_stops_at_70_percent():
    from trading.engine.synthetic import generate_candles

    frame = generate_candles(600, seed=4)
    high, low, close, volume = (frame[c].to_numpy() for c in ("high", "low", "close", "volume"))
    bars = np.arange(50, 600, 37)
    p = profile_at(high, low, close, volume, bars, window=100, bins=24, value_area=0.7)
    for row, i in enumerate(bars):
        poc, vah, val, hist, down, up, last = _reference(high, low, close, volume, i, 100, 24, 0.7)
        assert (p.poc[row], p.vah[row], p.val[row]) == pytest.approx((poc, vah, val), rel=1e-9)
        inside = hist[down : up + 1].sum()
        assert inside >= 0.7 * hist.sum() > inside - last  # the last bin added was needed
