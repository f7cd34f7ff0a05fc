"""Pivots: confirmed exactly ``size`` bars later, by later bars only; ties go to the later bar."""

import numpy as np

from tests.trading.engine.builders import candles
from trading.engine.pivots import find_pivots


def _pivots(highs, lows, size):
    return find_pivots(np.asarray(highs, float), np.asarray(lows, float), size)


def test_zigzag_pivots_alternate_and_are_known_size_bars_later():
    # size 2, lows = highs - 1. Walking the candidates p = i - 2:
    #   p=0: low 9 < lows 10, 11 after it        -> pivot low at 0 (known at bar 2), leg up
    #   p=2: high 12 > highs 11, 10 after it     -> pivot high at 2 (known at 4), leg down
    #   p=4: low 9 < 10, 12                      -> pivot low at 4 (known at 6)
    #   p=5: low 10 < 12, 11 but the leg is already up -> nothing
    #   p=6: high 13 > 12, 11                    -> pivot high at 6 (known at 8)
    #   p=7: high 12 is only equal to bar 9's 12 -> nothing
    #   p=8: low 10 < 11, 12                     -> pivot low at 8 (known at 10)
    highs = [10, 11, 12, 11, 10, 11, 13, 12, 11, 12, 13]
    lows = [h - 1 for h in highs]
    piv = _pivots(highs, lows, 2)
    assert piv.bar.tolist() == [0, 2, 4, 6, 8]
    assert piv.side.tolist() == [-1, 1, -1, 1, -1]
    assert piv.confirmed.tolist() == [2, 4, 6, 8, 10]
    assert piv.level.tolist() == [9, 12, 9, 13, 10]


def test_of_two_equal_highs_the_later_one_is_the_pivot():
    # Bars 1 and 3 both reach 12. Bar 1 is not a pivot: bar 3 (within its 2 later bars) equals it.
    # Bar 3 is: bars 4 and 5 (11, 10) stay below. Known at bar 5.
    highs = [10, 12, 11, 12, 11, 10, 11]
    lows = [h - 1 for h in highs]
    piv = _pivots(highs, lows, 2)
    tops = piv.bar[piv.side == 1].tolist()
    assert tops == [3]
    assert piv.confirmed[piv.side == 1].tolist() == [5]


def test_a_pivot_needs_all_size_later_bars_so_the_last_size_bars_hold_none():
    frame = candles([(10, 9, 9.5), (11, 10, 10.5), (12, 11, 11.5), (11, 10, 10.5), (10, 9, 9.5)])
    piv = find_pivots(frame["high"].to_numpy(), frame["low"].to_numpy(), 2)
    # bar 2's high 12 is confirmed by bars 3 and 4; bars 3 and 4 have no 2 later bars yet
    assert (piv.bar <= len(frame) - 1 - 2).all()
    assert 2 in piv.bar.tolist()
    shorter = find_pivots(frame["high"].to_numpy()[:4], frame["low"].to_numpy()[:4], 2)
    assert 2 not in shorter.bar.tolist()  # one later bar is not enough


def test_pivots_confirmed_size_bars_after_their_bar_at_every_size():
    rng = np.random.default_rng(3)
    highs = 100 + np.cumsum(rng.standard_normal(500))
    lows = highs - rng.random(500) - 0.1
    for size in (1, 3, 5, 50):
        piv = find_pivots(highs, lows, size)
        assert (piv.confirmed == piv.bar + size).all()
        assert (np.diff(piv.side) != 0).all()  # alternating
        for b, side, level in zip(piv.bar, piv.side, piv.level, strict=True):
            later = highs[b + 1 : b + size + 1] if side == 1 else lows[b + 1 : b + size + 1]
            assert (later < level).all() if side == 1 else (later > level).all()
