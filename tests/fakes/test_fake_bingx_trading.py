"""Trading on the fake BingX through real ccxt: hedge mode, attached stops, fills, fees, PnL, refusals."""

from __future__ import annotations

import itertools
from decimal import Decimal

import ccxt
import pytest

from tests.fakes.bingx import ccxt_client

BTC = "BTC/USDT:USDT"


@pytest.fixture
def trader(fake_bingx):
    acct = fake_bingx.add_account(uid="1001", balances={"USDT": "1000"})
    ex = ccxt_client(fake_bingx, acct)
    ex.load_markets()
    return ex


def test_new_accounts_are_in_hedge_mode(fake_bingx, trader):
    assert trader.fetch_position_mode()["hedged"] is True
    with pytest.raises(ccxt.BadRequest, match="109400"):
        trader.create_order(BTC, "market", "buy", 0.001)  # one-way order (positionSide=BOTH)
    assert fake_bingx.orders("1001") == []


def test_market_order_with_stops_fills_at_mark_and_stop_loss_closes(fake_bingx, trader):
    trader.set_leverage(10, BTC, {"side": "LONG"})
    created = trader.create_order(
        BTC,
        "market",
        "buy",
        0.01,
        None,
        {
            "hedged": True,
            "clientOrderId": "Sig-42-A",
            "stopLoss": {"triggerPrice": 63000},
            "takeProfit": {"triggerPrice": 70000},
        },
    )
    assert created["status"] is None  # BingX's order answer carries no status
    assert created["clientOrderId"] == "sig-42-a"  # lower-cased by BingX
    order = trader.fetch_order(created["id"], BTC)
    assert order["status"] == "closed"
    assert order["average"] == 65000.0 and order["filled"] == 0.01
    assert order["fee"]["cost"] == pytest.approx(0.325)  # 650 USDT notional * 0.0005
    assert order["stopLossPrice"] == 63000.0 and order["takeProfitPrice"] == 70000.0

    stops = trader.fetch_open_orders(BTC)
    kinds = sorted((o["info"]["type"], o["side"], o["info"]["positionSide"], o["amount"]) for o in stops)
    assert kinds == [("STOP_MARKET", "sell", "LONG", 0.01), ("TAKE_PROFIT_MARKET", "sell", "LONG", 0.01)]

    [position] = trader.fetch_positions([BTC])
    assert position["side"] == "long" and position["contracts"] == 0.01
    assert position["entryPrice"] == 65000.0 and position["leverage"] == 10
    assert position["initialMargin"] == 65.0
    balance = trader.fetch_balance()["USDT"]
    assert balance["used"] == 65.0 and balance["free"] == pytest.approx(1000 - 0.325 - 65)

    fake_bingx.set_mark_price("BTC-USDT", Decimal("64000"))  # not through the stop yet
    assert trader.fetch_positions()[0]["unrealizedPnl"] == pytest.approx(-10.0)
    triggered = fake_bingx.set_mark_price("BTC-USDT", Decimal("62900"))
    assert [o["type"] for o in triggered] == ["STOP_MARKET"]

    assert trader.fetch_positions() == []
    assert trader.fetch_open_orders(BTC) == []  # the take profit went with the position
    by_type = {o["type"]: o for o in fake_bingx.orders("1001")}
    assert by_type["STOP_MARKET"]["status"] == "FILLED"
    assert by_type["STOP_MARKET"]["avgPrice"] == "62900.0"
    assert Decimal(by_type["STOP_MARKET"]["profit"]) == Decimal("-21")  # (62900 - 65000) * 0.01
    assert by_type["TAKE_PROFIT_MARKET"]["status"] == "CANCELLED"
    fees = Decimal("0.325") + Decimal("0.3145")
    assert trader.fetch_balance()["USDT"]["total"] == pytest.approx(float(1000 - 21 - fees))


def test_take_profit_on_a_short(fake_bingx, trader):
    trader.create_order(
        BTC,
        "market",
        "sell",
        0.01,
        None,
        {"hedged": True, "stopLoss": {"triggerPrice": 66000}, "takeProfit": {"triggerPrice": 60000}},
    )
    [position] = trader.fetch_positions()
    assert position["side"] == "short"
    fake_bingx.set_mark_price("BTC-USDT", 59950)
    assert trader.fetch_positions() == []
    tp = next(o for o in fake_bingx.orders("1001") if o["type"] == "TAKE_PROFIT_MARKET")
    assert tp["status"] == "FILLED" and tp["side"] == "BUY" and tp["positionSide"] == "SHORT"
    assert Decimal(tp["profit"]) == Decimal("50.5")  # (65000 - 59950) * 0.01


@pytest.mark.parametrize(
    ("side", "stops", "code"),
    [
        ("buy", {"stopLoss": {"triggerPrice": 65500}}, "110411"),
        ("buy", {"takeProfit": {"triggerPrice": 64000}}, "110413"),
        ("sell", {"stopLoss": {"triggerPrice": 64000}}, "110412"),
    ],
)
def test_stop_on_the_wrong_side_of_the_mark_is_refused(fake_bingx, trader, side, stops, code):
    with pytest.raises(ccxt.ExchangeError, match=code):
        trader.create_order(BTC, "market", side, 0.01, None, {"hedged": True, **stops})
    assert fake_bingx.orders("1001") == [] and fake_bingx.positions("1001") == []


def test_duplicate_client_order_id_is_refused_and_one_order_stands(fake_bingx, trader):
    trader.create_order(BTC, "market", "buy", 0.001, None, {"hedged": True, "clientOrderId": "dup-1"})
    with pytest.raises(ccxt.DuplicateOrderId, match="101481"):
        trader.create_order(BTC, "market", "buy", 0.001, None, {"hedged": True, "clientOrderId": "DUP-1"})
    assert len(fake_bingx.orders("1001")) == 1


def test_insufficient_margin(fake_bingx, trader):
    # 0.1 BTC = 6500 USDT at 5x (the default leverage) needs 1300 + fees > 1000
    with pytest.raises(ccxt.InsufficientFunds, match="101204"):
        trader.create_order(BTC, "market", "buy", 0.1, None, {"hedged": True})
    assert fake_bingx.orders("1001") == []
    trader.set_leverage(20, BTC, {"side": "LONG"})
    trader.create_order(BTC, "market", "buy", 0.1, None, {"hedged": True})  # 325 + 3.25 fits
    assert fake_bingx.positions("1001")[0]["leverage"] == 20


def test_fetch_order_by_client_order_id(fake_bingx, trader):
    created = trader.create_order(BTC, "market", "buy", 0.001, None, {"hedged": True, "clientOrderId": "abc-1"})
    # ccxt's fetch_order(None, ...) sends orderId=None, which BingX cannot parse
    with pytest.raises(ccxt.BadRequest, match="109400"):
        trader.fetch_order(None, BTC, {"clientOrderId": "abc-1"})
    answer = trader.swapV2PrivateGetTradeOrder({"symbol": "BTC-USDT", "clientOrderId": "ABC-1"})
    assert str(answer["data"]["order"]["orderId"]) == created["id"]
    assert trader.parse_order(answer["data"]["order"])["status"] == "closed"
    with pytest.raises(ccxt.OrderNotFound, match="80016"):
        trader.swapV2PrivateGetTradeOrder({"symbol": "BTC-USDT", "clientOrderId": "nope"})
    with pytest.raises(ccxt.OrderNotFound, match="80016"):
        trader.fetch_order("1234567890123456789", BTC)


def test_close_with_reduce_only_and_cancel(fake_bingx, trader):
    trader.create_order(BTC, "market", "buy", 0.002, None, {"hedged": True, "stopLoss": {"triggerPrice": 60000}})
    [stop] = trader.fetch_open_orders(BTC)
    cancelled = trader.cancel_order(stop["id"], BTC)
    assert cancelled["status"] == "canceled"
    assert trader.fetch_open_orders(BTC) == []
    # cancelling twice or an unknown order: BingX's codes are not in ccxt's table -> plain ExchangeError
    with pytest.raises(ccxt.ExchangeError, match="80018") as info:
        trader.cancel_order(stop["id"], BTC)
    assert not isinstance(info.value, ccxt.OrderNotFound)
    with pytest.raises(ccxt.ExchangeError, match="109414"):
        trader.cancel_order("1234567890123456789", BTC)
    fake_bingx.set_mark_price("BTC-USDT", 66000)
    with pytest.raises(ccxt.BadRequest, match="reduceOnly"):  # without hedged=True ccxt sends reduceOnly
        trader.create_order(BTC, "market", "sell", 0.002, None, {"positionSide": "LONG", "reduceOnly": True})
    closing = trader.create_order(BTC, "market", "sell", 0.002, None, {"hedged": True, "reduceOnly": True})
    assert fake_bingx.orders("1001")[-1]["positionSide"] == "LONG"
    assert trader.fetch_order(closing["id"], BTC)["info"]["profit"] == "2.0000"
    assert trader.fetch_positions() == []
    with pytest.raises(ccxt.InvalidOrder, match="101205"):
        trader.create_order(BTC, "market", "sell", 0.002, None, {"hedged": True, "reduceOnly": True})


def test_position_mode_margin_mode_and_leverage(fake_bingx, trader):
    trader.set_margin_mode("isolated", BTC)
    assert trader.swapV2PrivateGetTradeMarginType({"symbol": "BTC-USDT"})["data"]["marginType"] == "ISOLATED"
    with pytest.raises(ccxt.BadRequest, match="109400"):
        trader.set_leverage(5, BTC, {"side": "BOTH"})  # hedge mode wants LONG or SHORT
    trader.set_leverage(7, BTC, {"side": "SHORT"})
    assert trader.fetch_leverage(BTC)["shortLeverage"] == 7
    with pytest.raises(ccxt.ExchangeError, match="101414"):
        trader.set_leverage(200, BTC, {"side": "LONG"})
    trader.create_order(BTC, "market", "sell", 0.001, None, {"hedged": True})
    with pytest.raises(ccxt.BadRequest, match="the account has positions or pending orders"):
        trader.set_position_mode(False)
    with pytest.raises(ccxt.BadRequest, match="the account has positions or pending orders"):
        trader.set_margin_mode("cross", BTC)
    assert trader.fetch_positions()[0]["marginMode"] == "isolated"
    trader.create_order(BTC, "market", "buy", 0.001, None, {"hedged": True, "reduceOnly": True})
    trader.set_position_mode(False)
    assert trader.fetch_position_mode()["hedged"] is False
    with pytest.raises(ccxt.BadRequest, match="109400"):
        trader.create_order(BTC, "market", "buy", 0.001, None, {"hedged": True})
    trader.create_order(BTC, "market", "buy", 0.001, None, {"stopLoss": {"triggerPrice": 64000}})
    [position] = trader.fetch_positions()
    assert position["side"] == "long" and position["info"]["onlyOnePosition"] is True
    [stop] = trader.fetch_open_orders(BTC)
    assert stop["info"]["positionSide"] == "BOTH" and stop["side"] == "sell"


def test_minimum_order_size(fake_bingx, trader):
    with pytest.raises(ccxt.InvalidOrder, match="101400"):
        trader.swapV2PrivatePostTradeOrder(
            {"symbol": "BTC-USDT", "side": "BUY", "positionSide": "LONG", "type": "MARKET", "quantity": "0.00001"}
        )


def test_public_market_data(fake_bingx, trader):
    fake_bingx.set_mark_price("ETH-USDT", "3456.78")
    ticker = trader.fetch_ticker("ETH/USDT:USDT")
    assert ticker["last"] == 3456.78 and ticker["bid"] < ticker["ask"]
    assert set(trader.fetch_tickers()) >= {BTC, "ETH/USDT:USDT", "SOL/USDT:USDT"}
    book = trader.fetch_order_book(BTC, 10)
    assert len(book["bids"]) == 10 and book["bids"][0][0] < book["asks"][0][0]
    candles = trader.fetch_ohlcv(BTC, "5m", limit=50)
    assert len(candles) == 50 and candles[-1][4] == 65000.0
    assert all(b[0] - a[0] == 300_000 for a, b in itertools.pairwise(candles))
    since = candles[10][0]
    assert trader.fetch_ohlcv(BTC, "5m", since=since, limit=5)[0][0] == since
    rate = trader.fetch_funding_rate(BTC)
    assert rate["fundingRate"] == 0.0001 and rate["markPrice"] == 65000.0 and rate["interval"] == "8h"
    assert set(trader.fetch_funding_rates([BTC, "ETH/USDT:USDT"])) == {BTC, "ETH/USDT:USDT"}
    assert trader.fetch_open_interest(BTC)["openInterestValue"] > 0
    assert abs(trader.fetch_time() - trader.milliseconds()) < 5000


def test_limit_orders_rest_and_fill_when_the_mark_crosses(fake_bingx, trader):
    resting = trader.create_order(BTC, "limit", "buy", 0.001, 64000, {"hedged": True})
    [open_order] = trader.fetch_open_orders(BTC)
    assert open_order["id"] == resting["id"] and open_order["price"] == 64000.0
    balance = trader.fetch_balance()
    assert balance["info"]["data"][0]["freezedMargin"] == "12.8000"  # 64 USDT at 5x, not in ccxt's "used"
    assert balance["USDT"]["free"] == pytest.approx(987.2)
    fake_bingx.set_mark_price("BTC-USDT", 63950)
    filled = trader.fetch_order(resting["id"], BTC)
    assert filled["status"] == "closed" and filled["average"] == 64000.0
    assert filled["fee"]["cost"] == pytest.approx(64 * 0.0002)  # maker
    marketable = trader.create_order(BTC, "limit", "buy", 0.001, 70000, {"hedged": True})
    assert trader.fetch_order(marketable["id"], BTC)["average"] == 63950.0
    assert trader.fetch_positions()[0]["contracts"] == 0.002


def test_fills_for_fetch_my_trades(fake_bingx, trader):
    created = trader.create_order(BTC, "market", "buy", 0.002, None, {"hedged": True, "clientOrderId": "f-1"})
    trades = trader.fetch_my_trades(BTC, params={"tradingUnit": "COIN"})
    assert [(t["order"], t["amount"], t["price"]) for t in trades] == [(created["id"], 0.002, 65000.0)]
    assert trades[0]["fee"]["cost"] == pytest.approx(0.065)
    # ccxt's default unit is CONT: contract sheets of the listing's size (0.0001 BTC), not coins
    assert trader.fetch_my_trades(BTC)[0]["amount"] == 20.0
