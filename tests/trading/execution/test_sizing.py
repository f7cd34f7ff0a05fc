"""Position sizing: the loss at the stop, after rounding, fees and slippage, never exceeds the risk cap."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trading.engine.sizing import SizingRefused, position_size
from trading.services.brokers.base import MarketRules

FEE = D("0.0005")


def rules(step="0.0001", min_amount="0.0001", min_cost="2", max_leverage=125, symbol="BTC/USDT:USDT") -> MarketRules:
    return MarketRules(
        symbol=symbol,
        amount_step=D(step) if step else None,
        price_step=D("0.1"),
        min_amount=D(min_amount) if min_amount else None,
        min_cost=D(min_cost) if min_cost else None,
        max_leverage=max_leverage,
        taker_fee=FEE,
        maker_fee=D("0.0002"),
    )


def size(**kw):
    args = dict(
        equity=D("1000"), risk=D("0.01"), entry=D("100"), stop=D("95"), side="LONG", rules=rules(), max_leverage=5
    )
    args.update(kw)
    return position_size(**args)


def test_a_long_sized_from_the_stop_distance_with_fees():
    s = size()
    # per unit: 5 + 0.0005 * 195 = 5.0975; 10 / 5.0975 = 1.96174... -> 1.9617
    assert s.size == D("1.9617") and s.leverage == 1 and not s.capped_by_leverage
    assert s.risk_amount <= D("10") and s.notional == D("196.17")


def test_a_short_and_slippage_shrink_the_size():
    s = size(side="SHORT", stop=D("105"), slippage=D("0.001"))
    assert s.risk_amount <= D("10")
    assert s.size < size(side="SHORT", stop=D("105")).size


def test_a_tight_stop_is_held_to_the_leverage_cap():
    s = size(stop=D("99.9"), max_leverage=3)
    assert s.capped_by_leverage and s.notional <= D("3000") and s.leverage == 3


def test_open_positions_leave_less_margin_so_the_leverage_rises_to_fit():
    alone = size(stop=D("99"))  # notional ~ 970 of 1,000 equity: 1x
    beside = size(stop=D("99"), free_margin=D("400"))  # the same risk, 600 held by open positions
    assert alone.leverage == 1 and beside.leverage == 3
    assert beside.size == alone.size  # the risk, not the margin, sets the size
    assert beside.notional * (1 / D(beside.leverage) + FEE) <= D("400")


def test_too_little_free_margin_holds_the_size_to_the_leverage_cap():
    s = size(stop=D("99"), free_margin=D("100"), max_leverage=5)
    assert s.capped_by_leverage and s.leverage == 5 and s.notional * (D(1) / 5 + FEE) <= D("100")


def test_no_free_margin_is_refused_with_the_reason():
    with pytest.raises(SizingRefused, match="open positions hold all of it"):
        size(free_margin=D("0"))


def test_the_market_cap_on_leverage_wins_over_the_users():
    s = size(stop=D("99.9"), max_leverage=20, rules=rules(max_leverage=2))
    assert s.notional <= D("2000") and s.leverage == 2


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"stop": D("100")}, "at the entry price"),
        ({"stop": D("101")}, "must be below the price"),
        ({"side": "SHORT", "stop": D("95")}, "must be above the price"),
        ({"equity": D("0")}, "no equity"),
        ({"rules": rules(min_amount="5")}, "below the exchange's minimum quantity of 5"),
        ({"rules": rules(min_cost="500")}, "below the exchange's minimum order of 500 USDT"),
        ({"equity": D("10"), "rules": rules(step="1", min_amount="1")}, "raise the risk or use a closer stop"),
    ],
)
def test_refusals_say_why(kw, words):
    with pytest.raises(SizingRefused, match=words):
        size(**kw)


decimals = st.decimals(allow_nan=False, allow_infinity=False)


@settings(max_examples=400, deadline=None)
@given(
    equity=st.decimals(min_value="1", max_value="1000000", places=2),
    risk_bp=st.integers(min_value=25, max_value=200),
    entry=st.decimals(min_value="0.00001", max_value="200000", places=5),
    distance=st.decimals(min_value="0.0001", max_value="0.5", places=4),
    side=st.sampled_from(["LONG", "SHORT"]),
    step_exp=st.integers(min_value=-6, max_value=2),
    min_steps=st.integers(min_value=1, max_value=100),
    min_cost=st.sampled_from([None, D("1"), D("5"), D("100")]),
    fee=st.sampled_from([D(0), D("0.0002"), D("0.0005"), D("0.001")]),
    slippage=st.sampled_from([D(0), D("0.0005"), D("0.002")]),
    max_leverage=st.integers(min_value=1, max_value=125),
    free_share=st.sampled_from([None, D("1"), D("0.5"), D("0.1"), D("0.01")]),
)
def test_loss_at_the_stop_never_exceeds_the_cap(
    equity, risk_bp, entry, distance, side, step_exp, min_steps, min_cost, fee, slippage, max_leverage, free_share
):
    risk = D(risk_bp) / D(10000)
    stop = entry * (1 - distance) if side == "LONG" else entry * (1 + distance)
    step = D(1).scaleb(step_exp)
    market = MarketRules("X/USDT:USDT", step, None, step * min_steps, min_cost, 50, fee, D(0))
    try:
        s = position_size(
            equity=equity,
            risk=risk,
            entry=entry,
            stop=stop,
            side=side,
            rules=market,
            max_leverage=max_leverage,
            slippage=slippage,
            free_margin=None if free_share is None else equity * free_share,
        )
    except SizingRefused as refusal:
        assert refusal.reason
        return
    # the loss recomputed independently: both fills slip against us, both pay the taker fee
    if side == "LONG":
        e, x = entry * (1 + slippage), stop * (1 - slippage)
        loss = s.size * (e - x) + s.size * fee * (e + x)
    else:
        e, x = entry * (1 - slippage), stop * (1 + slippage)
        loss = s.size * (x - e) + s.size * fee * (e + x)
    assert loss <= equity * risk
    assert s.size >= step * min_steps and (s.size / step) == (s.size / step).to_integral_value()
    assert s.notional <= equity * min(max_leverage, 50)
    assert 1 <= s.leverage <= min(max_leverage, 50)
    # the exchange's margin check: the entry's margin at the chosen leverage and its fee fit in the free margin
    room = equity if free_share is None else equity * free_share
    # (multiplied out: 1 / leverage in Decimal rounds, and a margin exactly at the room would fail by 1e-28)
    assert s.notional * (1 + slippage) * (1 + s.leverage * fee) <= room * s.leverage
    assert min_cost is None or s.notional >= min_cost
