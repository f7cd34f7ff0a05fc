"""Signal -> sized BingX order with its stop and target -> the mark moves -> the stop or target fills ->
the position sync closes the trade with the real exit, fees and PnL. Hedge and one-way accounts."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from market import exchanges
from trading.models import Trade
from trading.services.execution import signal_execute, trade_close
from trading.services.monitoring import positions_sync

from .conftest import fresh_signal, live_profile

pytestmark = pytest.mark.django_db(transaction=False)


def entries(fake, trade):
    return [o for o in fake.orders("1001") if o["clientOrderId"] == trade.client_order_id]


@pytest.mark.parametrize("mode", ["hedge", "one-way"])
def test_take_profit_closes_the_trade_with_its_pnl(gateway, trader, mode):
    if mode == "one-way":
        gateway.account("1001").position_mode = "oneway"
    trade = signal_execute(trader, signal=fresh_signal())

    assert trade.status == Trade.Status.OPEN, trade.failure_reason
    # 1 % of 1000 USDT over 1012.9 (1000 + 1 bp slippage each way) + 64.5 (0.05 % fees) per BTC -> 0.0092 BTC
    assert trade.size == D("0.0092") and trade.entry_price == D("65000") and trade.leverage == 1
    assert trade.risk_amount <= D("10") and trade.equity_at_entry == D("1000")
    (entry,) = entries(gateway, trade)
    assert entry["stopLoss"]["stopPrice"] == 64000 and entry["takeProfit"]["stopPrice"] == 67000
    assert entry["positionSide"] == ("LONG" if mode == "hedge" else "BOTH")

    gateway.set_mark_price("BTC-USDT", D("67010"))
    positions_sync(trader)
    trade.refresh_from_db()

    assert trade.status == Trade.Status.CLOSED and trade.close_reason == "TP"
    assert trade.exit_price == D("67010")
    fees = D("0.0092") * (D("65000") + D("67010")) * D("0.0005")
    assert trade.fees == fees.quantize(D("0.00000001"))
    assert trade.pnl == (D("0.0092") * D("2010") - fees).quantize(D("0.00000001"))
    assert trade.r_multiple > D("1.8")
    assert exchanges.positions  # (the fake has no position left)
    assert gateway.positions("1001") == []


def test_stop_loss_closes_a_short_with_a_loss_within_the_risk(
    gateway, trader, pushes, django_capture_on_commit_callbacks
):
    trade = signal_execute(trader, signal=fresh_signal("SHORT", stop="66000", tp1="63000", tp2="62000"))
    assert trade.status == Trade.Status.OPEN and trade.side == "SHORT"
    pushes.watch(f"user.{trader.pk}")
    gateway.set_mark_price("BTC-USDT", D("65500"))
    with django_capture_on_commit_callbacks(execute=True):
        positions_sync(trader)  # still open: its live PnL is pushed to the owner's pages
    (live,) = pushes.events(f"user.{trader.pk}")[-1]["data"]["trades"]
    assert live["id"] == trade.pk and D(live["unrealized_pnl"]) < 0 and D(live["mark_price"]) == D("65500")

    gateway.set_mark_price("BTC-USDT", D("66000"))
    positions_sync(trader)
    trade.refresh_from_db()

    assert trade.status == Trade.Status.CLOSED and trade.close_reason == "SL"
    assert trade.pnl < 0 and -trade.pnl <= trade.risk_amount <= D("10")


def test_partial_plan_half_at_tp1_then_break_even_stop(gateway, trader):
    live_profile(trader, reward_target="partial")
    trade = signal_execute(trader, signal=fresh_signal())
    assert trade.status == Trade.Status.OPEN and trade.take_profit_2 == D("68000")
    roles = sorted(trade.orders.values_list("role", flat=True))
    assert roles == ["ENTRY", "STOP", "TP1", "TP2"]

    gateway.set_mark_price("BTC-USDT", D("67000"))
    positions_sync(trader)
    trade.refresh_from_db()
    assert trade.status == Trade.Status.OPEN and trade.remaining == trade.size / 2
    be = trade.orders.get(role="STOP", status="open")
    assert be.trigger_price == trade.entry_price  # the stop moved to break-even
    open_stops = [o for o in gateway.orders("1001") if o["type"] == "STOP_MARKET" and o["status"] == "NEW"]
    assert [D(o["stopPrice"]) for o in open_stops] == [D("65000")]

    gateway.set_mark_price("BTC-USDT", D("64990"))
    positions_sync(trader)
    trade.refresh_from_db()
    assert trade.status == Trade.Status.CLOSED and trade.close_reason == "BE"
    assert trade.exit_price == (D("67000") + D("64990")) / 2
    assert trade.pnl > 0


def test_a_position_closed_by_hand_on_bingx_is_recorded_external(gateway, trader, account):
    trade = signal_execute(trader, signal=fresh_signal())
    creds = exchanges.ApiCredentials(api_key=account.api_key, secret=account.secret)
    gateway.set_mark_price("BTC-USDT", D("65500"))
    exchanges.close_position(creds, "BTC/USDT:USDT", "long")

    positions_sync(trader)
    trade.refresh_from_db()

    assert trade.status == Trade.Status.CLOSED and trade.close_reason == "EXTERNAL"
    assert trade.exit_price == D("65500") and trade.pnl > 0


def test_close_now_closes_at_the_mark_and_cancels_the_stops(gateway, trader):
    trade = signal_execute(trader, signal=fresh_signal())
    gateway.set_mark_price("BTC-USDT", D("64500"))

    trade_close(trade)

    assert trade.status == Trade.Status.CLOSED and trade.close_reason == "MANUAL"
    assert trade.exit_price == D("64500") and trade.pnl < 0
    assert gateway.positions("1001") == []
    assert not [o for o in gateway.orders("1001") if o["status"] == "NEW"]
