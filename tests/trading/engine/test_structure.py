"""Market structure: BOS / CHoCH on the close, each pivot broken once, swing and internal apart."""

import numpy as np

from tests.trading.engine.builders import STRUCTURE_BARS, candles, rows, small_config
from trading.engine import analyze
from trading.engine.pivots import find_pivots
from trading.engine.structure import market_structure


def test_close_above_a_pivot_high_is_a_bos_and_close_below_the_low_after_it_a_choch():
    # Pivots (size 2): high 12 at bar 2 (known at 4), low 9 at bar 4 (known at 6), high 14 at bar 8
    # (known at 10). Bar 6 closes 12.2 > 12: the first break, trend was neutral -> BOS up.
    # Bar 12 closes 8.8 < 9 while the trend is up -> CHoCH down. Bar 11 only wicks to 8.9.
    analysis = analyze(candles(STRUCTURE_BARS), small_config())
    breaks = analysis.events[analysis.events["kind"].isin(["bos", "choch"]) & (analysis.events["scope"] == "internal")]
    assert breaks["kind"].astype(str).tolist() == ["bos", "choch"]
    assert breaks["direction"].tolist() == [1, -1]
    assert breaks["bar"].tolist() == [2, 4]  # anchored on the broken pivot
    assert breaks["confirmed"].tolist() == [6, 12]  # known at the close that broke it
    assert breaks["level"].tolist() == [12.0, 9.0]
    assert analysis.internal_bias.tolist() == [0] * 6 + [1] * 6 + [-1] * 4


def test_a_wick_through_a_level_is_not_a_break():
    bars = list(STRUCTURE_BARS[:12])  # up to bar 11, whose low 8.9 pierces the pivot low 9 but closes 10.8
    analysis = analyze(candles(bars), small_config())
    assert not (analysis.events["kind"] == "choch").any()
    assert analysis.internal_bias[-1] == 1


def test_each_pivot_breaks_once_even_when_later_closes_stay_beyond_it():
    # Bars 7..10 all close above the broken 12 again: still one break of that pivot.
    analysis = analyze(candles(STRUCTURE_BARS), small_config())
    ups = rows(analysis.events, "bos", "internal")
    assert len(ups) == 1 and ups.loc[0, "level"] == 12.0


def test_swing_and_internal_structure_keep_their_own_pivots_and_trend():
    # Swing size 4: bar 2's high is not a swing pivot (bar 6 trades 12.5 within 4 bars), so the swing
    # structure has no break at bar 6; its first break is bar 12 through the swing low 9 (bar 4,
    # known at 8) with a neutral trend: a BOS, while the internal structure calls the same close a CHoCH.
    analysis = analyze(candles(STRUCTURE_BARS), small_config(swing_size=4))
    ev = analysis.events
    swing = rows(ev, "bos", "swing")
    assert swing[["direction", "bar", "confirmed"]].values.tolist() == [[-1, 4, 12]]
    assert not ((ev["kind"] == "choch") & (ev["scope"] == "swing")).any()
    assert rows(ev, "choch", "internal")["confirmed"].tolist() == [12]
    assert analysis.swing_bias.tolist() == [0] * 12 + [-1] * 4
    assert analysis.internal_bias[8] == 1  # the internal trend was already up there
    for kind in ("bos", "choch"):
        for _, brk in ev[ev["kind"] == kind].iterrows():
            pivot = ev.loc[brk["ref"]]
            assert pivot["scope"] == brk["scope"] and pivot["kind"] in ("pivot_high", "pivot_low")
            assert pivot["level"] == brk["level"] and pivot["bar"] == brk["bar"]


def test_a_newer_pivot_replaces_the_unbroken_older_one():
    # Highs 12 (bar 2) then 11.5 (bar 6), never closed above; a close at 11.8 breaks only the newer one.
    bars = [
        (10, 9, 9.5),
        (11, 10, 10.5),
        (12, 11, 11.0),
        (11, 10, 10.2),
        (10, 9, 9.6),
        (11, 10, 10.6),
        (11.5, 10.5, 11.0),
        (11, 10, 10.4),
        (10.8, 9.8, 10.3),
        (12.0, 10.0, 11.8),
    ]
    frame = candles(bars)
    piv = find_pivots(frame["high"].to_numpy(), frame["low"].to_numpy(), 2)
    st = market_structure(frame["close"].to_numpy(), piv)
    assert piv.level[piv.side == 1].tolist() == [12.0, 11.5]
    assert st.level.tolist() == [11.5] and st.confirmed.tolist() == [9]
    assert np.isnan(st.prior_level).tolist() == [False]
