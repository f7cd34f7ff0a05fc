"""Altcoin Season Index on a constructed universe: exclusions, top 50, share that beat Bitcoin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from market.indices import Coin, altcoin_season, exclusion_reason, label, universe, window_return

DAYS = 120


def closes(total_90: float, total_30: float) -> np.ndarray:
    """120 daily closes whose last-90-day return is ``total_90`` and last-30-day return ``total_30``."""
    start = 100.0
    at_90_ago = start  # day -91
    at_30_ago = at_90_ago * (1 + total_90) / (1 + total_30)  # day -31
    end = at_90_ago * (1 + total_90)
    series = np.full(DAYS, start)
    series[-91:-30] = np.linspace(at_90_ago, at_30_ago, 61)
    series[-31:] = np.linspace(at_30_ago, end, 31)
    return series


# Ranked by market cap: BTC, stablecoins and wrapped/staked tokens sit among the alts and must be skipped.
NOISE = [
    Coin("BTC", "Bitcoin", 1.3e12),
    Coin("USDT", "Tether", 1.1e11),
    Coin("stETH", "Lido Staked Ether", 3e10),
    Coin("USDC", "USD Coin", 3e10),
    Coin("WBTC", "Wrapped Bitcoin", 1e10),
    Coin("cbBTC", "Coinbase Wrapped BTC", 5e9),
    Coin("JitoSOL", "Jito Staked SOL", 2e9),
    Coin("FOO", "Bridged FOO (Some Chain)", 1.5e10),
    Coin("USDX", "USDX Money", 1e10),
    Coin("XYZUSD", "XYZ Stable USD Dollar", 9e9),
]


def constructed():
    alts = [Coin(f"ALT{i:02d}", f"Alt {i}", 1e11 / (i + 1)) for i in range(50)]
    outsider = Coin("RANK51", "Just outside the top 50", 1e6)  # beats BTC, must not count
    coins = NOISE + alts + [outsider]
    series = {"BTC": closes(0.10, 0.05)}
    for i, coin in enumerate(alts):
        # 90 days: the first 38 alts beat BTC's +10 %; 30 days: only the first 10 beat BTC's +5 %.
        series[coin.symbol] = closes(0.20 if i < 38 else 0.02, 0.08 if i < 10 else 0.01)
    for coin in [*NOISE[1:], outsider]:  # excluded coins all "beat" BTC: counting them would show
        series[coin.symbol.upper()] = closes(0.50, 0.50)
    return coins, series


def test_exactly_38_of_50_beating_bitcoin_over_90_days_is_76_an_altcoin_season():
    coins, series = constructed()
    result = altcoin_season(coins, series)
    ninety = result.windows[90]
    assert len(result.universe) == 50 and "BTC" not in result.universe and "RANK51" not in result.universe
    assert (ninety.beat, ninety.counted, ninety.index, ninety.label) == (38, 50, 76, "Altcoin season")
    assert ninety.bitcoin_return_pct == pytest.approx(10.0)
    thirty = result.windows[30]
    assert (thirty.beat, thirty.index, thirty.label) == (10, 20, "Bitcoin season")


def test_exclusions_are_applied_with_their_reason():
    coins, series = constructed()
    excluded = altcoin_season(coins, series).excluded
    assert excluded == {
        "BTC": "benchmark",
        "USDT": "stablecoin",
        "STETH": "wrapped or staked",
        "USDC": "stablecoin",
        "WBTC": "wrapped or staked",
        "CBBTC": "wrapped or staked",
        "JITOSOL": "wrapped or staked",
        "FOO": "wrapped or staked",  # "Bridged" in the name
        "USDX": "stablecoin",
        "XYZUSD": "stablecoin",  # "Stable USD Dollar" in the name
    }


@pytest.mark.parametrize(
    ("symbol", "name", "reason"),
    [
        ("WIF", "dogwifhat", None),  # w + IF: IF is no base asset
        ("STX", "Stacks", None),
        ("WLD", "Worldcoin", None),
        ("SEI", "Sei", None),
        ("ETH", "Ethereum", None),
        ("rETH", "Rocket Pool ETH", "wrapped or staked"),  # r + ETH
        ("mSOL", "Marinade staked SOL", "wrapped or staked"),
        ("sAVAX", "BENQI Liquid Staked AVAX", "wrapped or staked"),
        ("WEETH", "Wrapped eETH", "wrapped or staked"),
        ("DAI", "Dai", "stablecoin"),
        ("PAXG", "PAX Gold", "stablecoin"),
    ],
)
def test_exclusion_rules(symbol, name, reason):
    assert exclusion_reason(symbol, name) == reason


def test_coins_without_enough_history_are_listed_as_missing_and_not_counted():
    coins = [Coin("BTC", "Bitcoin", 10.0), Coin("AAA", "A", 5.0), Coin("NEW", "New listing", 4.0)]
    series = {"BTC": closes(0.1, 0.0), "AAA": closes(0.2, 0.0), "NEW": closes(0.9, 0.0)[-40:]}
    result = altcoin_season(coins, series)
    assert result.windows[90].missing == ("NEW",) and result.windows[90].counted == 1
    assert result.windows[90].index == 100
    assert result.windows[30].counted == 2  # 40 closes are enough for 30 days


def test_no_index_without_bitcoin_or_without_any_counted_coin():
    coins = [Coin("BTC", "Bitcoin", 10.0), Coin("AAA", "A", 5.0)]
    assert altcoin_season(coins, {"AAA": closes(0.2, 0.1)}).windows[90].index is None
    assert altcoin_season(coins, {"BTC": closes(0.2, 0.1)}).windows[90].label is None


def test_returns_come_from_plain_sequences_or_pandas_series_alike():
    values = closes(0.25, 0.1)
    index = pd.date_range("2024-01-01", periods=DAYS, freq="D", tz="UTC")
    assert window_return(values, 90) == pytest.approx(0.25)
    assert window_return(pd.Series(values, index=index), 90) == pytest.approx(0.25)
    assert window_return(values.tolist(), 30) == pytest.approx(0.1)
    assert window_return(values[:50], 90) is None


def test_labels_at_the_boundaries():
    assert [label(i) for i in (75, 74, 26, 25)] == ["Altcoin season", "Neutral", "Neutral", "Bitcoin season"]


def test_universe_fills_gaps_from_further_down_the_list():
    coins = [Coin("BTC", "Bitcoin", 9.0), Coin("WETH", "Wrapped Ether", 8.0), Coin("A", "A", 7.0), Coin("B", "B", 6.0)]
    kept, excluded = universe(coins, size=2)
    assert kept == ["A", "B"] and set(excluded) == {"BTC", "WETH"}
