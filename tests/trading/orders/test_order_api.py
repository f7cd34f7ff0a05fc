"""POST /api/trading/orders: manual and one-click orders, each refusal with its status, exactly once per key."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import timezone

from tests.accounts.otp_helpers import sign_in_past_2fa
from tests.trading.execution.conftest import fresh_signal
from tests.trading.settings.conftest import suspend
from trading.models import Trade, TradingControl
from trading.services.profile import profile_update

from .conftest import BTC, sniper_alert

pytestmark = pytest.mark.django_db
URL = "/api/trading/orders"


def manual(key="order-1", **fields) -> dict:
    body = {"idempotency_key": key, "symbol": "BTC/USDT", "side": "LONG", "stop_loss": "64000", "take_profit": "67000"}
    body.update(fields)
    return body


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_a_manual_order_is_placed_at_the_risk_asked(full_client, full_user, priced):
    response = post(full_client, manual(risk_pct="0.5", take_profit_2="68000"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "OPEN" and body["mode"] == "paper" and body["signal_type"] == "MANUAL"
    assert body["symbol"] == BTC and body["side"] == "LONG" and body["reward_target"] == "partial"
    assert D(body["risk_amount"]) <= D("50")  # 0.5 % of the 10,000 USDT paper wallet
    assert Trade.objects.get().user == full_user


def test_the_same_key_never_places_twice_and_names_the_first_trade(full_client, priced):
    first = post(full_client, manual(key="retry-me"))
    again = post(full_client, manual(key="retry-me"))
    assert first.status_code == 201 and again.status_code == 409
    trade_id = first.json()["id"]
    assert again["Location"] == f"/api/trading/history/{trade_id}"
    assert f"trade {trade_id}" in again.json()["detail"]
    assert full_client.get(again["Location"]).json()["id"] == trade_id
    assert Trade.objects.count() == 1
    assert post(full_client, manual(key="another")).status_code == 201  # a new key is a new order


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"idempotency_key": None}, "idempotency_key"),
        ({"symbol": "DOGGYCOIN"}, "symbol"),
        ({"symbol": None}, "symbol"),
        ({"side": "UP"}, "side"),
        ({"stop_loss": "abc"}, "stop_loss"),
        ({"stop_loss": "0"}, "stop_loss"),
        ({"take_profit": None}, "take_profit"),
        ({"risk_pct": "2.5"}, "risk_pct"),
        ({"risk_pct": "0.1"}, "risk_pct"),
        ({"sniper_alert": 1}, "non_field_errors"),
    ],
)
def test_a_wrong_field_is_a_400_naming_it(full_client, priced, body, field):
    payload = {k: v for k, v in manual(**body).items() if v is not None}
    response = post(full_client, payload)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Trade.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"stop_loss": "66000"}, "stop_loss", "stop-loss must be below the price"),
        ({"take_profit": "64000"}, "take_profit", "already past the take-profit"),
        ({"take_profit_2": "64000"}, "take_profit_2", "already past the second take-profit"),
        ({"side": "SHORT", "take_profit": "63000"}, "stop_loss", "stop-loss must be above the price"),
    ],
)
def test_a_risk_rule_refusal_is_a_400_with_the_rule(full_client, priced, body, field, words):
    response = post(full_client, manual(**body))
    assert response.status_code == 400 and words in response.json()["detail"], response.content
    assert list(response.json()["errors"]) == [field]
    assert not Trade.objects.exists()


def test_max_positions_and_the_global_pause_are_400s_with_the_reason(full_client, full_user, priced):
    profile_update(full_user, {"max_positions": 1})
    assert post(full_client, manual(key="a")).status_code == 201
    response = post(full_client, manual(key="b"))
    assert response.status_code == 400 and "your maximum is 1" in response.json()["detail"]
    TradingControl.objects.create(paused=True, reason="exchange incident")
    response = post(full_client, manual(key="c"))
    assert response.status_code == 400 and "paused trading for everyone" in response.json()["detail"]


def test_limited_and_suspended_users_get_403_with_the_gate_reason(client, full_user, limited_user, priced):
    client.force_login(limited_user)
    response = post(client, manual())
    assert response.status_code == 403 and "FULL" in response.json()["detail"]
    suspend(full_user)
    client.force_login(full_user)
    response = post(client, manual())
    assert response.status_code == 403 and "suspended" in response.json()["detail"].lower()
    assert not Trade.objects.exists()


def test_one_click_on_a_sniper_alert_uses_the_sniper_defaults_once(full_client, full_user, priced):
    profile_update(full_user, {"sniper_risk_pct": D("0.25"), "sniper_leverage": 2})
    alert = sniper_alert()
    response = post(full_client, {"sniper_alert": alert.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["signal_type"] == "SNIPER" and body["sniper_alert"] == alert.pk and body["leverage"] <= 2
    assert D(body["risk_amount"]) <= D("25")
    again = post(full_client, {"sniper_alert": alert.pk, "idempotency_key": "x"})
    assert again.status_code == 409 and again["Location"].endswith(f"/{body['id']}")
    assert post(full_client, {"sniper_alert": 999999}).json()["errors"] == {"sniper_alert": ["No such sniper alert."]}
    stale = post(full_client, {"sniper_alert": sniper_alert(minutes_ago=30).pk})
    assert stale.status_code == 400 and "stale" in stale.json()["detail"]


def test_one_click_on_an_executable_signal_needs_no_automation(full_client, full_user, priced):
    signal = fresh_signal()
    response = post(full_client, {"signal": signal.pk})  # automation is off: trading it by hand is allowed
    assert response.status_code == 201, response.content
    assert response.json()["signal_type"] == "ICT" and response.json()["signal"] == signal.pk
    assert post(full_client, {"signal": signal.pk}).status_code == 409
    weak = fresh_signal(evidence_mean_r=-0.1)
    response = post(full_client, {"signal": weak.pk})
    assert response.status_code == 400 and "not executed automatically" in response.json()["detail"]


def test_live_without_2fa_is_403_and_an_unreachable_exchange_is_503(client, trader, gateway):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    sign_in_past_2fa(client, trader, TOTPDevice.objects.get(user=trader))
    gateway.inject("/openApi/swap", "maintenance", count=None)
    response = post(client, manual())
    assert response.status_code == 503 and int(response["Retry-After"]) > 0, response.content
    assert "nothing was ordered" in response.json()["detail"]
    gateway.clear_faults()
    TOTPDevice.objects.filter(user=trader).delete()
    response = post(client, manual())
    assert response.status_code == 403 and "two-factor" in response.json()["detail"]
    assert not Trade.objects.exists() and gateway.orders("1001") == []


def test_the_preview_sizes_without_placing(full_client, priced):
    response = full_client.post(f"{URL}/preview", manual(risk_pct="1"), content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["mode"] == "paper" and D(body["price"]) == D("65000") and D(body["equity"]) == D("10000")
    assert D(body["risk_amount"]) <= D("100") and D(body["size"]) > 0 and body["leverage"] >= 1
    assert not Trade.objects.exists()


def test_placing_is_throttled_at_ten_trading_actions_a_minute(full_client, priced):
    statuses = [post(full_client, {"symbol": "nope"}).status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429
    assert full_client.get("/api/trading/positions").status_code == 200  # reading is another budget


def test_an_anonymous_client_is_refused(client):
    assert post(client, manual()).status_code in (401, 403)
    assert timezone.now()  # no trade, no error page
