"""Provider parsers against the fixture answers (the providers' real response shapes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import ccxt.pro
import pytest

from market.providers.alternative_me import parse_fng
from market.providers.base import ProviderMalformed, ProviderRefused
from market.providers.binance_liquidations import event_from_ccxt
from market.providers.coingecko import parse_markets
from market.providers.coinglass import parse_liquidation_history
from market.providers.replay import fng_answer, moved_markets
from tests.market.intel.conftest import BINANCE_MARKETS, fixture_json


def test_coingecko_pages_parse_into_500_ranked_coins():
    coins = parse_markets(fixture_json("coingecko_markets_page1.json")) + parse_markets(
        fixture_json("coingecko_markets_page2.json")
    )
    assert len(coins) == 500
    assert [c.rank for c in coins] == list(range(1, 501))
    btc = coins[0]
    assert (btc.id, btc.symbol, btc.name) == ("bitcoin", "BTC", "Bitcoin")
    assert btc.price == 97000.0 and btc.market_cap > 1e12 and btc.circulating_supply == 19_812_000
    assert btc.change_7d_pct is not None and btc.last_updated.endswith("Z")
    assert all(c.symbol == c.symbol.upper() for c in coins)
    assert sorted(c.market_cap for c in coins) == [c.market_cap for c in reversed(coins)]


def test_coingecko_error_body_and_wrong_shapes_are_refused():
    with pytest.raises(ProviderRefused, match="exceeded the Rate Limit"):
        parse_markets({"status": {"error_code": 429, "error_message": "You've exceeded the Rate Limit."}})
    with pytest.raises(ProviderMalformed):
        parse_markets({"coins": []})
    with pytest.raises(KeyError):  # a row without its id: the provider turns this into ProviderMalformed
        parse_markets([{"symbol": "btc", "name": "Bitcoin"}])


def test_fear_and_greed_parses_value_classification_and_history_oldest_first():
    received = datetime(2025, 1, 15, 12, tzinfo=UTC)
    fg = parse_fng(fixture_json("alternative_me_fng.json"), received)
    newest = fixture_json("alternative_me_fng.json")["data"][0]
    assert fg.value == int(newest["value"]) and fg.classification == newest["value_classification"]
    assert fg.time == datetime(2025, 1, 15, tzinfo=UTC)
    assert fg.next_update == received + timedelta(seconds=43200)
    assert len(fg.history) == 365 and fg.history[-1].time == fg.time
    assert all(a.time < b.time for a, b in zip(fg.history, fg.history[1:], strict=False))
    assert all(0 <= p.value <= 100 for p in fg.history)


def test_fear_and_greed_reports_the_metadata_error():
    with pytest.raises(ProviderRefused, match="Limit must be"):
        parse_fng({"name": "Fear and Greed Index", "data": [], "metadata": {"error": "Limit must be a number"}})
    with pytest.raises(ProviderMalformed):
        parse_fng({"name": "Fear and Greed Index", "data": [], "metadata": {"error": None}})


def test_coinglass_liquidation_history_parses_long_and_short_usd():
    buckets = parse_liquidation_history(fixture_json("coinglass_liquidation_aggregated_history.json"))
    raw = fixture_json("coinglass_liquidation_aggregated_history.json")["data"][0]
    assert len(buckets) == 48
    assert buckets[0].time == datetime.fromtimestamp(raw["time"] / 1000, tz=UTC)
    assert buckets[0].long_usd == pytest.approx(raw["aggregated_long_liquidation_usd"])
    assert buckets[0].short_usd == pytest.approx(raw["aggregated_short_liquidation_usd"])
    with pytest.raises(ProviderRefused, match="API key missing"):
        parse_liquidation_history({"code": "30001", "msg": "API key missing"})


def test_binance_force_orders_go_through_ccxts_own_parser_and_a_forced_sell_is_a_long_liquidation():
    client = ccxt.pro.binanceusdm()
    client.set_markets(BINANCE_MARKETS)
    messages = fixture_json("binance_force_orders.json")
    events = [event_from_ccxt(client.parse_ws_liquidation(m["o"])) for m in messages]
    for message, event in zip(messages, events, strict=True):
        order = message["o"]
        assert event["symbol"] == f"{order['s'][:-4]}/USDT:USDT"
        assert event["side"] == {"SELL": "long", "BUY": "short"}[order["S"]]
        assert event["price"] == pytest.approx(float(order["ap"]))  # the average fill, not the limit
        assert event["amount"] == pytest.approx(float(order["l"]))
        assert event["value"] == pytest.approx(float(order["ap"]) * float(order["l"]))
        assert event["time"] == order["T"] / 1000
    assert event_from_ccxt({"side": None, "price": 1.0, "contracts": 1.0, "timestamp": 1}) is None


def test_replay_answers_keep_the_real_shapes_and_move_with_the_clock():
    rows = fixture_json("coingecko_markets_page1.json")
    t = datetime(2026, 3, 1, 12, tzinfo=UTC).timestamp()
    now, later = moved_markets(rows, t), moved_markets(rows, t + 600)
    assert set(now[0]) == set(rows[0])  # the same fields, so the live parser reads them
    assert parse_markets(now)[0].price != parse_markets(later)[0].price
    btc = next(r for r in now if r["id"] == "bitcoin")
    assert btc["current_price"] == pytest.approx(97000, rel=0.05)
    usdt = next(r for r in now if r["id"] == "tether")
    assert usdt["current_price"] == pytest.approx(1.0, abs=0.002)
    answer = fng_answer(t, 7)
    fg = parse_fng(answer, datetime.fromtimestamp(t, tz=UTC))
    assert len(fg.history) == 7 and fg.time == datetime(2026, 3, 1, tzinfo=UTC)
    assert fg.next_update == datetime(2026, 3, 2, tzinfo=UTC)
    assert parse_fng(fng_answer(t + 86400, 7)).history[-2].value == fg.value  # yesterday is today's value
