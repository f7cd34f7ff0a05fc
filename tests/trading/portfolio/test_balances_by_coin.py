"""Balances by coin: every non-zero coin of the user's BingX perpetual, spot and funding accounts, read from the
fake BingX through the real gateway and ccxt with the user's stored key; an account BingX refuses is listed
unavailable while the others still show; paper shows the paper wallet's USDT; nobody sees another user's
coins; no answer or page carries the key."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.services.credentials import credential_create
from tests.cache_reset import cache_clear_own
from tests.trading.factories import BTC
from tests.trading.portfolio.conftest import set_tickers
from trading import selectors_portfolio as portfolio
from trading.models import PaperWallet

SWAP = "/openApi/swap/v3/user/balance"
SPOT = "/openApi/spot/v1/account/balance"
FUND = "/openApi/fund/v1/account/balance"


@pytest.fixture
def coins(live_trader, gateway):
    """The live trader holds USDT in futures (1,000, from live_trader), BTC and USDT on spot (some BTC locked
    in an order), USDC in funding; ETH on spot is zero. BTC has a cached price, PEPE none."""
    uid = live_trader.bingx_account.uid
    gateway.set_balance(uid, "BTC", "0.4", wallet="spot", locked="0.1")
    gateway.set_balance(uid, "USDT", "25.5", wallet="spot")
    gateway.set_balance(uid, "ETH", "0", wallet="spot")
    gateway.set_balance(uid, "PEPE", "1000000", wallet="spot")
    gateway.set_balance(uid, "USDC", "75", wallet="fund")
    set_tickers({BTC: "60000"})


def _rows(body: dict) -> dict:
    return {
        (r["account"], r["coin"]): (
            Decimal(r["free"]),
            Decimal(r["used"]),
            Decimal(r["total"]),
            None if r["usdt_value"] is None else Decimal(r["usdt_value"]),
        )
        for r in body["balances"]
    }


EXPECTED = {
    ("swap", "USDT"): (Decimal("1000"), Decimal("0"), Decimal("1000"), Decimal("1000")),
    ("spot", "BTC"): (Decimal("0.4"), Decimal("0.1"), Decimal("0.5"), Decimal("30000")),
    ("spot", "PEPE"): (Decimal("1000000"), Decimal("0"), Decimal("1000000"), None),  # no cached price
    ("spot", "USDT"): (Decimal("25.5"), Decimal("0"), Decimal("25.5"), Decimal("25.5")),
    ("funding", "USDC"): (Decimal("75"), Decimal("0"), Decimal("75"), None),
}


def test_wallet_balance_lists_every_non_zero_coin_of_each_account(live_api, coins):
    body = live_api.get("/api/wallet/balance?mode=live").json()

    assert body["available"] is True and Decimal(body["equity"]) == Decimal("1000")  # the wallet is unchanged
    assert _rows(body) == EXPECTED  # ETH (zero) and the fake's zero USDC futures row are left out
    assert [(a["account"], a["available"], a["reason"]) for a in body["balance_accounts"]] == [
        ("swap", True, ""),
        ("spot", True, ""),
        ("funding", True, ""),
    ]


def test_portfolio_api_carries_the_same_balances(live_api, coins):
    body = live_api.get("/api/trading/portfolio?mode=live").json()

    assert _rows(body) == EXPECTED
    assert Decimal(body["total_value"]) == Decimal("1000")


def test_portfolio_page_shows_the_balances_by_coin_table(live_trader, coins, trader_client):
    html = trader_client.get("/portfolio/?mode=live").content.decode()

    assert "Balances by coin" in html
    table = re.search(r'<table id="coin-balances".*?</table>', html, re.S).group(0)
    row = re.search(r'<tr data-account="spot" data-coin="BTC">(.*?)</tr>', table, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert [Decimal(c.replace(",", "")) for c in cells] == [Decimal("0.4"), Decimal("0.1"), Decimal("0.5"), 30000]
    assert 'data-account="funding" data-coin="USDC"' in table and 'data-coin="ETH"' not in table
    assert " style=" not in html and "<style" not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_an_account_bingx_refuses_is_unavailable_and_the_others_still_show(live_api, coins, trader_client, gateway):
    gateway.inject(SPOT, "permission_denied", count=None)

    body = live_api.get("/api/wallet/balance?mode=live").json()

    accounts = {a["account"]: a for a in body["balance_accounts"]}
    assert accounts["spot"]["available"] is False and accounts["spot"]["reason"] == portfolio.ACCOUNT_REFUSED
    assert accounts["swap"]["available"] and accounts["funding"]["available"]
    assert set(_rows(body)) == {("swap", "USDT"), ("funding", "USDC")}
    assert body["available"] is True  # the futures wallet is still read

    portfolio_body = live_api.get("/api/trading/portfolio?mode=live").json()
    assert set(_rows(portfolio_body)) == {("swap", "USDT"), ("funding", "USDC")}
    html = trader_client.get("/portfolio/?mode=live").content.decode()
    assert f"Spot: {portfolio.ACCOUNT_REFUSED}" in html
    assert 'data-account="funding" data-coin="USDC"' in html and 'data-account="spot"' not in html


def test_an_account_bingx_cannot_answer_for_says_so(live_api, coins, gateway):
    gateway.inject(FUND, "http_500", count=None)

    body = live_api.get("/api/wallet/balance?mode=live").json()

    accounts = {a["account"]: a for a in body["balance_accounts"]}
    assert accounts["funding"] == {"account": "funding", "available": False, "reason": portfolio.ACCOUNT_UNAVAILABLE}
    assert ("spot", "BTC") in _rows(body) and ("swap", "USDT") in _rows(body)


def test_paper_shows_one_usdt_row_from_the_paper_wallet(trader, trader_client, gateway):
    PaperWallet.objects.create(user=trader, initial_balance=Decimal("1000"), balance=Decimal("1234.5"))
    client = APIClient()
    client.force_authenticate(trader)

    for url in ["/api/wallet/balance?mode=paper", "/api/trading/portfolio?mode=paper"]:
        body = client.get(url).json()
        paper = Decimal("1234.5")
        assert _rows(body) == {("paper", "USDT"): (paper, Decimal(0), paper, paper)}, url
        assert body["balance_accounts"] == [{"account": "paper", "available": True, "reason": ""}]
    html = trader_client.get("/portfolio/?mode=paper").content.decode()
    assert 'data-account="paper" data-coin="USDT"' in html
    assert gateway.requests_to(SPOT) == [] and gateway.requests_to(SWAP) == []  # paper never asks BingX


def test_live_without_a_key_lists_each_account_as_unavailable(trader):
    client = APIClient()
    client.force_authenticate(trader)

    body = client.get("/api/wallet/balance?mode=live").json()

    assert body["balances"] == []
    assert {a["account"] for a in body["balance_accounts"]} == {"swap", "spot", "funding"}
    assert all(not a["available"] and "Connect your BingX API key" in a["reason"] for a in body["balance_accounts"])


@pytest.mark.django_db
def test_a_user_never_sees_another_users_balances(live_api, live_trader, other, coins, gateway):
    theirs = gateway.add_account(uid="3002", balances={"USDT": Decimal("777")})
    gateway.set_balance(theirs.uid, "DOGE", "4242", wallet="spot")
    credential_create(user=other, exchange="bingx", label="BingX", api_key=theirs.api_key,
                      api_secret=theirs.secret)  # fmt: skip
    their_client = APIClient()
    their_client.force_authenticate(other)

    mine = live_api.get("/api/wallet/balance?mode=live").json()
    their_body = their_client.get("/api/wallet/balance?mode=live").json()
    mine_again = live_api.get("/api/trading/portfolio?mode=live").json()  # within the cache window

    assert _rows(mine) == EXPECTED and _rows(mine_again) == EXPECTED
    assert _rows(their_body) == {
        ("swap", "USDT"): (Decimal("777"), Decimal("0"), Decimal("777"), Decimal("777")),
        ("spot", "DOGE"): (Decimal("4242"), Decimal("0"), Decimal("4242"), None),
    }


def test_the_key_never_appears_in_answers_or_the_page(live_api, live_trader, coins, gateway, trader_client):
    account = live_trader.bingx_account
    bodies = [
        live_api.get("/api/wallet/balance?mode=live").content,
        live_api.get("/api/trading/portfolio?mode=live").content,
        trader_client.get("/portfolio/?mode=live").content,
    ]
    cache_clear_own()  # the refusal is read afresh, not from the window's cache
    gateway.inject(SPOT, "permission_denied", count=None)
    gateway.inject(FUND, "http_500", count=None)
    bodies += [
        live_api.get("/api/wallet/balance?mode=live").content,
        trader_client.get("/portfolio/?mode=live").content,
    ]

    for body in bodies:
        text = body.decode()
        assert account.api_key not in text and account.secret not in text


def test_refreshing_costs_one_read_of_each_account_per_window(live_api, coins, gateway, trader_client):
    for _ in range(2):
        assert live_api.get("/api/wallet/balance?mode=live").json()["available"] is True
        live_api.get("/api/trading/portfolio?mode=live")
        trader_client.get("/portfolio/?mode=live")

    assert [len(gateway.requests_to(p)) for p in (SWAP, SPOT, FUND)] == [1, 1, 1]
