"""The paper broker through the real database and the replay market: fills at the current price with the
backtester's slippage and taker fee, entries found by client order id, equity from the wallet and open trades."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from core.errors import Refused, Unavailable
from tests.factories import UserFactory
from trading.models import PaperWallet, Trade, TradeOrder
from trading.selectors_portfolio import paper_wallet
from trading.services.brokers.base import EntryRequest
from trading.services.brokers.paper import PaperBroker

from .conftest import BTC, open_paper

pytestmark = pytest.mark.django_db
SLIP = D("0.0001")  # 1 bp
TAKER = D("0.0005")


def request(cid="fxreq1", side="LONG", size="2", stop="95", tp1="110"):
    return EntryRequest(
        symbol=BTC, side=side, size=D(size), leverage=3, stop_loss=D(stop), take_profit=D(tp1),
        take_profit_2=None, client_order_id=cid,
    )  # fmt: skip


def test_a_new_user_starts_with_the_configured_paper_balance(full_user, settings):
    settings.FLAXU_PAPER_INITIAL_BALANCE = D("2500")
    assert PaperBroker(full_user).equity() == D("2500")
    wallet = PaperWallet.objects.get(user=full_user)
    assert (wallet.initial_balance, wallet.balance) == (D("2500"), D("2500"))


def test_an_entry_fills_at_the_current_price_with_slippage_and_the_taker_fee(full_user, market):
    market.set(BTC, "100")
    fill = PaperBroker(full_user).open(request())
    assert (fill.order_id, fill.client_order_id, fill.status, fill.filled) == ("paper-fxreq1", "fxreq1", "filled", D(2))
    assert fill.average_price == D("100") * (1 + SLIP)
    assert fill.fee == (TAKER * fill.average_price * 2).quantize(D("0.00000001"))
    short = PaperBroker(full_user).open(request(cid="fxreq2", side="SHORT", stop="105", tp1="90"))
    assert short.average_price == D("100") * (1 - SLIP)  # a short sells lower


def test_the_broker_writes_nothing_so_an_unrecorded_entry_was_never_placed(full_user, market):
    market.set(BTC, "100")
    broker = PaperBroker(full_user)
    broker.open(request())
    assert broker.find_entry(BTC, "fxreq1") is None
    assert not TradeOrder.objects.exists()


def test_a_recorded_entry_is_found_by_its_client_order_id_and_never_filled_again(full_user, market):
    market.set(BTC, "100")
    trade = open_paper(full_user)
    broker = PaperBroker(full_user)
    found = broker.find_entry(BTC, trade.client_order_id)
    assert (found.status, found.filled, found.average_price) == ("filled", D(2), trade.entry_price)
    market.set(BTC, "101")
    again = broker.open(request(cid=trade.client_order_id))
    assert again.average_price == trade.entry_price  # the recorded fill, not a new one at 101
    other = PaperBroker(UserFactory())
    assert other.find_entry(BTC, trade.client_order_id) is None  # another user's order is not theirs


def test_an_entry_already_through_its_stop_or_target_is_refused(full_user, market):
    market.set(BTC, "94")
    with pytest.raises(Refused, match="stop-loss"):
        PaperBroker(full_user).open(request())
    market.set(BTC, "110")
    with pytest.raises(Refused, match="first target"):
        PaperBroker(full_user).open(request())


def test_no_fresh_price_no_fill(full_user, market, settings):
    market.set(BTC, "100")
    settings.FLAXU_TTL_PRICES = 0  # the snapshot is now too old
    broker = PaperBroker(full_user)
    with pytest.raises(Unavailable, match="No fresh price"):
        broker.mark_price(BTC)
    with pytest.raises(Unavailable):
        broker.open(request())


def test_a_close_fills_at_the_current_price_against_the_trader(full_user, market):
    market.set(BTC, "120")
    fill = PaperBroker(full_user).close(BTC, "LONG", D("1.5"), "fxclose1")
    assert (fill.order_id, fill.filled) == ("paper-fxclose1", D("1.5"))
    assert fill.average_price == D("120") * (1 - SLIP)
    assert fill.fee == (TAKER * fill.average_price * D("1.5")).quantize(D("0.00000001"))


def test_rules_come_from_the_stored_markets_with_the_paper_fees(full_user, market):
    rules = PaperBroker(full_user).rules(BTC)
    assert rules.symbol == BTC and rules.amount_step > 0 and rules.price_step > 0
    assert (rules.taker_fee, rules.maker_fee) == (D("0.0005"), D("0.0002"))
    with pytest.raises(Refused):
        PaperBroker(full_user).rules("NOPE/USDT:USDT")


def test_equity_is_cash_plus_the_open_trades_marked_to_the_current_price(full_user, market, settings):
    settings.FLAXU_PAPER_INITIAL_BALANCE = D("10000")
    market.set(BTC, "100")
    trade = open_paper(full_user, size="2")
    market.set(BTC, "103")
    broker = PaperBroker(full_user)
    expected = D("10000") - trade.fees + (D("103") - trade.entry_price) * 2
    assert broker.equity() == expected
    [position] = broker.positions()
    assert (position.symbol, position.side, position.size, position.mark_price) == (BTC, "LONG", D(2), D("103"))
    assert position.unrealized_pnl == (D("103") - trade.entry_price) * 2
    assert Trade.objects.get(pk=trade.pk).status == Trade.Status.OPEN
    # The Portfolio shows the same equity the broker sizes from.
    assert abs(paper_wallet(user=full_user).equity - expected) < D("0.01")  # its unrealised PnL is in cents
