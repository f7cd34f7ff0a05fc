"""The paper engine's exit rules on hand-built updates: the backtester's rules, one position at a time."""

import pytest

from trading.engine.paper import (
    BREAKEVEN,
    LONG,
    SHORT,
    STOP,
    TP1,
    TP2,
    PaperCosts,
    Position,
    PriceUpdate,
    entry_refusal,
    is_closed,
    market_fill,
    position_update,
)

FREE = PaperCosts(taker_fee=0.0, maker_fee=0.0, slippage_bps=0.0)
COSTS = PaperCosts()  # taker 0.05 %, maker 0.02 %, slippage 1 bp
LONG_ALL_AT_TP = Position(side=LONG, entry=100.0, stop=98.0, tp1=104.0)
LONG_PARTIAL = Position(side=LONG, entry=100.0, stop=98.0, tp1=104.0, tp2=106.0)
SHORT_PARTIAL = Position(side=SHORT, entry=100.0, stop=102.0, tp1=96.0, tp2=94.0)


def bar(o, h, lo):
    return PriceUpdate(o, h, lo)


def test_a_quiet_update_changes_nothing():
    position, exits = position_update(LONG_PARTIAL, bar(100.0, 101.0, 99.0), FREE)
    assert (position, exits) == (LONG_PARTIAL, [])


def test_stop_touched_fills_at_the_stop_with_slippage_and_taker_fee():
    _, [exit_] = position_update(LONG_ALL_AT_TP, bar(100.0, 101.0, 97.5), COSTS)
    assert (exit_.reason, exit_.fraction) == (STOP, 1.0)
    assert exit_.price == pytest.approx(98.0 * (1 - 0.0001))
    assert exit_.fee_rate == COSTS.taker_fee
    assert is_closed(LONG_ALL_AT_TP, [exit_])


def test_stop_comes_before_the_target_within_one_update():
    _, exits = position_update(LONG_ALL_AT_TP, bar(100.0, 105.0, 97.0), FREE)
    assert [(e.reason, e.price) for e in exits] == [(STOP, 98.0)]


def test_a_gap_through_the_stop_fills_at_the_open():
    _, [exit_] = position_update(LONG_ALL_AT_TP, bar(96.0, 97.0, 95.0), FREE)
    assert (exit_.reason, exit_.price) == (STOP, 96.0)


def test_a_tick_through_the_stop_fills_at_the_tick_price():
    _, [exit_] = position_update(LONG_ALL_AT_TP, PriceUpdate.tick(97.5), FREE)
    assert (exit_.reason, exit_.price) == (STOP, 97.5)


def test_all_at_the_target_without_a_second_one_at_its_price_and_maker_fee():
    position, [exit_] = position_update(LONG_ALL_AT_TP, bar(100.0, 104.5, 99.0), COSTS)
    assert (exit_.reason, exit_.fraction, exit_.price, exit_.fee_rate) == (TP1, 1.0, 104.0, COSTS.maker_fee)
    assert position.tp1_done and is_closed(LONG_ALL_AT_TP, [exit_])


def test_a_gap_through_the_target_fills_at_the_open():
    _, [exit_] = position_update(LONG_ALL_AT_TP, bar(105.0, 105.5, 104.8), FREE)
    assert (exit_.reason, exit_.price) == (TP1, 105.0)


def test_half_at_tp1_then_the_stop_moves_to_the_entry_fill_from_the_next_update():
    position, [exit_] = position_update(LONG_PARTIAL, bar(100.0, 104.5, 99.0), FREE)
    assert (exit_.reason, exit_.fraction, exit_.price) == (TP1, 0.5, 104.0)
    assert position.tp1_done and position.stop == 100.0 and position.open_fraction == 0.5
    assert not is_closed(LONG_PARTIAL, [exit_])
    # The next update reaches the entry: the rest leaves at break-even, a market fill.
    _, [rest] = position_update(position, bar(101.0, 101.0, 99.5), COSTS)
    assert (rest.reason, rest.fraction, rest.fee_rate) == (BREAKEVEN, 0.5, COSTS.taker_fee)
    assert rest.price == pytest.approx(100.0 * (1 - 0.0001))


def test_the_break_even_stop_is_not_active_in_the_update_that_took_tp1():
    # TP1 at 104 and a dip to 99 (below the entry) in the same bar: the original stop (98) still holds.
    _, exits = position_update(LONG_PARTIAL, bar(100.0, 104.5, 99.0), FREE)
    assert [e.reason for e in exits] == [TP1]


def test_tp1_and_tp2_in_one_update_close_everything():
    _, exits = position_update(LONG_PARTIAL, bar(100.0, 107.0, 99.5), COSTS)
    assert [(e.reason, e.fraction, e.price, e.fee_rate) for e in exits] == [
        (TP1, 0.5, 104.0, COSTS.maker_fee),
        (TP2, 0.5, 106.0, COSTS.maker_fee),
    ]
    assert is_closed(LONG_PARTIAL, exits)


def test_a_short_mirrors_a_long():
    position, [tp1] = position_update(SHORT_PARTIAL, bar(100.0, 100.5, 95.5), FREE)
    assert (tp1.reason, tp1.price, position.stop) == (TP1, 96.0, 100.0)
    _, [rest] = position_update(position, bar(99.0, 100.2, 98.0), COSTS)
    assert rest.reason == BREAKEVEN
    assert rest.price == pytest.approx(100.0 * (1 + 0.0001))  # a short buys back higher
    _, [stop] = position_update(SHORT_PARTIAL, bar(100.0, 102.5, 99.0), FREE)
    assert (stop.reason, stop.price) == (STOP, 102.0)


def test_market_fills_slip_against_the_trader():
    assert market_fill(LONG, 100.0, opening=True) == pytest.approx(100.01)
    assert market_fill(LONG, 100.0, opening=False) == pytest.approx(99.99)
    assert market_fill(SHORT, 100.0, opening=True) == pytest.approx(99.99)
    assert market_fill(SHORT, 100.0, opening=False) == pytest.approx(100.01)


def test_an_entry_through_the_stop_or_the_target_is_refused():
    assert entry_refusal(LONG, 100.0, 98.0, 104.0) is None
    assert "stop-loss" in entry_refusal(LONG, 97.0, 98.0, 104.0)
    assert "first target" in entry_refusal(LONG, 104.0, 98.0, 104.0)
    assert "stop-loss" in entry_refusal(SHORT, 103.0, 102.0, 96.0)
    assert entry_refusal(SHORT, 100.0, 102.0, 96.0) is None
