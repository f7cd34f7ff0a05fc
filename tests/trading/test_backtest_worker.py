"""A backtest started through the API runs in a real Celery worker and reaches 100 % with results."""

from __future__ import annotations

import time

import pytest

from tests.trading.factories import seed_candles
from trading.models import Backtest

pytestmark = pytest.mark.integration
TIMEOUT = 90


def test_a_backtest_started_by_the_api_is_run_by_the_worker(celery_worker_process, client, full_user):
    seed_candles(3000, seed=12)
    client.force_login(full_user)
    response = client.post(
        "/api/backtests/",
        {
            "symbol": "BTC/USDT:USDT",
            "timeframe": "5m",
            "start": "2024-01-03T00:00:00Z",
            "end": "2024-01-10T00:00:00Z",
            "parameters": {"min_confidence": 55},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    backtest_id = response.json()["id"]

    deadline = time.monotonic() + TIMEOUT
    backtest = Backtest.objects.get(pk=backtest_id)
    while not backtest.finished and time.monotonic() < deadline:
        time.sleep(0.3)
        backtest.refresh_from_db()
    assert backtest.status == "done", (backtest.status, backtest.progress, backtest.error)
    assert backtest.progress == 100 and backtest.stats["trades"] == backtest.trades.count() > 0

    status = client.get(f"/api/backtests/{backtest_id}/").json()
    assert status["status"] == "done" and status["progress"] == 100
    csv = b"".join(client.get(status["trades_csv"]).streaming_content).decode()
    assert len(csv.strip().splitlines()) == backtest.trades.count() + 1
