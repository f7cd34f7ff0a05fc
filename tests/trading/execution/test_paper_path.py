"""The same path in paper mode: signal_execute opens a paper trade through the paper broker, the paper
watcher closes it at the target, and the ledger's PnL reaches the paper wallet."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.factories import UserFactory
from tests.trading.factories import grant_full
from tests.trading.paper.conftest import market  # noqa: F401  (the replay market with prices the test sets)
from trading.models import Trade
from trading.services.execution import ManualOrder, signal_execute, trade_close

from .conftest import fresh_signal, live_profile

pytestmark = pytest.mark.django_db
BTC = "BTC/USDT:USDT"


@pytest.fixture
def paper_user(db):
    user = UserFactory()
    grant_full(user)
    live_profile(user, mode="paper", live_acknowledged_at=None)
    return user


def test_a_signal_becomes_a_paper_trade_closed_at_its_target(market, paper_user):  # noqa: F811
    market.set(BTC, "65000")
    trade = signal_execute(paper_user, signal=fresh_signal())

    assert trade.mode == "paper" and trade.status == Trade.Status.OPEN, trade.failure_reason
    assert trade.risk_amount <= D("100")  # 1 % of the 10,000 USDT paper wallet
    market.set(BTC, "67100")
    trade.refresh_from_db()

    assert trade.status == Trade.Status.CLOSED and trade.close_reason == "TP" and trade.pnl > 0
    assert paper_user.paper_wallet.balance == D("10000") + trade.pnl


def test_close_now_in_paper_mode(market, paper_user):  # noqa: F811
    market.set(BTC, "65000")
    trade = signal_execute(paper_user, manual=ManualOrder(BTC, "SHORT", D("66000"), D("63000"), idempotency_key="p1"))
    market.set(BTC, "64000")
    trade_close(trade)
    assert trade.status == Trade.Status.CLOSED and trade.close_reason == "MANUAL" and trade.pnl > 0


def test_a_second_position_fits_beside_the_first_at_a_higher_leverage(market, paper_user):  # noqa: F811
    # 1 % risk on a 1.5 % stop: ~6,500 USDT of BTC, which alone takes 1x and most of the 10,000 USDT margin.
    market.set(BTC, "65000")
    first = signal_execute(paper_user, manual=ManualOrder(BTC, "LONG", D("64000"), D("67000"), idempotency_key="m1"))
    second = signal_execute(paper_user, manual=ManualOrder(BTC, "SHORT", D("66000"), D("63000"), idempotency_key="m2"))

    assert first.status == second.status == Trade.Status.OPEN, second.failure_reason
    assert first.leverage == 1 and second.leverage > 1  # the free margin, not the equity, sets it
    held = sum(t.entry_price * t.remaining / t.leverage for t in (first, second))
    assert held <= D("10000")  # as BingX: the margins fit in the wallet


def test_an_order_the_free_margin_cannot_hold_is_refused_like_bingx_would(market, paper_user):  # noqa: F811
    from core.errors import Refused
    from trading.services.brokers.base import EntryRequest
    from trading.services.brokers.paper import PaperBroker

    market.set(BTC, "65000")
    request = EntryRequest(BTC, "LONG", D("1"), 1, D("64000"), D("67000"), None, "m3")  # 65,000 USDT at 1x

    with pytest.raises(Refused, match="Not enough free margin"):
        PaperBroker(paper_user).open(request)
