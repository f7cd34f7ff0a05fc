"""The default liquidation estimate: levels per leverage tier, swept levels gone, cleared share."""

import numpy as np
import pandas as pd
import pytest

from market.liquidation_map import HeatmapConfig, LeverageTiers, liquidation_levels, new_state, observe
from trading.engine.sniper import LiquidationModelConfig, SniperConfig, detect, estimate_liquidation_levels

TIERS = LiquidationModelConfig().tiers


def bars(rows: list[tuple[float, float, float, float, float]]) -> pd.DataFrame:
    index = pd.date_range("2024-03-01", periods=len(rows), freq="1min", tz="UTC")
    return pd.DataFrame(rows, columns=["open", "high", "low", "close", "volume"], index=index, dtype=np.float64)


def test_levels_sit_at_p_times_one_minus_one_over_leverage_plus_mmr():
    levels = estimate_liquidation_levels(bars([(100.0, 100.0, 100.0, 100.0, 2.0)]), 0)
    leverage = np.array([5.0, 10.0, 25.0, 50.0, 100.0])
    assert levels.long_prices == pytest.approx(100.0 * (1 - 1 / leverage + 0.005))  # 80.5, 90.5, 96.5, 98.5, 99.5
    assert levels.short_prices == pytest.approx(100.0 * (1 + 1 / leverage - 0.005))  # 119.5 ... 100.5
    # weight = traded notional (2 * 100) spread over the tiers
    assert levels.long_weights == pytest.approx(200.0 * np.array(TIERS.weights))


def test_levels_price_has_already_traded_through_are_gone():
    candles = bars([(100.0, 100.0, 100.0, 100.0, 1.0), (100.0, 100.0, 98.0, 100.0, 0.0)])
    levels = estimate_liquidation_levels(candles, 1)
    # The low of 98 swept the 100x (99.5) and 50x (98.5) longs opened at 100; shorts are all intact.
    alive = levels.long_prices[levels.long_weights > 0]
    assert sorted(alive.round(6)) == [80.5, 90.5, 96.5]
    # A fall from 100 to 90 sweeps the 10x and 25x of what is left: (0.15 + 0.25) of 0.50.
    assert levels.cleared_share(100.0, 90.0) == pytest.approx(0.40 / 0.50)
    # A rise to 103 sweeps the 100x and 50x shorts (100.5, 101.5): 0.50 of all shorts.
    assert levels.cleared_share(100.0, 103.0) == pytest.approx(0.50)


def test_the_estimate_reads_no_bar_after_the_one_asked_for():
    candles = bars([(100.0, 100.0, 100.0, 100.0, 1.0)] * 3 + [(100.0, 100.0, 50.0, 60.0, 1e6)])
    before = estimate_liquidation_levels(candles.iloc[:3], 2)
    full = estimate_liquidation_levels(candles, 2)
    assert full.long_prices.tolist() == before.long_prices.tolist()
    assert full.long_weights.tolist() == before.long_weights.tolist()


def test_open_interest_increases_weigh_new_positions_instead_of_volume():
    candles = bars([(100.0, 100.0, 100.0, 100.0, 5.0), (110.0, 110.0, 110.0, 110.0, 5.0)])
    candles["open_interest"] = [1000.0, 1000.0]  # nothing new opened at 110
    levels = estimate_liquidation_levels(candles, 1)
    near_110 = levels.long_prices > 100.0
    assert levels.long_weights[near_110].sum() == 0.0


def test_a_10_percent_dump_from_a_flat_market_passes_the_gate_on_the_default_model():
    flat = [(100.0, 100.0, 100.0, 100.0, 10.0)] * 60
    found = detect(bars([*flat, (100.0, 100.0, 89.9, 89.9, 50.0)]), SniperConfig())
    assert found["move"].tolist() == ["DUMP"]
    # 10x..100x longs opened at 100 all sit above 89.9: 90 % of the weight
    assert found["cleared_pct"].iloc[0] == pytest.approx(90.0)


def test_the_estimate_and_the_heatmap_use_one_tier_model():
    assert HeatmapConfig().tiers == TIERS
    # any tier set, given to both, puts positions opened at one price at the same levels with the same weights
    tiers = LeverageTiers(leverage=(3.0, 20.0), raw_weights=(2.0, 6.0), maintenance_margin=0.01)
    heatmap = liquidation_levels(
        250.0, HeatmapConfig(leverage_tiers=(3.0, 20.0), tier_weights=(2.0, 6.0), maintenance_margin=0.01)
    )
    estimate = estimate_liquidation_levels(
        bars([(250.0, 250.0, 250.0, 250.0, 4.0)]), 0, LiquidationModelConfig(tiers=tiers)
    )
    for side, prices, weights in (
        ("long", estimate.long_prices, estimate.long_weights),
        ("short", estimate.short_prices, estimate.short_weights),
    ):
        mine = sorted((lv.price, lv.weight) for lv in heatmap if lv.side == side)
        ours = sorted(zip(prices.tolist(), (weights / 1000.0).tolist(), strict=True))  # notional 4 x 250
        assert np.array(ours) == pytest.approx(np.array(mine))


def test_the_market_heatmap_state_is_a_liquidation_map_for_the_detector():
    state = observe(new_state(100.0), time=0.0, open_interest=1_000_000.0, vwap=100.0)  # positions at 100
    flat = [(100.0, 100.0, 100.0, 100.0, 10.0)] * 10
    dump = detect(bars([*flat, (100.0, 100.0, 89.9, 89.9, 50.0)]), liquidations=state)
    assert dump["move"].tolist() == ["DUMP"]
    assert dump["cleared_pct"].iloc[0] == pytest.approx(90.0)
    assert detect(
        bars([*flat, (100.0, 100.0, 89.9, 89.9, 50.0)]), SniperConfig(min_cleared_pct=91.0), liquidations=state
    ).empty
