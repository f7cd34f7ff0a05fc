"""Liquidation heatmap model: levels, accumulation, closing, sweeping, cleared share, event overlay."""

from __future__ import annotations

import json

import pytest

from market.liquidation_map import (
    HeatmapConfig,
    HeatmapState,
    bin_events,
    bin_width,
    cleared_share,
    liquidation_levels,
    new_state,
    observe,
    rows,
    sweep,
)

# Default tiers 5/10/25/50/100x weighted 10/15/25/25/25 %, mmr 0.5 %. Opened at P = 100:
#   longs  P(1 - 1/L + mmr): 80.5, 90.5, 96.5, 98.5, 99.5
#   shorts P(1 + 1/L - mmr): 119.5, 109.5, 103.5, 101.5, 100.5
LONGS = {5: 80.5, 10: 90.5, 25: 96.5, 50: 98.5, 100: 99.5}
SHORTS = {5: 119.5, 10: 109.5, 25: 103.5, 50: 101.5, 100: 100.5}
WEIGHTS = {5: 0.10, 10: 0.15, 25: 0.25, 50: 0.25, 100: 0.25}


def seeded(oi: float = 1000.0) -> HeatmapState:
    return observe(new_state(100.0), time=0.0, open_interest=oi, vwap=100.0)


def amounts(state: HeatmapState, side: str) -> dict[float, float]:
    bins = state.long_bins if side == "long" else state.short_bins
    return {round(state.edges(k)[0], 6): v for k, v in bins.items()}


def test_levels_are_p_times_one_minus_one_over_l_plus_mmr_and_the_mirror_for_shorts():
    levels = liquidation_levels(100.0)
    assert {lv.leverage: lv.price for lv in levels if lv.side == "long"} == pytest.approx(LONGS)
    assert {lv.leverage: lv.price for lv in levels if lv.side == "short"} == pytest.approx(SHORTS)
    custom = liquidation_levels(
        2000.0, HeatmapConfig(leverage_tiers=(20.0,), tier_weights=(1.0,), maintenance_margin=0.01)
    )
    assert [(lv.side, lv.price) for lv in custom] == [("long", pytest.approx(1920.0)), ("short", pytest.approx(2080.0))]


def test_bin_width_is_a_round_fraction_of_the_first_price():
    assert bin_width(100.0, 0.25) == pytest.approx(0.25)
    assert bin_width(64_321.0, 0.25) == pytest.approx(100.0)  # 160.8 -> 100
    assert bin_width(3_000.0, 0.25) == pytest.approx(5.0)  # 7.5 -> 5


def test_the_first_observation_seeds_both_sides_with_the_whole_open_interest():
    state = seeded(1000.0)
    assert state.width == 0.25
    assert amounts(state, "long") == pytest.approx({LONGS[lev]: 1000.0 * w for lev, w in WEIGHTS.items()})
    assert amounts(state, "short") == pytest.approx({SHORTS[lev]: 1000.0 * w for lev, w in WEIGHTS.items()})


def test_rising_open_interest_accumulates_at_the_new_vwap_and_falling_oi_scales_everything_down():
    state = observe(seeded(1000.0), time=60.0, open_interest=1500.0, vwap=100.0)
    assert amounts(state, "long")[80.5] == pytest.approx(150.0)  # 100 + 500 * 10 %
    state = observe(state, time=120.0, open_interest=1700.0, vwap=110.0)  # 200 new at 110
    # 5x longs at 110 * 0.805 = 88.55, in the bin [88.5, 88.75); 100x shorts at 110 * 1.005 = 110.55.
    assert amounts(state, "long")[88.5] == pytest.approx(20.0)  # 200 * 10 %
    assert amounts(state, "short")[110.5] == pytest.approx(50.0)  # 200 * 25 %
    before = sum(state.long_bins.values())
    state = observe(state, time=180.0, open_interest=850.0, vwap=105.0)  # half the positions closed
    assert sum(state.long_bins.values()) == pytest.approx(before / 2)
    assert state.open_interest == 850.0 and state.updated_at == 180.0
    assert len(state.columns) == 4  # one snapshot per observation for the time axis


def test_price_trading_through_a_bin_clears_it_and_nothing_else():
    state = sweep(seeded(1000.0), low=98.5, high=101.0, time=10.0)
    # Longs: the low reached the lower edges of 98.5 and 99.5; 96.5 is untouched.
    assert sorted(amounts(state, "long")) == [80.5, 90.5, 96.5]
    # Shorts: the high must pass a bin's upper edge: 100.5 (to 100.75) went, 101.5 (to 101.75) did not.
    assert sorted(amounts(state, "short")) == [101.5, 103.5, 109.5, 119.5]
    assert [(side, price, amount) for _, side, price, amount in state.swept] == [
        ("long", 98.5, pytest.approx(250.0)),
        ("long", 99.5, pytest.approx(250.0)),
        ("short", 100.5, pytest.approx(250.0)),
    ]


def test_observe_sweeps_the_period_range_before_adding_new_positions():
    state = observe(seeded(1000.0), time=60.0, open_interest=1000.0, vwap=100.0, low=99.0, high=100.0)
    assert 99.5 not in amounts(state, "long")
    state = observe(state, time=120.0, open_interest=1100.0, vwap=100.0, low=99.9, high=100.1)
    assert amounts(state, "long")[99.5] == pytest.approx(25.0)  # re-opened positions only


def test_cleared_share_reads_the_side_a_move_hurts():
    state = seeded(1000.0)
    # A 10 % dump clears the 10x-100x longs: 15 + 25 + 25 + 25 = 90 % of the long side.
    assert cleared_share(state, 100.0, 90.0) == pytest.approx(0.90)
    # A 5 % pump clears the 25x-100x shorts: 75 %.
    assert cleared_share(state, 100.0, 105.0) == pytest.approx(0.75)
    assert state.cleared_share(100.0, 97.0) == pytest.approx(0.50)  # 98.5 and 99.5 bins
    assert cleared_share(state, 100.0, 100.0) == 0.0
    # Once the 50x/100x longs are swept, the remaining long side is 10 + 15 + 25 = 50 % of what it was.
    swept = sweep(state, low=98.0, high=None, time=1.0)
    assert cleared_share(swept, 98.0, 90.0) == pytest.approx((15 + 25) / 50)
    assert cleared_share(new_state(100.0), 100.0, 50.0) == 0.0


def test_state_round_trips_through_json():
    state = observe(seeded(1000.0), time=60.0, open_interest=1200.0, vwap=101.0, low=99.0, high=101.2)
    again = HeatmapState.from_dict(json.loads(json.dumps(state.as_dict())))
    assert again.long_bins == state.long_bins and again.short_bins == state.short_bins
    assert again.swept == state.swept and rows(again) == rows(state)
    assert again.cleared_share(101.0, 95.0) == state.cleared_share(101.0, 95.0)


def test_real_events_are_binned_by_the_liquidated_side():
    events = [
        (1.0, "long", 99.6, 2.0),
        (2.0, "sell", 99.7, 1.0),  # ccxt's side: a forced sell closes a long
        (3.0, "buy", 100.6, 1.0),
        (4.0, "short", 0.0, 1.0),  # unusable
    ]
    assert bin_events(events, 0.25) == [(99.5, pytest.approx(99.6 * 2 + 99.7), 0.0), (100.5, 0.0, pytest.approx(100.6))]


def test_invalid_configurations_are_refused():
    with pytest.raises(ValueError):
        HeatmapConfig(leverage_tiers=(5.0, 10.0), tier_weights=(1.0,))
    with pytest.raises(ValueError):
        HeatmapConfig(maintenance_margin=0.02)  # above 1/100
    with pytest.raises(ValueError):
        observe(new_state(100.0), time=0.0, open_interest=10.0, vwap=0.0)


def test_a_map_is_the_sniper_engines_liquidation_map_and_agrees_with_its_default_estimate():
    import numpy as np
    import pandas as pd

    from trading.engine.sniper import LiquidationMap, estimate_liquidation_levels

    state = seeded(1000.0)
    assert isinstance(state, LiquidationMap)
    one_bar = pd.DataFrame(
        {"open": [100.0], "high": [100.0], "low": [100.0], "close": [100.0], "volume": [10.0]},
        index=pd.DatetimeIndex(["2026-01-01"], tz="UTC"),
        dtype=np.float64,
    )
    levels = estimate_liquidation_levels(one_bar, 0)
    for move in [(100.0, 90.0), (100.0, 105.0), (100.0, 97.0), (100.0, 80.0), (100.0, 125.0)]:
        assert state.cleared_share(*move) == pytest.approx(levels.cleared_share(*move)), move
