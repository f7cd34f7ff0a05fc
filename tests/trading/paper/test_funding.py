"""Funding on open paper trades, from the funding snapshot: at each settlement a long pays a positive rate and a
short receives it (size x mark price x rate), counted once however many ticker updates follow, in the trade's PnL
and so in the paper wallet once it closes; no rate known for a settlement, nothing counted."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from trading.models import Trade
from trading.services.paper_wallet import paper_wallet

from .conftest import BTC, open_paper

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _balance(settings):
    settings.FLAXU_PAPER_INITIAL_BALANCE = D("10000")


def test_a_long_pays_a_positive_rate_once_receives_a_negative_one_and_the_wallet_counts_it(full_user, market):
    market.set(BTC, "100")
    trade = open_paper(full_user, size="2", stop="50", tp1="120")
    first = timezone.now()  # a settlement just after the opening, announced by the funding snapshot
    market.fund(BTC, "0.0001", first, mark="100.5")
    for price in ("101", "102", "101"):  # three updates after it: counted once
        market.set(BTC, price)
    trade.refresh_from_db()
    assert trade.funding == D("0.0201")  # paid: 2 x 100.5 x 0.01 %
    assert trade.funding_until == first
    assert trade.pnl == -trade.fees - D("0.0201")  # nothing exited yet: the fees and the funding

    second = timezone.now()
    market.fund(BTC, "-0.0003", second, mark="102")
    market.set(BTC, "101")
    market.set(BTC, "101.5")
    trade.refresh_from_db()
    assert trade.funding == D("0.0201") - D("0.0612")  # received 2 x 102 x 0.03 %
    assert trade.funding_until == second

    market.set(BTC, "120")  # the target
    trade.refresh_from_db()
    assert (trade.status, trade.funding) == (Trade.Status.CLOSED, D("-0.0411"))
    assert trade.pnl == (D("120") - trade.entry_price) * 2 - trade.fees + D("0.0411")
    assert paper_wallet(full_user).balance == D("10000") + trade.pnl


def test_a_short_receives_a_positive_rate_at_the_price_when_the_snapshot_has_no_mark(full_user, market):
    market.set(BTC, "100")
    trade = open_paper(full_user, side="SHORT", size="1", stop="150", tp1="80")
    market.fund(BTC, "0.0001", timezone.now())  # no mark price in the snapshot: the last price then
    market.set(BTC, "99")
    market.set(BTC, "98")
    trade.refresh_from_db()
    assert trade.funding == D("-0.0099")  # received: 1 x 99 x 0.01 %
    market.set(BTC, "79")  # the target
    trade.refresh_from_db()
    assert (trade.status, trade.funding) == (Trade.Status.CLOSED, D("-0.0099"))
    assert trade.pnl == (trade.entry_price - trade.exit_price) - trade.fees + D("0.0099")
    assert paper_wallet(full_user).balance == D("10000") + trade.pnl


def test_no_funding_data_no_funding(full_user, market):
    market.set(BTC, "100")
    trade = open_paper(full_user, size="2", stop="50", tp1="120")
    for price in ("101", "99", "120"):
        market.set(BTC, price)
    trade.refresh_from_db()
    assert (trade.status, trade.funding, trade.funding_until) == (Trade.Status.CLOSED, 0, None)
    assert paper_wallet(full_user).balance == D("10000") + trade.pnl


def test_settlements_before_the_opening_or_still_ahead_are_not_counted(full_user, market):
    market.set(BTC, "100")
    market.fund(BTC, "0.001", timezone.now() - timedelta(minutes=1), mark="100")  # settled before the trade
    trade = open_paper(full_user, size="2", stop="50", tp1="120")
    market.set(BTC, "101")
    market.fund(BTC, "0.001", timezone.now() + timedelta(hours=1), mark="100")  # the next one: ahead
    market.set(BTC, "102")
    trade.refresh_from_db()
    assert (trade.funding, trade.funding_until) == (0, None)


def test_a_settlement_no_sync_saw_announced_has_no_known_rate_and_is_not_counted(full_user, market):
    market.set(BTC, "100")
    trade = open_paper(full_user, size="2", stop="50", tp1="120")
    market.fund(BTC, "0.0001", timezone.now(), mark="100")  # announced, but no ticker update in between...
    market.fund(BTC, "0.0001", timezone.now() + timedelta(hours=8), mark="100")  # ...before the snapshot moved on
    market.set(BTC, "101")
    trade.refresh_from_db()
    assert (trade.funding, trade.funding_until) == (0, None)
