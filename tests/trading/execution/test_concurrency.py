"""Two workers executing the same signal for the same user at the same moment: one trade, one order."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from core.errors import Conflict
from trading.models import Trade
from trading.services.execution import signal_execute

from .conftest import fresh_signal

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_executions_of_one_signal_place_one_order(gateway, trader):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is PostgreSQL's (SQLite serialises writers)")
    signal = fresh_signal()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def run():
        try:
            start.wait()
            outcomes.append(signal_execute(trader, signal=signal).status)
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["OPEN", "conflict"]
    assert Trade.objects.filter(signal=signal).count() == 1
    assert len([o for o in gateway.orders("1001") if o["type"] == "MARKET"]) == 1
