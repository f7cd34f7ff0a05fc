"""The paper wallet reset at a size the user chooses: the settings page's form and POST /api/trading/paper-wallet/reset.

A reset closes the open paper trades at the market and starts the wallet at the chosen size (shown on the page
and by /api/wallet/balance?mode=paper); an amount out of bounds or not a number is refused and changes nothing.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from accounts.models import ActivityLog
from tests.trading.paper.conftest import BTC, open_paper
from trading.models import Trade
from trading.services.paper_wallet import RESET, paper_wallet

pytestmark = pytest.mark.django_db

PAGE = "/trading/settings/"
RESET_PAGE = "/trading/settings/paper-reset/"
API = "/api/trading/paper-wallet/reset"
BAD_AMOUNTS = ["abc", "", "99.99", "1000000.01", "-500", "2500.123", "NaN"]


@pytest.fixture(autouse=True)
def _balance(settings):
    settings.FLAXU_PAPER_INITIAL_BALANCE = D("10000")


def wallet_api_balance(client) -> D:
    return D(client.get("/api/wallet/balance?mode=paper").json()["balance"])


def test_the_page_resets_at_the_chosen_size_and_closes_open_paper_trades(full_client, full_user, market):
    market.set(BTC, "100")
    trade = open_paper(full_user, stop="50", tp1="200")
    response = full_client.post(RESET_PAGE, {"initial_balance": "2500"}, follow=True)
    page = response.content.decode()
    assert "Your paper wallet starts again at 2,500.00 USDT." in page
    assert 'name="initial_balance" value="2500.00"' in page  # the form shows the new size
    trade.refresh_from_db()
    assert (trade.status, trade.close_reason) == ("CLOSED", "MANUAL")
    assert paper_wallet(full_user).balance == D("2500") and wallet_api_balance(full_client) == D("2500")
    log = ActivityLog.objects.get(user=full_user, action=RESET)
    assert log.detail["initial_balance"] == "2500.00" and log.detail["trades_closed"] == [trade.pk]


def test_the_form_offers_the_current_size_and_an_empty_amount_keeps_it(full_client, full_user):
    assert 'name="initial_balance" value="10000.00"' in full_client.get(PAGE).content.decode()
    full_client.post(RESET_PAGE, {"initial_balance": "75000.5"})
    assert 'name="initial_balance" value="75000.50"' in full_client.get(PAGE).content.decode()
    response = full_client.post(RESET_PAGE, {"initial_balance": ""}, follow=True)
    assert "Your paper wallet starts again at 75,000.50 USDT." in response.content.decode()
    assert paper_wallet(full_user).initial_balance == D("75000.50")


@pytest.mark.parametrize("amount", [a for a in BAD_AMOUNTS if a])
def test_a_bad_amount_on_the_page_is_a_form_error_and_changes_nothing(full_client, full_user, market, amount):
    market.set(BTC, "100")
    trade = open_paper(full_user, stop="50", tp1="200")
    response = full_client.post(RESET_PAGE, {"initial_balance": amount})
    assert response.status_code == 400
    assert 'id="initial_balance-errors"' in response.content.decode()
    trade.refresh_from_db()
    assert trade.status == Trade.Status.OPEN
    assert paper_wallet(full_user).balance == D("10000") and wallet_api_balance(full_client) == D("10000")
    assert not ActivityLog.objects.filter(action=RESET).exists()


def test_the_api_resets_at_the_chosen_size_and_closes_open_paper_trades(full_client, full_user, market):
    market.set(BTC, "100")
    trade = open_paper(full_user, stop="50", tp1="200")
    response = full_client.post(API, {"initial_balance": "2500"}, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert D(body["initial_balance"]) == D(body["balance"]) == D("2500") and body["reset_at"]
    assert body["detail"] == "Your paper wallet starts again at 2,500.00 USDT."
    assert wallet_api_balance(full_client) == D("2500")
    trade.refresh_from_db()
    assert (trade.status, trade.close_reason) == ("CLOSED", "MANUAL")
    assert ActivityLog.objects.get(user=full_user, action=RESET).detail["initial_balance"] == "2500.00"


def test_without_an_amount_the_api_keeps_the_current_size(full_client, full_user):
    full_client.post(API, {"initial_balance": "300"}, content_type="application/json")
    response = full_client.post(API, {}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert D(response.json()["balance"]) == D("300") and wallet_api_balance(full_client) == D("300")


@pytest.mark.parametrize("amount", [*BAD_AMOUNTS, None, True, [1000]])
def test_a_bad_amount_on_the_api_is_a_400_naming_the_field_and_changes_nothing(full_client, full_user, market, amount):
    market.set(BTC, "100")
    trade = open_paper(full_user, stop="50", tp1="200")
    response = full_client.post(API, {"initial_balance": amount}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["initial_balance"]
    trade.refresh_from_db()
    assert trade.status == Trade.Status.OPEN and wallet_api_balance(full_client) == D("10000")
    assert not ActivityLog.objects.filter(action=RESET).exists()


def test_resets_count_as_trading_actions(full_client):
    statuses = [full_client.post(API, {"initial_balance": "1000"}).status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429


def test_limited_users_get_403_and_their_wallet_is_untouched(limited_client):
    response = limited_client.post(API, {"initial_balance": "1000"}, content_type="application/json")
    assert response.status_code == 403 and "This needs FULL access" in response.json()["detail"]
    assert limited_client.post(RESET_PAGE, {"initial_balance": "1000"}).status_code in (302, 403)
    assert not ActivityLog.objects.filter(action=RESET).exists()
