"""A signal exists only if its own candle left the setup intact: the gap not filled, the stop not hit."""

from tests.trading.engine.builders import STRUCTURE_BARS, candles, small_config
from tests.trading.engine.test_fvg import GAP_BARS
from trading.engine import analyze

COLUMNS = ["confirmed", "direction", "setup"]


def _signals(bars):
    return analyze(candles(bars), small_config()).signals[COLUMNS].astype(str).values.tolist()


def test_a_gap_retested_and_held_gives_a_long():
    # bar 4 trades into the gap 10.5 .. 11.0 down to 10.8 and closes 11.2: the gap holds
    assert _signals(GAP_BARS[:5]) == [["4", "LONG", "fvg"]]


def test_a_gap_the_signal_candle_filled_gives_no_signal():
    # the same retest with a wick to 10.4, through the gap's far edge 10.5, still closing 11.2 above it:
    # the gap is filled (gone) on the very candle that would confirm the long
    filled = [*GAP_BARS[:4], (11.9, 12.0, 10.4, 11.2)]
    assert _signals(filled) == []


def test_the_mirrored_filled_gap_gives_no_short_either():
    filled = [*GAP_BARS[:4], (11.9, 12.0, 10.4, 11.2)]
    mirrored = [(30 - o, 30 - low, 30 - high, 30 - c) for o, high, low, c in filled]
    assert _signals(mirrored) == []
    held = [(30 - o, 30 - low, 30 - high, 30 - c) for o, high, low, c in GAP_BARS[:5]]
    assert _signals(held) == [["4", "SHORT", "fvg"]]


def test_a_signal_whose_candle_traded_through_its_stop_is_never_emitted():
    # The structure example's bar 13 retests the bearish breaker [9, 10] and closes 8.5: a SHORT with the
    # stop at 10 + 0.25 ATR. With a wick up to 11.0 (ATR 1.7: stop 10.425) the candle hit that stop itself.
    assert ["13", "SHORT", "swing_breaker"] in _signals(STRUCTURE_BARS)
    wicked = list(STRUCTURE_BARS)
    wicked[13] = (11.0, 8.0, 8.5)
    analysis = analyze(candles(wicked), small_config())
    assert ["13", "SHORT", "swing_breaker"] not in _signals(wicked)
    # (a gap higher up, with its stop above 11.0, may still trade on that bar); every signal's candle
    # stayed on the right side of its stop
    sig = analysis.signals
    frame = candles(wicked)
    longs = sig["direction"] == "LONG"
    assert (frame["low"].to_numpy()[sig.loc[longs, "confirmed"]] >= sig.loc[longs, "stop_loss"]).all()
    assert (frame["high"].to_numpy()[sig.loc[~longs, "confirmed"]] <= sig.loc[~longs, "stop_loss"]).all()
