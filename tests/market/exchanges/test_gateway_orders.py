"""Orders, positions and trading settings on the fake BingX, through real ccxt."""

from __future__ import annotations

from decimal import Decimal

import pytest

from market import exchanges
from market.exchanges import ApiCredentials

from .conftest import BTC

MARK = Decimal("65000")


def test_position_mode_is_read_and_switched(gateway, creds):
    assert exchanges.position_mode(creds) == "hedge"

    exchanges.set_position_mode(creds, "one-way")

    assert exchanges.position_mode(creds) == "one-way"
    assert gateway.account("1001").position_mode == "oneway"


def test_leverage_is_set_per_side(gateway, creds):
    exchanges.set_leverage(creds, BTC, 10, "long")
    exchanges.set_leverage(creds, BTC, 7, "short")

    account = gateway.account("1001")
    assert account.leverage[("BTC-USDT", "LONG")] == 10
    assert account.leverage[("BTC-USDT", "SHORT")] == 7


def test_leverage_must_be_a_whole_number(creds):
    with pytest.raises(exchanges.InvalidRequest):
        exchanges.set_leverage(creds, BTC, 2.5, "long")


def test_leverage_beyond_the_contracts_maximum_is_refused_with_bingxs_reason(creds):
    with pytest.raises(exchanges.InvalidRequest, match="maximum leverage"):
        exchanges.set_leverage(creds, BTC, 500, "long")


def test_margin_mode_is_set(gateway, creds):
    exchanges.set_margin_mode(creds, BTC, "isolated")

    assert gateway.account("1001").margin_type["BTC-USDT"] == "ISOLATED"


def test_a_market_order_with_stops_is_filled_and_reported_with_its_fill(gateway, creds):
    order = exchanges.place_market_order(
        creds, BTC, "buy", Decimal("0.01"), stop_loss=Decimal("60000"), take_profit=Decimal("70000")
    )

    assert order.status == "closed"  # create_order alone says nothing: the gateway read the fill
    assert order.filled == Decimal("0.01")
    assert order.average_price == MARK
    assert order.side == "buy" and order.position_side == "long"
    assert order.client_order_id == order.client_order_id.lower()
    [position] = exchanges.positions(creds)
    assert (position.symbol, position.side, position.contracts) == (BTC, "long", Decimal("0.01"))
    stops = {o.type: o for o in exchanges.open_orders(creds, BTC)}
    assert set(stops) == {"stop_market", "take_profit_market"}
    assert stops["stop_market"].stop_loss_price == Decimal("60000")
    assert stops["take_profit_market"].take_profit_price == Decimal("70000")
    assert all(o.side == "sell" and o.position_side == "long" for o in stops.values())


def test_a_stop_on_the_wrong_side_of_the_mark_price_is_rejected_with_the_reason(gateway, creds):
    with pytest.raises(exchanges.OrderRejected) as caught:
        exchanges.place_market_order(creds, BTC, "buy", Decimal("0.01"), stop_loss=Decimal("70000"))

    assert "Stop Loss" in caught.value.reason
    assert gateway.orders("1001") == []


def test_an_order_beyond_the_margin_is_insufficient_funds(creds):
    with pytest.raises(exchanges.InsufficientFunds):
        exchanges.place_market_order(creds, BTC, "buy", Decimal("10"))


def test_the_client_order_id_is_lower_case_and_derived_from_the_idempotency_key(gateway, creds):
    order = exchanges.place_market_order(creds, BTC, "sell", Decimal("0.001"), idempotency_key="Signal-42/User-7")

    assert order.client_order_id == exchanges.client_order_id("Signal-42/User-7")
    assert order.client_order_id == order.client_order_id.lower()
    [sent] = gateway.requests_to("/openApi/swap/v2/trade/order", "POST")
    assert sent["clientOrderID"] == order.client_order_id


def test_a_given_client_order_id_is_sent_lower_case(gateway, creds):
    order = exchanges.place_market_order(creds, BTC, "buy", Decimal("0.001"), client_order_id="MyOrder-1")

    assert order.client_order_id == "myorder-1"


def test_the_same_idempotency_key_never_places_twice(gateway, creds):
    first = exchanges.place_market_order(creds, BTC, "buy", Decimal("0.002"), idempotency_key="signal-9")
    again = exchanges.place_market_order(creds, BTC, "buy", Decimal("0.002"), idempotency_key="signal-9")

    assert again.id == first.id
    assert [o["type"] for o in gateway.orders("1001")] == ["MARKET"]


def test_one_way_mode_orders_and_reduce_only_close(gateway):
    account = gateway.add_account(uid="1002", balances={"USDT": "1000"}, position_mode="oneway")
    creds = ApiCredentials(api_key=account.api_key, secret=account.secret)

    exchanges.place_market_order(creds, BTC, "sell", Decimal("0.003"))
    [position] = exchanges.positions(creds)
    assert (position.side, position.contracts) == ("short", Decimal("0.003"))

    closing = exchanges.close_position(creds, BTC, "short")

    assert closing.status == "closed" and closing.side == "buy"
    assert exchanges.positions(creds) == []


def test_fetch_order_by_id_by_client_id_and_a_missing_one(creds):
    placed = exchanges.place_market_order(creds, BTC, "buy", Decimal("0.001"))

    assert exchanges.fetch_order(creds, BTC, order_id=placed.id).id == placed.id
    assert exchanges.fetch_order(creds, BTC, client_order_id=placed.client_order_id.upper()).id == placed.id
    assert exchanges.fetch_order(creds, BTC, client_order_id="fxdoesnotexist") is None
    with pytest.raises(exchanges.InvalidRequest):
        exchanges.fetch_order(creds, BTC)


def test_cancel_an_open_order_and_again(creds):
    exchanges.place_market_order(creds, BTC, "buy", Decimal("0.001"), stop_loss=Decimal("60000"))
    [stop] = exchanges.open_orders(creds, BTC)

    cancelled = exchanges.cancel_order(creds, BTC, order_id=stop.id)
    again = exchanges.cancel_order(creds, BTC, order_id=stop.id)

    assert cancelled.status == "canceled" and again.status == "canceled"
    assert exchanges.open_orders(creds, BTC) == []


def test_cancelling_a_filled_order_is_refused(creds):
    placed = exchanges.place_market_order(creds, BTC, "buy", Decimal("0.001"))

    with pytest.raises((exchanges.OrderRejected, exchanges.InvalidRequest)):
        exchanges.cancel_order(creds, BTC, order_id=placed.id)


def test_positions_in_hedge_mode_and_a_partial_then_full_close(gateway, creds):
    exchanges.place_market_order(creds, BTC, "buy", Decimal("0.01"))
    exchanges.place_market_order(creds, BTC, "sell", Decimal("0.004"))
    assert {(p.side, p.contracts) for p in exchanges.positions(creds, BTC)} == {
        ("long", Decimal("0.01")),
        ("short", Decimal("0.004")),
    }

    partial = exchanges.close_position(creds, BTC, "long", Decimal("0.004"))
    assert partial.reduce_only or partial.position_side == "long"
    exchanges.close_position(creds, BTC, "long")

    assert [(p.side, p.contracts) for p in exchanges.positions(creds)] == [("short", Decimal("0.004"))]
    assert exchanges.close_position(creds, BTC, "long") is None  # nothing left to close


def test_an_unknown_symbol_is_an_invalid_request(creds):
    with pytest.raises(exchanges.InvalidRequest):
        exchanges.place_market_order(creds, "NOPE/USDT:USDT", "buy", Decimal("1"))


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-1"), 1.5])
def test_an_amount_must_be_a_positive_decimal(creds, amount):
    with pytest.raises(exchanges.InvalidRequest):
        exchanges.place_market_order(creds, BTC, "buy", amount)
