"""Reduce-only stop-loss / take-profit trigger orders for part of a position (the partial-target plan)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from market import exchanges

from .conftest import BTC


@pytest.mark.parametrize("mode", ["hedge", "one-way"])
def test_a_take_profit_for_half_the_position_closes_half_when_the_mark_crosses(gateway, creds, mode):
    exchanges.set_position_mode(creds, mode)
    exchanges.place_market_order(creds, BTC, "buy", Decimal("0.02"), stop_loss=Decimal("60000"))

    tp = exchanges.place_protective_order(
        creds, BTC, "long", Decimal("0.01"), Decimal("66000"), "take_profit", idempotency_key="t1:tp1"
    )
    again = exchanges.place_protective_order(
        creds, BTC, "long", Decimal("0.01"), Decimal("66000"), "take_profit", idempotency_key="t1:tp1"
    )

    assert again.id == tp.id and tp.status == "open" and tp.type == "take_profit_market"
    gateway.set_mark_price("BTC-USDT", Decimal("66100"))
    (position,) = exchanges.positions(creds, BTC)
    assert position.contracts == Decimal("0.01")
    done = exchanges.fetch_order(creds, BTC, client_order_id=tp.client_order_id)
    assert done.status == "closed" and done.average_price == Decimal("66100")


def test_a_stop_for_a_short_and_bad_arguments(gateway, creds):
    exchanges.place_market_order(creds, BTC, "sell", Decimal("0.01"))
    stop = exchanges.place_protective_order(creds, BTC, "short", Decimal("0.01"), Decimal("65000.5"), "stop_loss")
    assert stop.type == "stop_market" and stop.position_side == "short"
    gateway.set_mark_price("BTC-USDT", Decimal("65100"))
    assert exchanges.positions(creds, BTC) == []
    with pytest.raises(exchanges.InvalidRequest):
        exchanges.place_protective_order(creds, BTC, "long", Decimal("1"), Decimal("1"), "trailing")
