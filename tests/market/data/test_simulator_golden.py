"""The replay's numbers for a fixed seed and clock, pinned: a refactor of the simulator must not move the
market a user has seen (charts, backtests and saved demo screenshots would all change). Last moved on
purpose when the generated path gained intraday regimes (trends, ranges, squeezes: market/simulator/regimes.py)."""

from __future__ import annotations

import pytest

from market.simulator import CsvPaths, MarketSimulator

NOW = 1773144030  # 2026-03-10 12:00:30 UTC, 30 s into a minute
BTC, ETH, SOL, WIF = (f"{b}/USDT:USDT" for b in ("BTC", "ETH", "SOL", "WIF"))


def test_the_generated_market_of_seed_7_is_unchanged():
    sim = MarketSimulator(seed=7)
    hours = sim.candles("okx", BTC, "1h", NOW - 3 * 3600, NOW, NOW)
    assert list(hours.close) == pytest.approx([77123.5, 76984.3, 76424.7, 76436.8], rel=1e-5)
    assert list(hours.volume) == pytest.approx([1304.95, 1635.76, 1511.56, 16.758], rel=1e-5)
    ticker = sim.ticker("bingx", ETH, NOW)
    assert (ticker.last, ticker.bid, ticker.ask) == pytest.approx((2269.2724, 2269.25, 2269.29), rel=1e-7)
    assert ticker.change_percent == pytest.approx(0.218116, rel=1e-5)
    funding = sim.funding("bybit", SOL, NOW)
    assert funding.rate == 0.000916 and funding.next_funding_time == 1773158400.0
    assert (funding.mark_price, funding.index_price) == pytest.approx((119.498568, 119.639870), rel=1e-7)
    assert sim.open_interest("okx", WIF, NOW) == pytest.approx((20556590.9092, 45006807.9457), rel=1e-9)
    assert sim.long_short("okx", WIF, NOW) == (1.5256, 1773144000.0)
    liquidations = sim.liquidations(NOW - 3600, NOW)
    assert len(liquidations.time) == 653
    assert list(liquidations.price[:2]) == pytest.approx([0.3793253, 0.37891572], rel=1e-6)


def test_a_csv_with_holes_replays_as_before(tmp_path):
    start = 1709251200  # 2024-03-01, 5-minute rows, rows 3 and 4 missing (filled flat at the previous close)
    rows = ["time,open,high,low,close,volume,symbol"]
    prices = [100.0, 100.5, 100.2, 101.0, 100.8, 100.9, 101.4, 101.1, 100.7, 100.9, 101.2, 101.0]
    for i in range(1, len(prices)):
        if i in (3, 4):
            continue
        o, c = prices[i - 1], prices[i]
        rows.append(f"{(start + 300 * i) * 1000},{o},{max(o, c) + 0.2},{min(o, c) - 0.2},{c},{10 + i},ETHUSDT")
    path = tmp_path / "eth.csv"
    path.write_text("\n".join(rows) + "\n")
    paths = CsvPaths(path, seed=3)
    assert paths.symbols() == [ETH] and paths.span() == (start + 300, start + 300 * len(prices))
    sim = MarketSimulator(seed=3, paths=paths)
    candles = sim.candles("okx", ETH, "5m", start, start + 3600, start + 3600)
    assert len(candles) == len(prices) - 1
    assert list(candles.close[:5]) == pytest.approx(
        [100.526378, 100.224878, 100.22554, 100.191384, 100.879135], rel=1e-7
    )
    assert list(candles.volume[:5]) == pytest.approx([1.858898, 2.813349, 0.0, 0.0, 3.347254], rel=1e-6)
    assert paths.instrument(ETH).price == 100.9 and paths.instrument(ETH).daily_vol == pytest.approx(
        0.0589185, rel=1e-5
    )
