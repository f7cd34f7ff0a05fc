"""The ledger: entries, partial and full exits, fees, funding and PnL on Trade rows."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.factories import UserFactory
from trading.models import Trade, TradeOrder
from trading.services.brokers.base import Fill
from trading.services.ledger import trade_add_funding, trade_fail, trade_record_entry, trade_record_exit

pytestmark = pytest.mark.django_db


def pending(side="LONG", **fields) -> Trade:
    values = dict(
        user=UserFactory(),
        mode="paper",
        signal_type="MANUAL",
        symbol="BTC/USDT:USDT",
        side=side,
        reward_target="partial",
        stop_loss=D("95") if side == "LONG" else D("105"),
        take_profit=D("110") if side == "LONG" else D("90"),
        size=D("2"),
        leverage=2,
        risk_amount=D("10"),
        equity_at_entry=D("1000"),
        client_order_id="fxtest" + side.lower(),
    )
    values.update(fields)
    return Trade.objects.create(**values)


def fill(size="2", price="100", fee="0.1") -> Fill:
    return Fill(order_id="42", client_order_id="x", status="filled", filled=D(size), average_price=D(price), fee=D(fee))


def test_entry_opens_the_trade_with_the_real_fill_once():
    trade = pending()
    trade_record_entry(trade, fill(size="1.9", price="100.5"))
    assert trade.status == Trade.Status.OPEN
    assert (trade.entry_price, trade.size, trade.remaining, trade.fees) == (D("100.5"), D("1.9"), D("1.9"), D("0.1"))
    assert trade.exchange_order_id == "42" and trade.opened_at is not None
    entry = TradeOrder.objects.get(trade=trade)
    assert (entry.role, entry.client_order_id, entry.status) == ("ENTRY", trade.client_order_id, "closed")
    trade_record_entry(trade, fill(price="999"))  # learned twice: nothing changes
    assert trade.entry_price == D("100.5") and trade.fees == D("0.1")


def test_full_exit_closes_a_long_with_pnl_pct_and_r():
    trade = pending()
    trade_record_entry(trade, fill())
    trade_record_exit(trade, D("2"), D("110"), D("0.11"), Trade.CloseReason.TAKE_PROFIT)
    assert trade.status == Trade.Status.CLOSED and trade.remaining == 0
    assert trade.exit_price == D("110") and trade.close_reason == "TP" and trade.closed_at
    # gross 20, fees 0.21
    assert trade.pnl == D("19.79")
    assert trade.pnl_pct == D("1.979")
    assert trade.r_multiple == D("1.979")


def test_short_loss_and_funding():
    trade = pending(side="SHORT")
    trade_record_entry(trade, fill())
    trade_add_funding(trade, D("0.5"))
    trade_record_exit(trade, D("2"), D("105"), D("0.1"), Trade.CloseReason.STOP_LOSS)
    assert trade.pnl == D("-10.7")  # gross -10, fees 0.2, funding 0.5
    assert trade.r_multiple == D("-1.07")


def test_partial_exits_average_the_exit_price_and_close_at_zero():
    trade = pending()
    trade_record_entry(trade, fill(fee="0"))
    trade_record_exit(
        trade, D("1"), D("110"), D("0"), Trade.CloseReason.TAKE_PROFIT, client_order_id="fxtp1", role="TP1"
    )
    assert trade.status == Trade.Status.OPEN and trade.remaining == D("1") and trade.pnl == D("10")
    trade_record_exit(trade, D("1"), D("110"), D("0"), Trade.CloseReason.TAKE_PROFIT, client_order_id="fxtp1")
    assert trade.remaining == D("1")  # the same exit recorded twice counts once
    trade_record_exit(trade, D("5"), D("100"), D("0"), Trade.CloseReason.BREAKEVEN)  # clipped to what remains
    assert trade.status == Trade.Status.CLOSED and trade.close_reason == "BE"
    assert trade.exit_price == D("105") and trade.pnl == D("10")
    trade_record_exit(trade, D("1"), D("50"), D("0"), Trade.CloseReason.MANUAL)  # closed: unchanged
    assert trade.pnl == D("10")


def test_fail_only_a_pending_trade():
    trade = pending()
    trade_fail(trade, "Insufficient margin")
    assert trade.status == Trade.Status.FAILED and trade.failure_reason == "Insufficient margin"
    opened = pending(client_order_id="fxother")
    trade_record_entry(opened, fill())
    trade_fail(opened, "late")
    assert opened.status == Trade.Status.OPEN


def test_a_fill_learned_after_failing_opens_the_trade():
    trade = pending()
    trade_fail(trade, "not found after 120 s")
    trade_record_entry(trade, fill())  # the order landed late after all: the position must be watched
    assert trade.status == Trade.Status.OPEN and trade.failure_reason == "" and trade.closed_at is None


def test_pushes_the_owner_after_commit(django_capture_on_commit_callbacks, pushes):
    trade = pending()
    pushes.watch(f"user.{trade.user_id}")
    with django_capture_on_commit_callbacks(execute=True):
        trade_record_entry(trade, fill())
    assert pushes.events(f"user.{trade.user_id}")[-1]["data"]["status"] == "OPEN"
