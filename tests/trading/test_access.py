"""Every trading page and endpoint needs FULL access: LIMITED users see the locked page or a 403 with the reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.trading.factories import BTC, EXCHANGE, seed_candles
from trading.models import Backtest, SniperAlert
from trading.services.signals import signals_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(limited_user):
    seed_candles(1500)
    signal = signals_run(exchange=EXCHANGE, symbol=BTC, timeframe="5m")[-1]
    backtest = Backtest.objects.create(
        user=limited_user,
        exchange=EXCHANGE,
        symbol=BTC,
        timeframe="5m",
        start=datetime(2024, 1, 2, tzinfo=UTC),
        end=datetime(2024, 1, 3, tzinfo=UTC),
    )
    return signal, backtest


def test_limited_users_see_the_locked_page(limited_client, rows):
    signal, backtest = rows
    for url in (
        "/signals/",
        "/signals/rows/",
        f"/signals/{signal.pk}/",
        "/signals/sniper/",
        "/backtests/",
        f"/backtests/{backtest.pk}/",
    ):
        response = limited_client.get(url)
        assert response.status_code == 403, url
        assert "This page needs FULL access" in response.content.decode(), url
        assert "Connect your BingX API key first." in response.content.decode(), url


def test_limited_users_get_403_with_the_reason_from_the_api(limited_client, rows):
    signal, backtest = rows
    for url in (
        "/api/signals/",
        f"/api/signals/{signal.pk}/",
        "/api/sniper/alerts/",
        "/api/backtests/",
        f"/api/backtests/{backtest.pk}/",
    ):
        response = limited_client.get(url)
        assert response.status_code == 403, url
        assert response.json()["detail"] == "This needs FULL access. Connect your BingX API key first.", url


def test_anonymous_visitors_are_sent_to_log_in(client, rows):
    response = client.get("/signals/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/signals/").status_code in (401, 403)
    assert SniperAlert.objects.count() == 0
