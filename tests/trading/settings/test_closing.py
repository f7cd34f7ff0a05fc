"""With the execution service: the kill switch closes every open trade, "close now" closes one, and the daily
loss counts open trades' unrealised PnL at the broker's mark price (paper trades on a priced replay market)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from accounts.models import ActivityLog
from tests.trading.paper.conftest import BTC, open_paper
from trading.models import DailyEquity, Trade
from trading.services.profile import profile_for, profile_update
from trading.services.risk import KILL_SWITCH, automation_refusal, daily_loss_check, kill_switch

pytestmark = pytest.mark.django_db


def test_the_kill_switch_closes_every_open_trade_and_stops_automation(full_user, other_user, market):
    market.set(BTC, "100")
    profile_update(full_user, {"automation_enabled": True})
    mine = [open_paper(full_user, stop="50", tp1="200"), open_paper(full_user, side="SHORT", stop="150", tp1="50")]
    theirs = open_paper(other_user, stop="50", tp1="200")
    market.set(BTC, "101")
    result = kill_switch(full_user)
    assert (result.closed, result.active_before) == (2, 2)
    for trade in mine:
        trade.refresh_from_db()
        assert trade.status == Trade.Status.CLOSED and trade.close_reason == Trade.CloseReason.KILL_SWITCH
    theirs.refresh_from_db()
    assert theirs.status == Trade.Status.OPEN
    assert automation_refusal(full_user) == "ICT automation is off in your trading settings."
    log = ActivityLog.objects.get(user=full_user, action=KILL_SWITCH)
    assert (log.detail["closed"], log.detail["still_open"]) == (2, 0)


def test_the_kill_switch_over_the_api(full_client, full_user, market):
    market.set(BTC, "100")
    open_paper(full_user, stop="50", tp1="200")
    body = full_client.post("/api/trading/kill-switch").json()
    assert body["closed"] == 1 and body["active_before"] == 1
    assert not Trade.objects.filter(user=full_user, status="OPEN").exists()


def test_close_now_on_the_trading_page(full_client, full_user, market):
    market.set(BTC, "100")
    trade = open_paper(full_user, stop="50", tp1="200")
    response = full_client.post(f"/trading/trades/{trade.pk}/close/", follow=True)
    assert "closed" in response.content.decode()
    trade.refresh_from_db()
    assert trade.status == Trade.Status.CLOSED and trade.close_reason == Trade.CloseReason.MANUAL
    assert "No open trades." in response.content.decode()


def test_the_daily_loss_counts_open_trades_at_the_mark_price(full_user, market):
    market.set(BTC, "100")
    profile_update(full_user, {"automation_enabled": True})
    now = datetime.now(UTC)
    DailyEquity.objects.create(user=full_user, mode="paper", day=now.date(), equity=Decimal("1000"))
    trade = open_paper(full_user, size="2", stop="50", tp1="200")
    trade.refresh_from_db()  # filled a little above 100 (slippage), paying the taker fee
    market.set(BTC, "80")
    loss = daily_loss_check(full_user, "paper")
    assert loss.unrealised == (80 - trade.entry_price) * 2 and loss.realised == -trade.fees and not loss.breached
    market.set(BTC, "75")
    loss = daily_loss_check(full_user, "paper")
    assert loss.unrealised == (75 - trade.entry_price) * 2 and loss.breached and loss.paused
    assert profile_for(full_user).paused_until is not None


def test_the_start_of_day_equity_is_read_from_the_broker_once_a_day(full_user, market):
    market.set(BTC, "100")
    daily_loss_check(full_user, "paper")
    row = DailyEquity.objects.get(user=full_user, mode="paper")
    assert row.equity == Decimal("10000")  # a fresh paper wallet (FLAXU_PAPER_INITIAL_BALANCE)
    open_paper(full_user, size="2", stop="50", tp1="200")
    market.set(BTC, "90")
    daily_loss_check(full_user, "paper")
    assert DailyEquity.objects.get(user=full_user, mode="paper").equity == Decimal("10000")


def test_the_paper_wallet_reset_button_closes_paper_trades_and_starts_again(full_client, full_user, market):
    from trading.services.paper_wallet import paper_wallet

    market.set(BTC, "100")
    trade = open_paper(full_user, stop="50", tp1="200")
    market.set(BTC, "90")
    response = full_client.post("/trading/settings/paper-reset/", follow=True)
    assert "Your paper wallet starts again at 10,000.00 USDT." in response.content.decode()
    trade.refresh_from_db()
    assert trade.status == Trade.Status.CLOSED
    assert paper_wallet(full_user).balance == Decimal("10000")
