"""Trades download as CSV (page and API): a header, one line per trade, Decimal prices, ISO times."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from tests.factories import UserFactory
from tests.trading.factories import BTC, grant_full, seed_candles
from trading.selectors import TRADE_CSV_COLUMNS
from trading.services.backtests import backtest_create, backtest_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(full_user):
    seed_candles(3000, seed=12)
    backtest = backtest_create(
        user=full_user,
        symbol=BTC,
        timeframe="5m",
        start=datetime(2024, 1, 3, tzinfo=UTC),
        end=datetime(2024, 1, 10, tzinfo=UTC),
        parameters={"min_confidence": 55},
    )
    return backtest_run(backtest_id=backtest.pk)


def read(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("url", ["/backtests/{}/trades.csv", "/api/backtests/{}/trades.csv"])
def test_the_csv_holds_every_trade(full_client, done, url):
    response = full_client.get(url.format(done.pk))
    assert response["Content-Disposition"] == f'attachment; filename="flaxu-backtest-{done.pk}-btc-5m-trades.csv"'
    rows = read(response)
    trades = list(done.trades.order_by("number"))
    assert len(rows) == len(trades) > 0
    assert list(rows[0]) == list(TRADE_CSV_COLUMNS)
    first, trade = rows[0], trades[0]
    assert first["number"] == "1" and first["side"] == trade.side and first["setup"] == trade.setup
    assert first["entry_price"] == str(trade.entry_price) and first["pnl"] == str(trade.pnl)
    assert first["entry_time"] == trade.entry_time.isoformat()
    assert first["tp1_hit"] in ("true", "false")
    assert sum(float(r["pnl"]) for r in rows) == pytest.approx(done.stats["net_pnl"], abs=1e-4)


def test_someone_elses_backtest_is_not_found(client, done):
    other = UserFactory()
    grant_full(other)
    client.force_login(other)
    assert client.get(f"/backtests/{done.pk}/trades.csv").status_code == 404
    assert client.get(f"/api/backtests/{done.pk}/trades.csv").status_code == 404
    assert client.get(f"/api/backtests/{done.pk}/").status_code == 404


def test_limited_users_cannot_download(limited_client, done):
    assert limited_client.get(f"/backtests/{done.pk}/trades.csv").status_code == 403
    response = limited_client.get(f"/api/backtests/{done.pk}/trades.csv")
    assert response.status_code == 403 and "FULL access" in response.json()["detail"]
