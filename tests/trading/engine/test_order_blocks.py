"""Order blocks at breaks, their mitigation and invalidation, breakers and mitigation blocks."""

import numpy as np
import pytest

from tests.trading.engine.builders import STRUCTURE_BARS, candles, rows, small_config
from trading.engine import analyze
from trading.engine.order_blocks import order_blocks
from trading.engine.structure import Structure

# A failure swing (pivot size 2): up-trend from the BOS at bar 6, pivot high 14 (bar 8), pivot low 11
# (bar 11, known at 13), rally to only 13.2 (bar 13, a lower high), then bar 15 closes 10.7 < 11.
MITIGATION_BARS = [
    (10, 9, 9.5),
    (11, 10, 10.5),
    (12, 11, 11.5),
    (11, 10, 10.5),
    (10, 9, 9.5),
    (11, 10, 10.8),
    (12.5, 11, 12.2),
    (13, 12, 12.8),
    (14, 12.5, 13.5),
    (13, 12, 12.3),
    (12.5, 11.5, 11.8),
    (12, 11, 11.2),
    (12.8, 11.6, 12.5),
    (13.2, 12, 12.9),
    (12.9, 11.8, 12.0),
    (12.2, 10.6, 10.7),
    (11.3, 10.4, 10.6),
    (12.5, 10.5, 12.3),
]


def _one_break(pivot_bar, confirmed, direction):
    i = np.array([0])
    return Structure(
        i,
        np.array([pivot_bar]),
        np.array([confirmed]),
        np.array([direction]),
        np.array([False]),
        np.array([np.nan]),
        np.array([np.nan]),
        np.zeros(confirmed + 1, np.int64),
    )


def test_the_block_is_the_lowest_candle_between_the_broken_high_and_the_break():
    # BOS up at bar 6 through the high of bar 2: candles 2..5 have lows 11, 10, 9, 10 -> bar 4, [9, 10].
    # Bar 12's bearish CHoCH through the low of bar 4: candles 4..11, highest high 14 at bar 8 -> [12.5, 14].
    ev = analyze(candles(STRUCTURE_BARS), small_config()).events
    blocks = rows(ev, "ob", "internal")
    assert blocks[["direction", "bar", "confirmed", "bottom", "top"]].values.tolist() == [
        [1, 4, 6, 9.0, 10.0],
        [-1, 8, 12, 12.5, 14.0],
    ]
    assert blocks["level"].tolist() == [9.5, 13.25]  # mean threshold
    assert ev.loc[blocks["ref"], "kind"].astype(str).tolist() == ["bos", "choch"]


def test_abnormally_large_candles_are_never_the_block():
    # One bullish break of the high at bar 0, closed at bar 5. ATR is 1 everywhere. Bar 3 has the
    # lowest low (7) but a range of 3 > 2 x ATR: skipped. Of the rest, bars 2 and 4 tie at 9: the later.
    high = np.array([12.0, 11, 10, 10, 10, 13])
    low = np.array([11.0, 10, 9, 7, 9, 11])
    blocks = order_blocks(high, low, np.ones(6), _one_break(0, 5, 1), max_candle_atr=2.0)
    assert blocks.bar.tolist() == [4]
    everything = order_blocks(high, low, np.ones(6), _one_break(0, 5, 1), max_candle_atr=np.inf)
    assert everything.bar.tolist() == [3]
    none_fit = order_blocks(high, low, np.full(6, 0.1), _one_break(0, 5, 1), max_candle_atr=2.0)
    assert none_fit.bar.size == 0  # every candle is 10+ ATR: no block rather than a silly one


def test_a_block_is_mitigated_once_then_closed_through_it_becomes_a_breaker_with_its_own_life():
    # Bullish block [9, 10] (known at 6): first traded into by bar 11 (low 8.9: the whole block, 100 %),
    # closed through by bar 12 (8.8 < 9) -> bearish breaker at bar 12; bar 13 trades back up to 9.5
    # (50 % of it) -> breaker mitigated; bar 15 closes 10.2 above 10 -> breaker invalidated.
    ev = analyze(candles(STRUCTURE_BARS), small_config()).events
    block = rows(ev, "ob", "internal").loc[0]
    chain = ev[
        (ev["scope"] == "internal")
        & (ev["bar"] == 4)
        & ev["kind"].isin(["ob_mitigated", "breaker", "breaker_mitigated", "breaker_invalidated"])
    ]
    assert chain["kind"].astype(str).tolist() == ["ob_mitigated", "breaker", "breaker_mitigated", "breaker_invalidated"]
    assert chain["confirmed"].tolist() == [11, 12, 13, 15]
    assert chain["direction"].tolist() == [1, -1, -1, -1]
    assert chain["value"].tolist()[0] == 100.0 and chain["value"].tolist()[2] == 50.0
    assert (chain["top"] == block["top"]).all() and (chain["bottom"] == block["bottom"]).all()
    breaker_row = chain.index[1]
    assert ev.loc[breaker_row, "ref"] == block["index"]
    assert (ev.loc[chain.index[2:], "ref"] == breaker_row).all()


def test_a_choch_after_a_failure_swing_leaves_a_mitigation_block():
    # Bar 15's CHoCH breaks the low 11 (bar 11). The high before that low was 14 (bar 8); the rally
    # after it only reached 13.2 (< 14): a failure swing -> bearish mitigation block = candle 11, [11, 12].
    # Bar 16 trades up to 11.3 (30 % into it): mitigated; bar 17 closes 12.3 > 12: invalidated.
    ev = analyze(candles(MITIGATION_BARS), small_config()).events
    mb = rows(ev, "mb", "internal")
    assert mb[["direction", "bar", "confirmed", "bottom", "top"]].values.tolist() == [[-1, 11, 15, 11.0, 12.0]]
    assert ev.loc[mb.loc[0, "ref"], "kind"] == "choch"
    life = ev[ev["kind"].isin(["mb_mitigated", "mb_invalidated"]) & (ev["scope"] == "internal")]
    assert life["confirmed"].tolist() == [16, 17]
    assert life["value"].tolist()[0] == pytest.approx(30.0)
    # the same CHoCH also has its order block: highest candle of 11..14 -> bar 13, [12, 13.2]
    ob = rows(ev, "ob", "internal")
    assert ob.iloc[-1][["direction", "bar", "bottom", "top"]].tolist() == [-1, 13, 12.0, 13.2]


def test_a_choch_after_a_higher_high_leaves_no_mitigation_block():
    # In the structure example the rally after the broken low (bar 4) made 14 > 12: no failure swing.
    ev = analyze(candles(STRUCTURE_BARS), small_config()).events
    assert not (ev["kind"] == "mb").any()


def test_every_break_gets_a_block_when_no_candle_is_too_large():
    from trading.engine.synthetic import generate_candles

    ev = analyze(
        generate_candles(3000, seed=9), small_config(ob_max_candle_atr=1e9, internal_size=3, swing_size=10)
    ).events
    for scope in ("swing", "internal"):
        breaks = ev[ev["kind"].isin(["bos", "choch"]) & (ev["scope"] == scope)]
        blocks = ev[(ev["kind"] == "ob") & (ev["scope"] == scope)]
        assert len(breaks) > 20
        assert sorted(blocks["ref"]) == sorted(breaks.index)
