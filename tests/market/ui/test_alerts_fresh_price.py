"""Price alerts are never created or fired against a stale price, and they speak as traders write.

Creating an above/below alert compares the level with the current price: a level already reached is
refused with the symbol and both prices formatted; with no fresh price (the ticker snapshot past its TTL,
the last refresh failed, or none yet) it is refused with "try again in a few seconds". The checker never
fires from a stale price. Messages, notifications and emails write ``BTC/USDT perp`` and ``1,000.00``.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Notification
from market.exchanges import ExchangeUnavailable
from market.models import PriceAlert
from market.services.alerts import price_alerts_check
from market.services.snapshots import tickers_refresh
from market.sources import get_source
from market.sources.replay import ReplaySource
from market.tasks.alerts import check_price_alerts

from .conftest import BTC, last_price

pytestmark = pytest.mark.django_db

PRICE = r"\d{1,3}(,\d{3})*\.\d{2}"  # BTC's price as traders read it: 101,303.10
NO_FRESH_PRICE = "No fresh price for BTC/USDT perp right now"
MARKETS_CSS = Path(__file__).resolve().parents[3] / "static" / "css" / "markets.css"


class TickersDown(ReplaySource):
    """The replay with every exchange's ticker endpoint failing, as the gateway reports an outage."""

    def tickers(self, exchange):
        raise ExchangeUnavailable(f"{exchange}: 503")


@pytest.fixture(params=["past its TTL", "refresh failed"])
def stale_prices(request, market, settings):
    """The last ticker snapshot is still there but no longer fresh."""
    if request.param == "past its TTL":
        settings.FLAXU_TTL_PRICES = 0
    else:
        tickers_refresh(source=TickersDown())
    return request.param


def create_on_page(client, **data):
    return client.post(reverse("market_alerts"), {"symbol": BTC, **data})


def create_by_api(api, **data):
    return api.post(reverse("api_market_alerts"), {"symbol": BTC, **data}, format="json")


# --- already reached -----------------------------------------------------------------------------------


def test_the_page_refuses_a_level_already_reached_naming_symbol_and_prices(signed_in, market):
    response = create_on_page(signed_in, condition="below", price="10000000")

    assert response.status_code == 400
    [message] = response.context["form"].errors["price"]
    assert re.fullmatch(
        rf"BTC/USDT perp is already at or below 10,000,000\.00 \(last price {PRICE}\); choose a lower level\.", message
    ), message
    assert message in response.content.decode()
    assert not PriceAlert.objects.exists()


def test_the_api_refuses_a_level_already_reached(api, market):
    response = create_by_api(api, condition="above", price="1000")

    assert response.status_code == 400
    [message] = response.json()["errors"]["price"]
    assert message.startswith("BTC/USDT perp is already at or above 1,000.00 (last price ")
    assert not PriceAlert.objects.exists()


# --- no fresh price ------------------------------------------------------------------------------------


def test_the_page_refuses_a_level_alert_while_the_price_is_stale(signed_in, stale_prices):
    # The level the stale price would accept: far from anything (the price may have moved since).
    response = create_on_page(signed_in, condition="below", price="10000000")

    assert response.status_code == 400
    [message] = response.context["form"].non_field_errors()
    assert message.startswith(NO_FRESH_PRICE) and "try again in a few seconds" in message
    assert NO_FRESH_PRICE in response.content.decode()
    assert not PriceAlert.objects.exists()


def test_the_api_refuses_a_level_alert_while_the_price_is_stale(api, stale_prices):
    response = create_by_api(api, condition="above", price=str(last_price() * 2))

    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["non_field_errors"][0].startswith(NO_FRESH_PRICE)
    assert NO_FRESH_PRICE in body["detail"]
    assert not PriceAlert.objects.exists()


def test_before_the_first_price_a_level_alert_is_refused_too(api):
    response = create_by_api(api, condition="above", price="1000000")
    assert response.status_code == 400 and NO_FRESH_PRICE in response.json()["detail"]


def test_a_move_alert_needs_no_price_now_and_is_accepted_while_stale(api, stale_prices):
    # Rise/fall alerts count only moves after their creation, measured on fresh prices.
    response = create_by_api(api, condition="rise", percent="5", window_minutes=60)
    assert response.status_code == 201, response.content


def test_once_prices_are_fresh_again_the_alert_is_accepted(api, market):
    tickers_refresh(source=TickersDown())
    assert create_by_api(api, condition="above", price="10000000").status_code == 400

    tickers_refresh(source=get_source())

    assert create_by_api(api, condition="above", price="10000000").status_code == 201


# --- the checker ---------------------------------------------------------------------------------------


def test_an_alert_met_by_the_last_known_price_waits_while_that_price_is_stale(user, market):
    alert = PriceAlert.objects.create(user=user, exchange="bingx", symbol=BTC, condition="above", price=Decimal(1))
    tickers_refresh(source=TickersDown())  # BingX down: its last snapshot stays, marked stale

    assert check_price_alerts() == [] and price_alerts_check() == []
    assert PriceAlert.objects.get(pk=alert.pk).is_active

    tickers_refresh(source=get_source())
    assert check_price_alerts() == [alert.pk]


# --- wording -------------------------------------------------------------------------------------------


def test_a_fired_alert_writes_the_symbol_and_prices_as_traders_do(user, market, django_capture_on_commit_callbacks):
    PriceAlert.objects.create(
        user=user, exchange="bingx", symbol=BTC, condition="above", price=Decimal(1000), note="take profit"
    )
    with django_capture_on_commit_callbacks(execute=True):
        price_alerts_check()

    note = Notification.objects.get(user=user, kind="price_alert")
    assert re.fullmatch(rf"BTC/USDT perp at or above 1,000\.00: now {PRICE}", note.title), note.title
    assert re.search(rf"Your price alert on BTC/USDT perp \(bingx\) fired at .* UTC: price {PRICE};", note.body)
    [email] = mail.outbox
    assert email.subject.endswith(note.title) and note.body in email.body
    for text in (note.title, note.body, email.subject, email.body):
        assert BTC not in text  # never ccxt's BTC/USDT:USDT


def test_the_alerts_page_writes_symbols_and_levels_as_traders_do(signed_in, user, market):
    PriceAlert.objects.create(user=user, exchange="bingx", symbol=BTC, condition="above", price=Decimal("123456.5"))
    html = signed_in.get(reverse("market_alerts")).content.decode()
    assert "BTC/USDT perp" in html and "at or above 123,456.50" in html
    assert '<option value="BTC/USDT:USDT" selected>BTC/USDT perp</option>' in html


def test_created_and_deleted_messages_write_symbols_as_traders_do(signed_in, user, market):
    response = create_on_page(signed_in, condition="above", price="10000000")
    assert response.status_code == 302
    page = signed_in.get(reverse("market_alerts")).content.decode()
    assert "Alert created: BTC/USDT perp at or above 10,000,000.00." in page

    alert = PriceAlert.objects.get(user=user)
    signed_in.post(reverse("market_alert_delete", args=[alert.pk]))
    page = signed_in.get(reverse("market_alerts")).content.decode()
    assert "Alert deleted: BTC/USDT perp at or above 10,000,000.00." in page


# --- layout --------------------------------------------------------------------------------------------


def test_a_long_unbroken_note_wraps_instead_of_widening_the_table(signed_in, user, market):
    note = "W" * 120  # the longest note allowed, without a single break opportunity
    PriceAlert.objects.create(
        user=user, exchange="bingx", symbol=BTC, condition="above", price=Decimal(10**7), note=note
    )

    html = signed_in.get(reverse("market_alerts")).content.decode()

    assert f'<span class="small muted alert-note">{note}</span>' in html
    assert "css/markets.css" in html
    css = MARKETS_CSS.read_text()
    assert re.search(r"\.alert-note\s*\{[^}]*overflow-wrap:\s*anywhere", css)
    # The grid column may shrink below its content (min-width: auto would let the table set it).
    assert re.search(r"\.two-col > \*\s*\{[^}]*min-width:\s*0", css)


def test_the_form_offers_the_last_price_only_while_it_is_fresh(signed_in, market):
    def offered() -> dict:
        html = signed_in.get(reverse("market_alerts")).content.decode()
        return json.loads(re.search(r'<script id="alert-prices" type="application/json">(.*?)</script>', html)[1])

    assert re.fullmatch(PRICE, offered()[BTC])
    tickers_refresh(source=TickersDown())
    assert offered() == {}
