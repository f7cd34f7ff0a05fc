"""Live balances and transfers read from the fake BingX through the real gateway and ccxt with the user's
stored key; BingX failing gives a clear "unavailable" state (never a 500); no page or answer ever carries
the key or the secret."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.trading.portfolio.conftest import make_trade
from trading import selectors_portfolio as portfolio

BALANCE = "/openApi/swap/v3/user/balance"
DEPOSITS = "/openApi/api/v3/capital/deposit/hisrec"


def test_live_balance_is_the_bingx_futures_account(live_api, live_trader, gateway):
    gateway.set_balance(live_trader.bingx_account.uid, "USDT", "1234.5")

    body = live_api.get("/api/wallet/balance?mode=live").json()

    assert body["available"] is True and body["mode"] == "live"
    assert Decimal(body["balance"]) == Decimal("1234.5") and Decimal(body["equity"]) == Decimal("1234.5")
    assert body["initial_balance"] is None


def test_live_transactions_list_deposits_and_withdrawals_newest_first(live_api, live_trader, gateway):
    uid = live_trader.bingx_account.uid
    now = timezone.now()
    gateway.add_deposit(uid, "250", time=now - timedelta(days=3))
    gateway.add_withdrawal(uid, "40", time=now - timedelta(days=1))
    gateway.add_deposit(uid, "999", time=now - timedelta(days=200))  # before the default window
    gateway.add_deposit(uid, "500", status=0, time=now - timedelta(hours=1))  # pending: not credited

    body = live_api.get("/api/wallet/transactions?mode=live").json()

    assert body["available"] is True
    assert [(t["kind"], Decimal(t["amount"])) for t in body["results"]] == [
        ("withdrawal", Decimal("40")),
        ("deposit", Decimal("250")),
    ]
    older = live_api.get("/api/wallet/transactions", {"mode": "live", "since": (now - timedelta(days=2)).isoformat()})
    assert [t["kind"] for t in older.json()["results"]] == ["withdrawal"]


def test_bingx_down_is_an_unavailable_state_not_a_500(live_api, live_trader, gateway, trader_client):
    gateway.inject(BALANCE, "http_500", count=None)
    gateway.inject(DEPOSITS, "http_500", count=None)

    balance = live_api.get("/api/wallet/balance?mode=live")
    transfers = live_api.get("/api/wallet/transactions?mode=live")
    summary = live_api.get("/api/trading/portfolio?mode=live")
    page = trader_client.get("/portfolio/?mode=live")

    assert balance.status_code == 200 and balance.json()["available"] is False
    assert balance.json()["reason"] == portfolio.BINGX_UNAVAILABLE
    assert transfers.status_code == 200 and transfers.json()["available"] is False
    assert summary.status_code == 200 and summary.json()["total_value"] is None
    assert page.status_code == 200 and portfolio.BINGX_UNAVAILABLE in page.content.decode()


@pytest.mark.django_db
def test_a_key_bingx_refuses_says_to_reconnect_it(trader, gateway, settings):
    from accounts.services.credentials import credential_create

    settings.FLAXU_EXCHANGE_RETRIES = 0
    credential_create(user=trader, exchange="bingx", label="BingX", api_key="A" * 64, api_secret="B" * 64)
    client = APIClient()
    client.force_authenticate(trader)

    body = client.get("/api/wallet/balance?mode=live").json()

    assert body["available"] is False and body["reason"] == portfolio.KEY_REFUSED


def test_live_without_a_key_says_to_connect_one(trader):
    client = APIClient()
    client.force_authenticate(trader)

    body = client.get("/api/wallet/balance?mode=live").json()

    assert body["available"] is False and "Connect your BingX API key" in body["reason"]


def test_live_portfolio_reads_bingx_equity_and_only_live_trades(live_api, live_trader, gateway):
    make_trade(live_trader, mode="live", status="OPEN")
    make_trade(live_trader, mode="paper", status="OPEN")

    body = live_api.get("/api/trading/portfolio?mode=live").json()

    assert Decimal(body["total_value"]) == Decimal("1000")
    assert [p["mode"] for p in body["positions"]] == ["live"]


@pytest.mark.django_db
def test_no_page_or_answer_carries_the_key_or_the_secret(live_api, live_trader, gateway, trader_client):
    account = live_trader.bingx_account
    gateway.add_deposit(account.uid, "100", time=timezone.now() - timedelta(days=1))
    make_trade(live_trader, mode="live", status="OPEN")
    make_trade(live_trader, mode="live", pnl=5, r=0.5)
    bodies = [
        live_api.get(url).content
        for url in [
            "/api/wallet/balance?mode=live",
            "/api/wallet/transactions?mode=live",
            "/api/trading/portfolio?mode=live",
            "/api/trading/positions?mode=live",
            "/api/trading/history?mode=live",
            "/api/analytics/performance?mode=live",
        ]
    ]
    bodies.append(
        b"".join(live_api.get("/api/trading/history.csv?mode=live", HTTP_ACCEPT="text/csv").streaming_content)
    )
    for url in ["/portfolio/?mode=live", "/portfolio/history/?mode=live", "/portfolio/performance/?mode=live"]:
        bodies.append(trader_client.get(url).content)
    gateway.inject(BALANCE, "http_500", count=None)
    bodies.append(live_api.get("/api/wallet/balance?mode=live").content)

    for body in bodies:
        text = body.decode()
        assert account.api_key not in text and account.secret not in text


def test_open_pages_refreshing_cost_one_bingx_balance_call_per_window(live_api, live_trader, gateway):
    for _ in range(3):
        assert live_api.get("/api/wallet/balance?mode=live").json()["available"] is True

    assert len(gateway.requests_to(BALANCE)) == 1
