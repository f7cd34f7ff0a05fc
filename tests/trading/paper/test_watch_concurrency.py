"""Two paper watchers on the same price at the same moment (two ticker refreshes, a thread-pool worker):
each exit is recorded once and the wallet counts the trade once (row locks; PostgreSQL)."""

from __future__ import annotations

import threading
from decimal import Decimal as D

import pytest
from django.db import connection

from trading.engine.paper import PriceUpdate
from trading.models import Trade, TradeOrder
from trading.services.paper_wallet import paper_wallet
from trading.services.paper_watch import paper_watch

from .conftest import BTC, EXCHANGE, open_paper

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_watchers_record_one_exit_and_settle_the_wallet_once(full_user, market, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is PostgreSQL's (SQLite serialises writers)")
    settings.FLAXU_PAPER_INITIAL_BALANCE = D("10000")
    market.set(BTC, "100")
    trade = open_paper(full_user, size="2", stop="95", tp1="110")
    start = threading.Barrier(2)
    recorded: list[int] = []

    def run():
        try:
            start.wait()
            recorded.append(len(paper_watch(EXCHANGE, {BTC: PriceUpdate.tick(110.0)})))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    trade.refresh_from_db()
    assert sorted(recorded) == [0, 1]
    assert (trade.status, trade.remaining) == (Trade.Status.CLOSED, 0)
    assert TradeOrder.objects.filter(trade=trade, role="TP1").count() == 1
    assert paper_wallet(full_user).balance == D("10000") + trade.pnl
