"""POST /api/trading/positions/{id}/close: your own open trades only; a closed one is 409."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.trading.factories import grant_full
from trading.models import Trade

pytestmark = pytest.mark.django_db


def place(client, key="c1"):
    body = {"idempotency_key": key, "symbol": "BTC", "side": "SHORT", "stop_loss": "66000", "take_profit": "63000"}
    response = client.post("/api/trading/orders", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def close(client, trade_id):
    return client.post(f"/api/trading/positions/{trade_id}/close")


def test_closing_your_trade_records_the_exit_and_a_second_close_is_409(full_client, priced):
    trade_id = place(full_client)
    priced.set("BTC/USDT:USDT", "64000")
    response = close(full_client, trade_id)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "CLOSED" and body["close_reason"] == "MANUAL" and float(body["pnl"]) > 0
    again = close(full_client, trade_id)
    assert again.status_code == 409 and "already closed" in again.json()["detail"]


def test_another_users_trade_is_404_and_stays_open(full_client, client, priced):
    trade_id = place(full_client)
    other = UserFactory()
    grant_full(other)
    client.force_login(other)
    assert close(client, trade_id).status_code == 404
    assert close(client, 999999).status_code == 404
    assert Trade.objects.get(pk=trade_id).status == Trade.Status.OPEN


def test_a_trade_never_opened_is_409(full_client, full_user, priced):
    trade_id = place(full_client)
    Trade.objects.filter(pk=trade_id).update(status=Trade.Status.FAILED, remaining=0)
    response = close(full_client, trade_id)
    assert response.status_code == 409 and "never opened" in response.json()["detail"]


def test_limited_users_get_403(limited_client):
    assert close(limited_client, 1).status_code == 403
