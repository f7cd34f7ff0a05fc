"""The paper watcher on the real ticker refresh: stored prices close paper trades at TP and SL with the
backtester's costs, move the stop to break-even after TP1, settle the wallet; and the wallet reset."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from accounts.models import ActivityLog
from core.errors import Unavailable
from trading.models import Trade, TradeOrder
from trading.services.paper_wallet import paper_wallet, paper_wallet_reset

from .conftest import BTC, open_paper

pytestmark = pytest.mark.django_db
SLIP, TAKER, MAKER = D("0.0001"), D("0.0005"), D("0.0002")
Q8 = D("0.00000001")


@pytest.fixture(autouse=True)
def _balance(settings):
    settings.FLAXU_PAPER_INITIAL_BALANCE = D("10000")


def fee(rate, price, size):
    return (rate * price * size).quantize(Q8)


def balance(user) -> D:
    return paper_wallet(user).balance


def test_a_long_closes_at_its_target_with_the_maker_fee_and_the_wallet_gets_its_pnl(full_user, market):
    market.set(BTC, "100")
    trade = open_paper(full_user, size="2", stop="95", tp1="110")
    entry = D("100") * (1 + SLIP)
    assert trade.entry_price == entry
    market.set(BTC, "105")
    trade.refresh_from_db()
    assert trade.status == Trade.Status.OPEN
    market.set(BTC, "110")
    trade.refresh_from_db()
    assert (trade.status, trade.close_reason, trade.exit_price, trade.remaining) == ("CLOSED", "TP", D("110"), 0)
    fees = fee(TAKER, entry, 2) + fee(MAKER, D("110"), 2)
    assert trade.fees == fees
    assert trade.pnl == (D("110") - entry) * 2 - fees
    assert balance(full_user) == D("10000") + trade.pnl
    assert TradeOrder.objects.get(trade=trade, role="TP1").client_order_id == f"paper-{trade.pk}-tp1"


def test_a_long_stopped_out_pays_slippage_and_the_taker_fee(full_user, market):
    market.set(BTC, "100")
    trade = open_paper(full_user, size="2", stop="95", tp1="110")
    market.set(BTC, "94")  # crossed between two updates: fills at the current price
    trade.refresh_from_db()
    exit_price = D("94") * (1 - SLIP)
    assert (trade.status, trade.close_reason, trade.exit_price) == ("CLOSED", "SL", exit_price)
    fees = fee(TAKER, trade.entry_price, 2) + fee(TAKER, exit_price, 2)
    assert trade.pnl == (exit_price - trade.entry_price) * 2 - fees
    assert balance(full_user) == D("10000") + trade.pnl


def test_a_short_closes_at_its_target(full_user, market):
    market.set(BTC, "100")
    trade = open_paper(full_user, side="SHORT", size="1", stop="105", tp1="90")
    market.set(BTC, "89.5")
    trade.refresh_from_db()
    assert (trade.status, trade.close_reason, trade.exit_price) == ("CLOSED", "TP", D("89.5"))
    assert trade.pnl == trade.entry_price - D("89.5") - trade.fees
    assert balance(full_user) == D("10000") + trade.pnl


def test_half_at_tp1_then_the_stop_at_the_entry_closes_the_rest_at_break_even(full_user, market):
    market.set(BTC, "100")
    trade = open_paper(full_user, size="2", stop="95", tp1="110", tp2="120")
    market.set(BTC, "111")
    trade.refresh_from_db()
    assert (trade.status, trade.remaining, trade.stop_loss) == ("OPEN", D(1), trade.entry_price)
    assert balance(full_user) == D("10000")  # the wallet holds closed trades only
    market.set(BTC, "100")
    trade.refresh_from_db()
    be = D("100") * (1 - SLIP)
    assert (trade.status, trade.close_reason, trade.remaining) == ("CLOSED", "BE", 0)
    assert trade.exit_price == ((D("111") + be) / 2).quantize(D("0.000000000001"))
    fees = fee(TAKER, trade.entry_price, 2) + fee(MAKER, D("111"), 1) + fee(TAKER, be, 1)
    assert trade.pnl == (D("111") - trade.entry_price) + (be - trade.entry_price) - fees
    assert balance(full_user) == D("10000") + trade.pnl
    assert set(TradeOrder.objects.filter(trade=trade).values_list("role", flat=True)) == {"ENTRY", "TP1", "STOP"}


def test_tp2_closes_the_rest_at_its_price(full_user, market):
    market.set(BTC, "100")
    trade = open_paper(full_user, size="2", stop="95", tp1="119", tp2="120")
    market.set(BTC, "119")
    market.set(BTC, "120")
    trade.refresh_from_db()
    assert (trade.status, trade.close_reason, trade.exit_price) == ("CLOSED", "TP", D("119.5"))  # half at each


def test_an_update_beyond_tp2_fills_the_rest_at_that_price_as_the_backtester_does(full_user, market):
    market.set(BTC, "100")
    trade = open_paper(full_user, size="2", stop="95", tp1="110", tp2="120")
    market.set(BTC, "110")
    market.set(BTC, "121")
    trade.refresh_from_db()
    # The backtester's opening-gap rule (an open beyond a target fills it at the open), after TP1 as before it.
    assert (trade.status, trade.close_reason, trade.exit_price) == ("CLOSED", "TP", D("115.5"))


def test_other_users_and_live_trades_are_not_touched(full_user, market):
    market.set(BTC, "100")
    trade = open_paper(full_user, size="1", stop="95", tp1="110")
    Trade.objects.filter(pk=trade.pk).update(mode="live")
    market.set(BTC, "90")
    trade.refresh_from_db()
    assert trade.status == Trade.Status.OPEN


def test_a_reset_closes_open_paper_trades_at_the_market_and_starts_again(full_user, market):
    market.set(BTC, "100")
    winner = open_paper(full_user, size="1", stop="95", tp1="101")
    market.set(BTC, "101")  # closes at its target: the wallet moves
    assert balance(full_user) != D("10000")
    still_open = open_paper(full_user, size="1", stop="95", tp1="110")
    wallet = paper_wallet_reset(full_user, initial_balance=D("5000"))
    still_open.refresh_from_db()
    assert (still_open.status, still_open.close_reason) == ("CLOSED", "MANUAL")
    assert still_open.exit_price == D("101") * (1 - SLIP)
    assert (wallet.initial_balance, wallet.balance, balance(full_user)) == (D("5000"), D("5000"), D("5000"))
    log = ActivityLog.objects.get(user=full_user, action="trading_paper_wallet_reset")
    assert log.detail["trades_closed"] == [still_open.pk] and winner.pk not in log.detail["trades_closed"]
    # Trades closed before the reset no longer count; new ones do.
    market.set(BTC, "100")
    trade = open_paper(full_user, size="1", stop="95", tp1="102")
    market.set(BTC, "102")
    trade.refresh_from_db()
    assert balance(full_user) == D("5000") + trade.pnl


def test_a_reset_without_a_fresh_price_changes_nothing(full_user, market, settings):
    market.set(BTC, "100")
    trade = open_paper(full_user, size="1", stop="95", tp1="110")
    settings.FLAXU_TTL_PRICES = 0
    with pytest.raises(Unavailable):
        paper_wallet_reset(full_user)
    trade.refresh_from_db()
    assert trade.status == Trade.Status.OPEN
    assert not ActivityLog.objects.filter(action="trading_paper_wallet_reset").exists()


def test_the_owner_is_told_of_tp1_with_the_break_even_stop_and_of_the_close(full_user, market, pushes):
    group = f"user.{full_user.pk}"
    pushes.watch(group)
    market.set(BTC, "100")
    trade = open_paper(full_user, size="2", stop="95", tp1="110", tp2="120")
    before = pushes.count(group)
    market.set(BTC, "111")
    tp1 = pushes.events(group)[before:]
    assert [(e["type"], e["data"]["status"], D(e["data"]["remaining"])) for e in tp1] == [("trade", "OPEN", D(1))]
    assert tp1[0]["data"]["stop_loss"] == str(trade.entry_price)
    market.set(BTC, "99")
    last = pushes.events(group)[-1]["data"]
    assert (last["id"], last["status"], last["close_reason"]) == (trade.pk, "CLOSED", "BE")


def test_the_same_price_applied_twice_records_each_exit_once(full_user, market):
    market.set(BTC, "100")
    trade = open_paper(full_user, size="2", stop="95", tp1="110", tp2="120")
    market.set(BTC, "111")
    market.set(BTC, "111")  # a second watcher run on the same snapshot
    trade.refresh_from_db()
    assert (trade.status, trade.remaining) == ("OPEN", D(1))
    assert TradeOrder.objects.filter(trade=trade, role="TP1").count() == 1
