"""The order form (preview, field errors, placed once per render) and one-click "Trade this" on alerts and signals."""

from __future__ import annotations

import re

import pytest

from tests.trading.execution.conftest import fresh_signal
from trading.models import Trade

from .conftest import sniper_alert

pytestmark = pytest.mark.django_db
URL = "/trading/order/"


def form_key(page: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)


def order(key, action="place", **fields) -> dict:
    data = {"symbol": "BTC", "side": "LONG", "stop_loss": "64000", "take_profit": "67000", "risk_pct": "1",
            "idempotency_key": key, "action": action}  # fmt: skip
    data.update(fields)
    return data


def test_each_render_has_a_new_key_and_no_inline_script(full_client, priced):
    first, second = (full_client.get(URL).content.decode() for _ in range(2))
    assert form_key(first) != form_key(second)
    assert "<script>" not in first and 'style="' not in first
    assert re.search(r'name="risk_pct"[^>]*value="1(\.0+)?"', first)  # the risk defaults to the setting


def test_preview_shows_the_size_and_risk_then_placing_twice_places_once(full_client, priced):
    key = form_key(full_client.get(URL).content.decode())
    preview = full_client.post(URL, order(key, action="preview"))
    assert preview.status_code == 200
    page = preview.content.decode()
    assert 'id="order-preview"' in page and "USDT, fees and slippage included" in page
    assert form_key(page) == key and not Trade.objects.exists()  # the same key carries on to placing

    placed = full_client.post(URL, order(key), follow=True)
    assert placed.redirect_chain[-1][0] == "/trading/" and "is open (paper)" in placed.content.decode()
    again = full_client.post(URL, order(key), follow=True)  # the double submit
    assert "already been traded" in again.content.decode()
    assert Trade.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"symbol": "DOGGYCOIN"}, "symbol", "Unknown market"),
        ({"risk_pct": "3"}, "risk_pct", "less than or equal to 2"),
        ({"stop_loss": "66000"}, "stop_loss", "stop-loss must be below the price"),
        ({"take_profit": "64000"}, "take_profit", "already past the take-profit"),
    ],
)
def test_a_wrong_field_is_shown_on_it(full_client, priced, fields, field, words):
    response = full_client.post(URL, order("k1", **fields))
    assert response.status_code == 400
    errors = re.search(rf'id="{field}-errors">(.*?)</ul>', response.content.decode(), re.S)
    assert errors and words in errors.group(1)
    assert not Trade.objects.exists()


def test_limited_users_see_the_locked_page(limited_client):
    assert limited_client.get(URL).status_code == 403
    assert limited_client.post(URL, order("k")).status_code == 403


def test_a_fresh_sniper_alert_has_trade_this_and_trades_once(full_client, priced):
    alert, stale = sniper_alert(), sniper_alert(minutes_ago=30)
    page = full_client.get("/signals/sniper/").content.decode()
    assert f'action="/trading/sniper/{alert.pk}/trade/"' in page
    assert f'action="/trading/sniper/{stale.pk}/trade/"' not in page
    assert 'id="one-click-template"' in page  # for alerts arriving live
    done = full_client.post(f"/trading/sniper/{alert.pk}/trade/", follow=True)
    assert "is open (paper)" in done.content.decode()
    twice = full_client.post(f"/trading/sniper/{alert.pk}/trade/", follow=True)
    assert "already been traded" in twice.content.decode()
    assert Trade.objects.get().signal_type == "SNIPER"
    page = full_client.get("/signals/sniper/").content.decode()
    assert f'action="/trading/sniper/{alert.pk}/trade/"' not in page and "Traded" in page


def test_a_stale_alert_is_refused_with_the_reason(full_client, priced):
    stale = sniper_alert(minutes_ago=30)
    response = full_client.post(f"/trading/sniper/{stale.pk}/trade/", follow=True)
    assert response.redirect_chain[-1][0] == "/signals/sniper/" and "stale" in response.content.decode()
    assert not Trade.objects.exists()


def test_an_executable_signal_has_trade_this_an_informational_one_not(full_client, priced):
    signal, weak = fresh_signal(), fresh_signal(evidence_mean_r=-0.1)
    page = full_client.get(f"/signals/{signal.pk}/").content.decode()
    assert f'action="/trading/signals/{signal.pk}/trade/"' in page
    assert "/trade/" not in full_client.get(f"/signals/{weak.pk}/").content.decode()
    done = full_client.post(f"/trading/signals/{signal.pk}/trade/", follow=True)
    assert "is open (paper)" in done.content.decode()
    assert Trade.objects.get().signal_id == signal.pk
    assert 'id="one-click"' in full_client.get(f"/signals/{signal.pk}/").content.decode()  # now "Traded"
