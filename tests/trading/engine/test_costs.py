"""Costs are part of a setup: a stop too close to pay the round trip is no signal, and every signal
carries its expected R after costs at both targets."""

import pytest

from tests.trading.engine.builders import candles, small_config
from tests.trading.engine.test_fvg import GAP_BARS
from trading.engine import EngineConfig, analyze
from trading.engine.backtest import BacktestConfig
from trading.engine.costs import round_trip_cost

HELD = GAP_BARS[:5]  # a gap retested and held on bar 4: a LONG at 11.2, stop 10.24 (risk 0.96)


def _shifted(bars, by):
    return [tuple(x + by for x in bar) for bar in bars]


def _signal(bars, **config):
    sig = analyze(candles(bars), small_config(**config)).signals
    return sig.iloc[0] if len(sig) else None


def test_the_same_setup_is_a_signal_only_where_its_stop_pays_the_round_trip():
    # Same candles, same ATR and risk (0.96), at two price levels. Round trip at 11.2: 0.0134 (1.4 % of
    # R). At 1011.2: 1.213, more than the whole risk: fees and slippage would make even TP1 a loss.
    cheap = _signal(HELD)
    assert (cheap["setup"], cheap["entry"]) == ("fvg", 11.2)
    assert _signal(_shifted(HELD, 1000.0)) is None
    kept = _signal(_shifted(HELD, 1000.0), min_stop_cost_multiple=0.0)  # the filter off: reported, with its R
    cost = round_trip_cost(1011.2)
    assert cost == pytest.approx(1011.2 * 0.0012)
    risk = kept["entry"] - kept["stop_loss"]
    assert risk == pytest.approx(0.96)
    assert kept["r_tp1_net"] == pytest.approx((2 * risk - cost) / (risk + cost))
    assert kept["r_tp1_net"] < 0.5  # a "1:2" that earns under half its all-in risk
    # The threshold is the multiple: at 11.2 the stop is 0.96 / 0.01344 = 71.4 round trips away.
    assert _signal(HELD, min_stop_cost_multiple=70.0) is not None
    assert _signal(HELD, min_stop_cost_multiple=75.0) is None


def test_expected_r_after_costs_at_both_targets():
    sig = _signal(HELD)
    risk = sig["entry"] - sig["stop_loss"]
    cost = sig["entry"] * 2 * (0.0005 + 0.0001)
    assert sig["r_tp1_net"] == pytest.approx((2 * risk - cost) / (risk + cost))
    assert sig["r_tp2_net"] == pytest.approx((3 * risk - cost) / (risk + cost))
    free = _signal(HELD, taker_fee=0.0, slippage_bps=0.0)
    assert (free["r_tp1_net"], free["r_tp2_net"]) == pytest.approx((2.0, 3.0))


def test_the_engine_and_the_backtester_share_one_cost_model():
    engine, backtest = EngineConfig(), BacktestConfig()
    assert (engine.taker_fee, engine.slippage_bps) == (backtest.taker_fee, backtest.slippage_bps)


@pytest.mark.parametrize("field", ["taker_fee", "slippage_bps", "min_stop_cost_multiple"])
def test_cost_settings_cannot_be_negative(field):
    with pytest.raises(ValueError, match=field):
        EngineConfig(**{field: -0.1})
