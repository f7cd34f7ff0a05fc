"""The widget services on the replay market: shapes, numbers from the snapshots and candles, pushes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache

from market.exchanges import errors
from market.exchanges.types import Candle, OpenInterest, OrderBook, Ticker
from market.selectors import intel as stored_widgets
from market.selectors import snapshots
from market.selectors.candles import candle_exchanges
from market.selectors.snapshots import ALL_EXCHANGES, cache_key
from market.services import intel
from market.services.candles import candles_upsert
from market.services.snapshots import order_books_refresh
from market.sources.base import Liquidation

BTC = "BTC/USDT:USDT"


def put_snapshot(kind: str, exchange: str, data) -> None:
    """A snapshot as market.services.snapshots stores it (fresh, offered)."""
    cache.set(cache_key(kind, exchange), {"data": data, "updated_at": datetime.now(UTC), "offered": True}, 600)


class CrossedBooks:
    """A market source whose only books are BTC on bingx (asks 100 x 5) and okx (bids 101.5 x 3)."""

    name, is_demo = "replay", True

    def now(self) -> datetime:
        return datetime.now(UTC)

    def exchanges(self) -> list[str]:
        return ["bingx", "binanceusdm", "okx", "bybit"]

    def universe(self) -> list[str]:
        return [BTC]

    def order_book(self, exchange: str, symbol: str, depth: int = 20) -> OrderBook:
        books = {
            "bingx": ([(Decimal("99"), Decimal("5"))], [(Decimal("100"), Decimal("5"))]),
            "okx": (
                [(Decimal("101.5"), Decimal("3")), (Decimal("99.5"), Decimal("9"))],
                [(Decimal("102"), Decimal("1"))],
            ),
        }
        if exchange not in books:
            raise errors.InvalidRequest("not listed")
        bids, asks = books[exchange]
        return OrderBook(exchange, symbol, tuple(bids), tuple(asks), self.now())


def test_arbitrage_table_walks_the_cached_books_with_the_cached_fees(
    replay, listen, django_capture_on_commit_callbacks
):
    order_books_refresh(source=CrossedBooks())
    listener = listen("market.arbitrage")
    with django_capture_on_commit_callbacks(execute=True):
        table = intel.arbitrage_refresh()
    assert table["opportunities"] == 1 and table["min_net_pct"] == 0.5 and table["symbols"] == 1
    row = table["rows"][0]
    assert (row["symbol"], row["buy_exchange"], row["sell_exchange"]) == (BTC, "bingx", "okx")
    # taker 0.05 % on both (replay markets): pay 100 * 1.0005, get 101.5 * 0.9995 on 3 units
    assert row["net_pct"] == pytest.approx(100 * (101.5 * 0.9995 / (100 * 1.0005) - 1))
    assert row["executable_size"] == pytest.approx(3.0)
    assert row["profit"] == pytest.approx(3 * (101.5 * 0.9995 - 100 * 1.0005))
    assert row["buy_fee_pct"] == pytest.approx(0.05) and row["is_opportunity"]
    assert "takes time" in table["note"]
    assert table["source"] == "replay order books" and table["stale_since"] is None and table["demo"]
    json.dumps(table)  # plain JSON
    [event] = listener.events()
    assert event["type"] == "arbitrage" and event["data"]["rows"][0]["symbol"] == BTC
    assert intel.arbitrage_table() == table  # cached for its TTL


def test_funding_table_annualizes_each_exchanges_rate(replay):
    table = intel.funding_table()
    assert table["exchanges"] == ["bingx", "binanceusdm", "okx", "bybit"]
    row = next(r for r in table["rows"] if r["symbol"] == BTC)
    for exchange, quote in row["quotes"].items():
        rate = float(snapshots.funding(exchange).data[BTC].rate)
        assert quote["rate_pct"] == pytest.approx(100 * rate)
        assert quote["annualized_pct"] == pytest.approx(100 * rate * 365 * 24 / quote["interval_hours"])
    annual = [q["annualized_pct"] for q in row["quotes"].values()]
    assert row["spread_pct"] == pytest.approx(max(annual) - min(annual))
    spreads = [r["spread_pct"] for r in table["rows"]]
    assert spreads == sorted(spreads, reverse=True)


def test_long_short_shows_bingx_as_not_offered(replay):
    table = intel.long_short_table()
    offered = {e["exchange"]: e["offered"] for e in table["exchanges"]}
    assert offered == {"binanceusdm": True, "okx": True, "bybit": True, "bingx": False}
    btc = next(r for r in table["rows"] if r["symbol"] == BTC)
    assert btc["ratios"]["bingx"] is None
    binance = btc["ratios"]["binanceusdm"]
    assert binance["long_pct"] + binance["short_pct"] == pytest.approx(100)
    assert binance["long_pct"] / binance["short_pct"] == pytest.approx(binance["ratio"])


def test_open_interest_totals_the_exchanges(replay):
    table = intel.open_interest_table()
    btc = next(r for r in table["rows"] if r["symbol"] == BTC)
    assert btc["total_value"] == pytest.approx(sum(q["value"] for q in btc["by_exchange"].values() if q))
    assert table["rows"][0]["total_value"] >= table["rows"][-1]["total_value"]


def test_top_coins_pages_sorts_searches_and_shows_live_prices(replay):
    page = intel.top_coins(page=2, per_page=20)
    assert page["source"] == "coingecko-replay" and page["total"] == 500 and page["pages"] == 25
    assert [c["rank"] for c in page["results"]] == list(range(21, 41))
    by_cap = intel.top_coins(per_page=5, sort="-market_cap")["results"]
    assert [c["rank"] for c in by_cap] == [1, 2, 3, 4, 5]
    cheapest = intel.top_coins(per_page=3, sort="price")["results"]
    assert cheapest[0]["price"] <= cheapest[1]["price"] <= cheapest[2]["price"]
    [pepe] = intel.top_coins(query="PEPE")["results"]
    last = float(snapshots.tickers(snapshots.exchanges()[0]).data["1000PEPE/USDT:USDT"].last)
    assert pepe["live"] and pepe["price"] == pytest.approx(last / 1000)
    assert not intel.top_coins(query="olympus")["results"][0]["live"]
    assert intel.top_coins(per_page=1000)["per_page"] == 250
    assert intel.top_coins(page=999, per_page=250)["page"] == 2  # clamped to the last page (500 / 250)
    with pytest.raises(ValueError, match="Unknown sort"):
        intel.top_coins(sort="popularity")


def test_fear_and_greed_in_replay_comes_from_the_fixture_cycle(replay):
    widget = intel.fear_greed()
    assert widget["source"] == "alternative.me-replay" and widget["demo"]
    assert 0 <= widget["value"] <= 100 and len(widget["history"]) == 30
    assert widget["history"][-1]["value"] == widget["value"]


def _candles(start: datetime, step: timedelta, rows: list[tuple[float, float, float, float, float]]) -> list[Candle]:
    return [
        Candle(start + i * step, *(Decimal(repr(v)) for v in row))  # open, high, low, close, volume
        for i, row in enumerate(rows)
    ]


def test_liquidation_heatmap_seeds_from_candles_and_sweeps_what_price_traded_through(replay):
    exchange = candle_exchanges()[0]
    for ex in snapshots.exchanges():
        put_snapshot("open_interest", ex, {})
    put_snapshot("open_interest", exchange, {BTC: OpenInterest(exchange, BTC, None, Decimal("1000"), None)})
    put_snapshot("tickers", exchange, {BTC: Ticker(exchange, BTC, Decimal("100"), None, None, None, None, None, None)})
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    put_snapshot(
        "liquidations",
        ALL_EXCHANGES,
        [Liquidation("okx", BTC, "long", Decimal("99.6"), Decimal("2"), Decimal("199.2"), now)],
    )
    seed_start = now - timedelta(hours=2)
    candles_upsert(exchange, BTC, "15m", _candles(seed_start, timedelta(minutes=15), [(100, 100, 100, 100, 1)] * 4))

    heatmap = intel.liquidation_heatmap(BTC)
    assert heatmap["bin_width"] == 0.25 and heatmap["price"] == 100
    bins = {p: (long_, short) for p, long_, short in heatmap["bins"]}
    # Open interest 1000 opened at 100 over the tiers 10/15/25/25/25 %: longs at P(1 - 1/L + 0.005).
    assert {p: v[0] for p, v in bins.items() if v[0]} == pytest.approx(
        {80.5: 100.0, 90.5: 150.0, 96.5: 250.0, 98.5: 250.0, 99.5: 250.0}
    )
    assert {p: v[1] for p, v in bins.items() if v[1]} == pytest.approx(
        {100.5: 250.0, 101.5: 250.0, 103.5: 250.0, 109.5: 150.0, 119.5: 100.0}
    )
    assert heatmap["cleared_share"]["down_10pct"] == pytest.approx(0.90)
    assert heatmap["events"] == [[99.5, pytest.approx(199.2), 0.0]]
    assert "P(1 - 1/L + mmr)" in heatmap["model"]["description"]

    # A minute later price dipped to 98.4: the 50x and 100x longs are gone.
    after_seed = seed_start + timedelta(hours=1)
    candles_upsert(exchange, BTC, "1m", _candles(after_seed, timedelta(minutes=1), [(100, 100.2, 98.4, 99.8, 1)]))
    cache.delete(f"market:intel:heatmap:{BTC}")
    swept = intel.liquidation_heatmap(BTC)
    longs = {p for p, long_, _ in swept["bins"] if long_}
    assert longs == {80.5, 90.5, 96.5}
    assert [(s["side"], s["price"]) for s in swept["swept"]] == [("long", 98.5), ("long", 99.5)]
    assert stored_widgets.liquidation_map_for(BTC).cleared_share(100.0, 90.0) == pytest.approx((15 + 25) / 50)


def test_liquidation_heatmap_refuses_unknown_symbols(replay):
    with pytest.raises(errors.InvalidRequest, match="Unknown symbol"):
        intel.liquidation_heatmap("NOPE/USDT:USDT")


def test_altcoin_season_reads_our_daily_candles(replay):
    exchange = candle_exchanges()[0]
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=100)

    def daily(first: float, last: float) -> list[Candle]:
        closes = [first + (last - first) * i / 99 for i in range(100)]
        return _candles(start, timedelta(days=1), [(c, c, c, c, 1.0) for c in closes])

    coins = [
        {"symbol": "BTC", "name": "Bitcoin", "market_cap": 1e12},
        {"symbol": "USDT", "name": "Tether", "market_cap": 9e11},
        {"symbol": "ETH", "name": "Ethereum", "market_cap": 5e11},
        {"symbol": "SOL", "name": "Solana", "market_cap": 1e11},
        {"symbol": "PEPE", "name": "Pepe", "market_cap": 5e10},
        {"symbol": "DOGE", "name": "Dogecoin", "market_cap": 4e10},
        {"symbol": "XLM", "name": "Stellar", "market_cap": 3e10},  # no perpetual in the universe
    ]
    cache.set("market:intel:top_coins", {"coins": coins, "source": "coingecko-replay", "stale_since": None}, 600)
    candles_upsert(exchange, BTC, "1d", daily(100, 110))  # BTC +10 %
    candles_upsert(exchange, "ETH/USDT:USDT", "1d", daily(100, 130))  # beats
    candles_upsert(exchange, "SOL/USDT:USDT", "1d", daily(100, 125))  # beats
    candles_upsert(exchange, "1000PEPE/USDT:USDT", "1d", daily(100, 90))  # lags (read as PEPE)
    candles_upsert(exchange, "DOGE/USDT:USDT", "1d", daily(100, 150)[:-5])  # ends 5 days ago: not used

    widget = intel.altcoin_season()
    ninety = widget["windows"]["90"]
    assert widget["universe"] == ["ETH", "SOL", "PEPE", "DOGE", "XLM"] and widget["excluded"]["USDT"] == "stablecoin"
    assert (ninety["beat"], ninety["counted"]) == (2, 3) and sorted(ninety["missing"]) == ["DOGE", "XLM"]
    assert widget["index"] == 67 and widget["label"] == "Neutral"
    assert ninety["bitcoin_return_pct"] == pytest.approx(100 * (110 / (100 + 10 * 9 / 99) - 1), rel=1e-6)
    assert widget["source"] == f"coingecko-replay + {exchange} daily candles"


def test_refreshes_push_compact_updates_to_their_groups(replay, listen, django_capture_on_commit_callbacks):
    groups = {name: listen(group) for name, group in intel.GROUPS.items() if name != "liquidations"}
    with django_capture_on_commit_callbacks(execute=True):
        intel.funding_refresh()
        intel.long_short_refresh()
        intel.open_interest_refresh()
        intel.fear_greed_refresh()
        intel.top_coins_refresh()
        intel.altcoin_season_refresh()
        intel.arbitrage_refresh()
    for name, listener in groups.items():
        events = listener.events()
        assert [e["type"] for e in events] == [name], name
