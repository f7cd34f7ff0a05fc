"""Funding rates: annualization from the funding interval, and the side-by-side table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from market.funding import FundingObservation, annualize, compare, interval_hours

NEXT = datetime(2026, 1, 1, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("interval", "hours"),
    [("8h", 8.0), ("4h", 4.0), ("1h", 1.0), ("480m", 8.0), ("1d", 24.0), (8, 8.0), (None, 8.0), ("bogus", 8.0)],
)
def test_interval_hours(interval, hours):
    assert interval_hours(interval) == hours


def test_annualized_rate_is_the_rate_times_periods_per_year():
    # 0.01 % every 8 h: 3 periods a day, 1095 a year -> 10.95 %.
    assert annualize(0.0001, "8h") == pytest.approx(0.1095)
    assert annualize(0.0001, "4h") == pytest.approx(0.2190)
    assert annualize(0.0001, "1h") == pytest.approx(0.8760)
    assert annualize(-0.0003, None) == pytest.approx(-0.3285)


def test_compare_lines_exchanges_up_per_symbol_with_the_widest_spread_first():
    rows = compare(
        [
            FundingObservation("binanceusdm", "BTC/USDT:USDT", 0.0001, NEXT, "8h"),
            FundingObservation("bybit", "BTC/USDT:USDT", 0.0001, NEXT, "4h"),
            FundingObservation("okx", "ETH/USDT:USDT", 0.0002, NEXT, "8h"),
            FundingObservation("bingx", "ETH/USDT:USDT", -0.0001, NEXT, "8h"),
            FundingObservation("bingx", "SOL/USDT:USDT", 0.0005, None, None),
            FundingObservation("kraken", "SOL/USDT:USDT", 0.05, None, None),  # not a compared venue
        ],
        exchanges=["bingx", "binanceusdm", "okx", "bybit"],
    )
    assert [r.symbol for r in rows] == ["ETH/USDT:USDT", "BTC/USDT:USDT", "SOL/USDT:USDT"]
    eth, btc, sol = rows
    assert list(eth.quotes) == ["bingx", "okx"]  # in the requested order
    assert eth.spread_pct == pytest.approx(21.9 - -10.95)
    assert btc.quotes["bybit"].annualized_pct == pytest.approx(21.9) and btc.quotes["bybit"].interval_hours == 4
    assert btc.quotes["binanceusdm"].rate_pct == pytest.approx(0.01)
    assert btc.quotes["binanceusdm"].next_funding_time == NEXT
    assert sol.spread_pct is None and list(sol.quotes) == ["bingx"]
