"""Managing price alerts on /markets/alerts/ and through /api/market/alerts/: list, create (with field
errors), delete — each user only their own."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from market.models import PriceAlert
from market.services.alerts import MAX_ACTIVE_ALERTS
from tests.accounts.otp_helpers import sign_in_past_2fa
from tests.factories import UserFactory

from .conftest import BTC, ETH, last_price

pytestmark = pytest.mark.django_db


def above_five(user) -> PriceAlert:
    return PriceAlert.objects.create(user=user, exchange="bingx", symbol=BTC, condition="above", price=Decimal(5))


def form_errors(response) -> dict:
    assert response.status_code == 400
    return response.context["form"].errors


def test_the_page_lists_only_my_alerts_active_first(signed_in, user, market):
    fired = PriceAlert.objects.create(user=user, exchange="bingx", symbol=ETH, condition="below", price=Decimal(1))
    PriceAlert.objects.filter(pk=fired.pk).update(fired_at="2026-01-01T00:00:00Z", fired_price=Decimal("0.9"))
    active = PriceAlert.objects.create(user=user, exchange="bingx", symbol=BTC, condition="above", price=Decimal(10**6))
    PriceAlert.objects.create(user=UserFactory(), exchange="bingx", symbol=BTC, condition="above", price=Decimal(7))

    response = signed_in.get(reverse("market_alerts"))

    assert response.status_code == 200
    assert [a.pk for a in response.context["alerts"]] == [active.pk, fired.pk]
    html = response.content.decode()
    assert "at or above 1,000,000.00" in html and "Fired" in html and "active" in html


def test_creating_an_above_alert_from_the_form(signed_in, user, market):
    level = last_price() * 2
    response = signed_in.post(
        reverse("market_alerts"), {"symbol": BTC, "condition": "above", "price": str(level), "note": "moon"}
    )
    assert response.status_code == 302
    alert = PriceAlert.objects.get(user=user)
    assert (alert.symbol, alert.condition, alert.price, alert.exchange, alert.note) == (
        BTC,
        "above",
        level,
        "bingx",
        "moon",
    )
    assert alert.percent is None and alert.window_minutes is None


def test_creating_a_rise_within_a_window_alert(signed_in, user, market):
    response = signed_in.post(
        reverse("market_alerts"), {"symbol": ETH, "condition": "rise", "percent": "5", "window_minutes": "60"}
    )
    assert response.status_code == 302
    alert = PriceAlert.objects.get(user=user)
    assert (alert.condition, alert.percent, alert.window_minutes, alert.price) == ("rise", Decimal(5), 60, None)
    assert alert.describe() == "rises 5% within 1 h"


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"symbol": BTC, "condition": "above"}, "price", "Enter the price level"),
        ({"symbol": BTC, "condition": "above", "price": "0"}, "price", "above zero"),
        ({"symbol": "NOPE/USDT:USDT", "condition": "above", "price": "5"}, "symbol", "valid choice"),
        ({"symbol": BTC, "condition": "sideways", "price": "5"}, "condition", "valid choice"),
        ({"symbol": BTC, "condition": "rise", "window_minutes": "60"}, "percent", "size of the move"),
        ({"symbol": BTC, "condition": "rise", "percent": "5"}, "window_minutes", "Choose the window"),
        ({"symbol": BTC, "condition": "fall", "percent": "100", "window_minutes": "60"}, "percent", "100 %"),
        ({"symbol": BTC, "condition": "rise", "percent": "abc", "window_minutes": "60"}, "percent", "number"),
    ],
)
def test_the_form_shows_field_errors(signed_in, user, market, data, field, words):
    errors = form_errors(signed_in.post(reverse("market_alerts"), data))
    assert words in " ".join(errors[field])
    assert not PriceAlert.objects.exists()


def test_a_level_the_price_has_already_reached_is_refused(signed_in, market):
    price = last_price()
    errors = form_errors(
        signed_in.post(reverse("market_alerts"), {"symbol": BTC, "condition": "above", "price": str(price - 1)})
    )
    assert "already at" in errors["price"][0] and "higher level" in errors["price"][0]
    errors = form_errors(
        signed_in.post(reverse("market_alerts"), {"symbol": BTC, "condition": "below", "price": str(price + 1)})
    )
    assert "lower level" in errors["price"][0]


def test_too_many_active_alerts_is_a_form_error(signed_in, user, market):
    PriceAlert.objects.bulk_create(
        PriceAlert(user=user, exchange="bingx", symbol=BTC, condition="above", price=Decimal(10**7))
        for _ in range(MAX_ACTIVE_ALERTS)
    )
    response = signed_in.post(reverse("market_alerts"), {"symbol": BTC, "condition": "above", "price": "9999999"})
    assert "delete one first" in " ".join(form_errors(response)["__all__"])


def test_the_page_prefills_the_symbol_from_the_chart_link(signed_in, market):
    response = signed_in.get(reverse("market_alerts") + f"?symbol={ETH}")
    assert response.context["form"]["symbol"].value() == ETH


def test_deleting_my_alert_and_not_someone_elses(signed_in, user, market):
    mine = above_five(user)
    theirs = PriceAlert.objects.create(
        user=UserFactory(), exchange="bingx", symbol=BTC, condition="above", price=Decimal(5)
    )

    assert signed_in.post(reverse("market_alert_delete", args=[theirs.pk])).status_code == 404
    assert signed_in.get(reverse("market_alert_delete", args=[mine.pk])).status_code == 405
    assert signed_in.post(reverse("market_alert_delete", args=[mine.pk])).status_code == 302
    assert list(PriceAlert.objects.values_list("pk", flat=True)) == [theirs.pk]


# --- API -------------------------------------------------------------------------------------------------


def test_api_creates_lists_and_deletes_alerts(api, user, market):
    level = str(last_price() * 2)
    created = api.post(
        reverse("api_market_alerts"), {"symbol": BTC, "condition": "above", "price": level}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["active"] is True and body["condition"] == "above" and Decimal(body["price"]) == Decimal(level)
    assert body["description"].startswith("at or above") and body["fired_at"] is None

    listed = api.get(reverse("api_market_alerts")).json()
    assert [a["id"] for a in listed] == [body["id"]]

    assert api.delete(reverse("api_market_alert_detail", args=[body["id"]])).status_code == 204
    assert api.get(reverse("api_market_alerts")).json() == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"symbol": BTC, "condition": "above"}, "price"),
        ({"symbol": "DOGE", "condition": "above", "price": "1"}, "symbol"),
        ({"symbol": BTC, "condition": "up", "price": "1"}, "condition"),
        ({"symbol": BTC, "condition": "rise", "percent": "5", "window_minutes": 0}, "window_minutes"),
        ({"symbol": BTC, "condition": "rise", "percent": "-5", "window_minutes": 60}, "percent"),
        ({"condition": "above", "price": "1"}, "symbol"),
    ],
)
def test_api_answers_invalid_alerts_with_field_errors(api, market, data, field):
    response = api.post(reverse("api_market_alerts"), data, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"} and field in body["errors"]


def test_api_cannot_delete_someone_elses_alert(api, market):
    theirs = PriceAlert.objects.create(
        user=UserFactory(), exchange="bingx", symbol=BTC, condition="above", price=Decimal(5)
    )
    assert api.delete(reverse("api_market_alert_detail", args=[theirs.pk])).status_code == 404
    assert PriceAlert.objects.filter(pk=theirs.pk).exists()


def test_staff_see_alerts_in_the_admin(client, user, market):
    admin = UserFactory(is_staff=True, is_superuser=True)
    PriceAlert.objects.create(
        user=user, exchange="bingx", symbol=BTC, condition="rise", percent=Decimal(5), window_minutes=60
    )
    sign_in_past_2fa(client, admin)  # the admin needs 2FA
    response = client.get(reverse("admin:market_pricealert_changelist") + "?status=active")
    assert response.status_code == 200 and "rises 5% within 1 h" in response.content.decode()
