"""Sniper rule: thresholds at their boundaries, direction, stop/target arithmetic, one alert per move."""

import numpy as np
import pandas as pd
import pytest

from trading.engine.sniper import LiquidationLevels, SniperConfig, alerts_as_signals, detect, scan, ticks_to_candles


class Cleared:
    """A liquidation map that reports the same cleared share for every move."""

    def __init__(self, share: float) -> None:
        self.share = share

    def cleared_share(self, price_from: float, price_to: float) -> float:
        return self.share


def minute_bars(rows: list[tuple[float, float, float, float]], start: str = "2024-03-01 10:00") -> pd.DataFrame:
    index = pd.date_range(start, periods=len(rows), freq="1min", tz="UTC")
    frame = pd.DataFrame(rows, columns=["open", "high", "low", "close"], index=index, dtype=np.float64)
    frame["volume"] = 10.0
    return frame


FLAT = [(100.0, 100.0, 100.0, 100.0)] * 20


def one_bar_move(close: float) -> pd.DataFrame:
    """Twenty flat minutes at 100, then one minute that closes at ``close`` (its extreme)."""
    return minute_bars([*FLAT, (100.0, max(100.0, close), min(100.0, close), close)])


@pytest.mark.parametrize(("close", "alerts"), [(104.99, 0), (105.0, 1), (90.01, 0), (90.0, 1)])
def test_pump_fires_from_plus_5_and_dump_from_minus_10_percent_exactly(close, alerts):
    found = detect(one_bar_move(close), liquidations=Cleared(1.0))
    assert len(found) == alerts
    if alerts:
        assert found["move"].iloc[0] == ("PUMP" if close > 100 else "DUMP")
        assert found["change_pct"].iloc[0] == pytest.approx((close / 100.0 - 1.0) * 100.0)
        assert found["bar"].iloc[0] == 20


@pytest.mark.parametrize(("inside", "alerts"), [(0.749, 0), (0.75, 1)])
def test_an_alert_needs_75_percent_of_the_liquidations_cleared(inside, alerts):
    # Short liquidations at 102 (swept by a pump to 105) and 110 (not reached).
    levels = LiquidationLevels(
        long_prices=np.array([95.0]),
        long_weights=np.array([1.0]),
        short_prices=np.array([102.0, 110.0]),
        short_weights=np.array([inside, 1.0 - inside]),
    )
    found = detect(one_bar_move(105.0), liquidations=levels)
    assert len(found) == alerts
    if alerts:
        assert found["cleared_pct"].iloc[0] == pytest.approx(75.0)


def test_a_5_percent_rise_spread_over_six_minutes_is_not_a_sniper_move():
    five = [(100.0 + i, 101.0 + i, 100.0 + i, 101.0 + i) for i in range(5)]  # 100 -> 105 in 5 minutes
    six = [(100 + 5 * i / 6, 100 + 5 * (i + 1) / 6, 100 + 5 * i / 6, 100 + 5 * (i + 1) / 6) for i in range(6)]
    assert detect(minute_bars([*FLAT, *five]), liquidations=Cleared(1.0))["bar"].tolist() == [24]
    assert detect(minute_bars([*FLAT, *six]), liquidations=Cleared(1.0)).empty


def test_thresholds_are_configurable():
    config = SniperConfig(pump_pct=2.0, dump_pct=-3.0, min_cleared_pct=50.0)
    assert len(detect(one_bar_move(102.0), config, liquidations=Cleared(0.5))) == 1
    assert len(detect(one_bar_move(97.0), config, liquidations=Cleared(0.5))) == 1
    assert detect(one_bar_move(97.01), config, liquidations=Cleared(0.5)).empty


@pytest.mark.parametrize(
    ("close", "reversal", "direction"),
    [(106.0, False, "LONG"), (106.0, True, "SHORT"), (89.0, False, "SHORT"), (89.0, True, "LONG")],
)
def test_long_after_a_pump_short_after_a_dump_and_reversal_flips_it(close, reversal, direction):
    found = detect(
        one_bar_move(close), SniperConfig(reversal=reversal), symbol="SOL/USDT:USDT", liquidations=Cleared(1.0)
    )
    assert found["direction"].tolist() == [direction]
    assert found["symbol"].tolist() == ["SOL/USDT:USDT"]


def test_stop_goes_beyond_the_window_extreme_plus_half_an_atr_and_the_target_is_at_1_to_2():
    # Flat minutes with a true range of 1 (ATR 1), then a pump bar of true range 6:
    # Wilder's ATR = (13 * 1 + 6) / 14 = 19/14.
    rows = [(100.0, 100.5, 99.5, 100.0)] * 30 + [(100.0, 106.0, 100.0, 106.0)]
    atr = 19 / 14
    long = detect(minute_bars(rows), liquidations=Cleared(1.0)).iloc[0]
    assert long["entry"] == 106.0
    assert long["origin_price"] == 99.5
    assert long["change_pct"] == pytest.approx((106 / 99.5 - 1) * 100)
    assert long["atr"] == pytest.approx(atr)
    assert long["stop_loss"] == pytest.approx(99.5 - atr / 2)  # below the window low
    assert long["take_profit"] == pytest.approx(106.0 + 2 * (106.0 - (99.5 - atr / 2)))

    short = detect(minute_bars(rows), SniperConfig(reversal=True), liquidations=Cleared(1.0)).iloc[0]
    assert short["stop_loss"] == pytest.approx(106.0 + atr / 2)  # above the window high
    assert short["take_profit"] == pytest.approx(106.0 - 2 * (atr / 2))


def rising(start: float, minutes: int, step: float = 1.012) -> list[tuple[float, float, float, float]]:
    """Minutes each opening at the last close and closing ``step`` times higher (their high and low)."""
    prices = [start * step**i for i in range(minutes + 1)]
    return [(prices[i], prices[i + 1], prices[i], prices[i + 1]) for i in range(minutes)]


def test_a_steady_hour_long_pump_is_one_move_and_one_alert():
    # +1.2 % a minute for 60 minutes: every 5-minute window from minute 24 on is a >= 5 % pump
    candles = minute_bars([*FLAT, *rising(100.0, 60)])
    found = detect(candles, liquidations=Cleared(1.0))
    assert found["bar"].tolist() == [24] and found["move"].tolist() == ["PUMP"]


def test_two_pumps_separated_by_a_retrace_are_two_moves():
    first = rising(100.0, 10)  # 100 -> 112.7
    top = first[-1][3]
    # half of the 12.7 move given back: down to 105.5 (below 112.7 - 0.5 x 12.7 = 106.35) in three minutes
    back = [(top, top, 109.0, 109.0), (109.0, 109.0, 107.0, 107.0), (107.0, 107.0, 105.5, 105.5)]
    second = rising(105.5, 10)
    candles = minute_bars([*FLAT, *first, *back, *second])
    found = detect(candles, liquidations=Cleared(1.0))
    assert found["move"].tolist() == ["PUMP", "PUMP"]
    assert found["bar"].tolist() == [24, 20 + 10 + 3 + 4]  # the second one's first qualifying window
    # a shallower dip (a third of the move) is a pause inside one move: one alert
    shallow = [(top, top, 110.0, 110.0), (110.0, 110.0, 108.5, 108.5), (108.5, 108.5, 108.5, 108.5)]
    candles = minute_bars([*FLAT, *first, *shallow, *rising(108.5, 10)])
    assert detect(candles, liquidations=Cleared(1.0))["bar"].tolist() == [24]


def test_a_quiet_window_ends_a_move_too():
    first = rising(100.0, 8)
    top = first[-1][3]
    still = [(top, top, top, top)]
    one = detect(minute_bars([*FLAT, *first, *still * 20, *rising(top, 8)]), liquidations=Cleared(1.0))
    two = detect(minute_bars([*FLAT, *first, *still * 40, *rising(top, 8)]), liquidations=Cleared(1.0))
    # no window qualifies from the first flat minute until the fifth minute of the next rise: 20 flat
    # minutes make 24 quiet bars (< 30, still one move), 40 make 44 (the move ended, the next pump is new)
    assert len(one) == 1 and len(two) == 2
    assert two["bar"].tolist() == [24, 20 + 8 + 40 + 4]
    assert detect(
        minute_bars([*FLAT, *first, *still * 20, *rising(top, 8)]),
        SniperConfig(rearm_quiet_bars=20),
        liquidations=Cleared(1.0),
    )["move"].tolist() == ["PUMP", "PUMP"]


def test_a_steady_crash_is_one_dump_alert():
    falling = [
        (100.0 * 0.975**i, 100.0 * 0.975**i, 100.0 * 0.975 ** (i + 1), 100.0 * 0.975 ** (i + 1)) for i in range(60)
    ]
    found = detect(minute_bars([*FLAT, *falling]), liquidations=Cleared(1.0))
    assert found["move"].tolist() == ["DUMP"]


@pytest.mark.parametrize(("field", "value"), [("rearm_retrace", 0.0), ("rearm_retrace", 1.5), ("rearm_quiet_bars", 0)])
def test_rearm_settings_are_checked(field, value):
    with pytest.raises(ValueError, match=field):
        SniperConfig(**{field: value})


def test_a_dump_right_after_a_pump_is_a_new_move():
    top = 106.0
    rows = [*FLAT, (100.0, top, 100.0, top), (top, top, top, top), (top, top, 95.0, 95.0)]
    found = detect(minute_bars(rows), liquidations=Cleared(1.0))
    assert found["move"].tolist() == ["PUMP", "DUMP"]
    assert found["bar"].tolist() == [20, 22]


def test_alerts_become_backtester_signals_with_one_target():
    signals = alerts_as_signals(detect(one_bar_move(106.0), liquidations=Cleared(0.8)))
    row = signals.iloc[0]
    assert row["confirmed"] == 20
    assert row["direction"] == "LONG"
    assert np.isnan(row["take_profit_2"])
    assert row["setup"] == "sniper_pump"
    assert row["confidence"] == pytest.approx(80.0)


def test_ticks_become_one_minute_candles():
    times = pd.to_datetime(
        ["2024-03-01 10:00:05", "2024-03-01 10:00:30", "2024-03-01 10:00:59", "2024-03-01 10:02:10"], utc=True
    )
    ticks = pd.DataFrame({"price": [100.0, 103.0, 99.0, 101.0], "amount": [1.0, 2.0, 0.5, 4.0]}, index=times)
    candles = ticks_to_candles(ticks)
    assert candles.index.tolist() == pd.to_datetime(["2024-03-01 10:00", "2024-03-01 10:02"], utc=True).tolist()
    assert candles.iloc[0].tolist() == [100.0, 103.0, 99.0, 99.0, 3.5]


def test_the_live_scan_reports_only_moves_on_each_symbols_last_minute():
    earlier = minute_bars([*FLAT, (100.0, 106.0, 100.0, 106.0), (106.0, 106.0, 106.0, 106.0)])
    universe = {"BTC/USDT:USDT": one_bar_move(89.0), "ETH/USDT:USDT": earlier}
    found = scan(universe, latest_only=True, liquidations={s: Cleared(1.0) for s in universe})
    assert found[["symbol", "move", "bar"]].values.tolist() == [["BTC/USDT:USDT", "DUMP", 20]]
    assert len(scan(universe, liquidations={s: Cleared(1.0) for s in universe})) == 2
