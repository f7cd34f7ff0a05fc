"""The Portfolio API: FULL only (403 with the gate's reason), your own trades only (404 for another's),
paper and live apart, Decimals as strings, pagination like /api/signals/, filters validated (400)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from gatekeeper import rules
from gatekeeper.selectors import full_access_refusal
from gatekeeper.services.overrides import access_override
from tests.trading.factories import BTC, ETH
from tests.trading.portfolio.conftest import make_trade, set_tickers
from trading.models import PaperWallet

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/trading/positions",
    "/api/trading/history",
    "/api/trading/history.csv",
    "/api/trading/portfolio",
    "/api/analytics/performance",
    "/api/wallet/balance",
    "/api/wallet/transactions",
]


@pytest.fixture
def api(trader) -> APIClient:
    client = APIClient()
    client.force_authenticate(trader)
    return client


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_callers_are_refused(url):
    assert APIClient().get(url).status_code in (401, 403)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_limited_users_get_403_with_the_gates_reason(user, url):
    client = APIClient()
    client.force_authenticate(user)

    response = client.get(url, HTTP_ACCEPT="application/json")

    assert response.status_code == 403
    assert response.json()["detail"] == full_access_refusal(user)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_suspended_users_get_403(user, url):
    access_override(user=user, level=rules.SUSPENDED, reason="fraud review", expires_at=None, actor=None)
    client = APIClient()
    client.force_authenticate(user)

    response = client.get(url, HTTP_ACCEPT="application/json")

    assert response.status_code == 403 and "suspended" in response.json()["detail"]


def test_a_user_never_sees_another_users_trades(api, trader, other):
    mine = make_trade(trader, status="OPEN")
    theirs = make_trade(other, status="OPEN", symbol=ETH)
    theirs_closed = make_trade(other, pnl=50, r=5)

    assert [p["id"] for p in api.get("/api/trading/positions").json()] == [mine.pk]
    assert [t["id"] for t in api.get("/api/trading/history").json()["results"]] == [mine.pk]
    assert api.get(f"/api/trading/history/{mine.pk}").status_code == 200
    for pk in (theirs.pk, theirs_closed.pk):
        response = api.get(f"/api/trading/history/{pk}")
        assert response.status_code == 404 and ETH not in response.content.decode()
    assert api.get("/api/analytics/performance").json()["overall"]["n"] == 0


def test_positions_carry_live_pnl_and_decimals_as_strings(api, trader):
    make_trade(trader, status="OPEN", entry="100", size="2")
    set_tickers({BTC: "103.5"})

    (position,) = api.get("/api/trading/positions?mode=paper").json()

    assert position["unrealized_pnl"] == "7.00" and position["last_price"] == "103.5"
    assert position["entry_price"] == "100.000000000000" and position["price_stale"] is False


def test_paper_and_live_are_apart_and_mode_defaults_to_the_profile(api, trader):
    from trading.models import TradingProfile

    paper = make_trade(trader, mode="paper", pnl=1)
    live = make_trade(trader, mode="live", pnl=2)

    assert [t["id"] for t in api.get("/api/trading/history?mode=paper").json()["results"]] == [paper.pk]
    assert [t["id"] for t in api.get("/api/trading/history?mode=live").json()["results"]] == [live.pk]
    assert [t["id"] for t in api.get("/api/trading/history").json()["results"]] == [paper.pk]
    TradingProfile.objects.create(user=trader, mode="live")
    assert [t["id"] for t in api.get("/api/trading/history").json()["results"]] == [live.pk]


def test_history_pages_like_the_signal_list(api, trader):
    for _ in range(5):
        make_trade(trader, pnl=1)

    body = api.get("/api/trading/history?limit=2&offset=2").json()

    assert body["count"] == 5 and len(body["results"]) == 2
    assert "offset=4" in body["next"] and body["previous"]


def test_history_filters_and_bad_input_is_a_400_per_field(api, trader):
    now = timezone.now()
    make_trade(trader, signal_type="ICT", symbol=ETH, pnl=1, created_at=now - timedelta(days=2))
    make_trade(trader, signal_type="SNIPER", pnl=1)

    body = api.get("/api/trading/history", {"signal_type": "ICT", "symbol": "ETH"}).json()
    assert [t["symbol"] for t in body["results"]] == [ETH]
    assert api.get("/api/trading/history", {"since": (now - timedelta(days=1)).isoformat()}).json()["count"] == 1

    bad = api.get("/api/trading/history", {"status": "WON", "mode": "demo"})
    assert bad.status_code == 400 and {"status", "mode"} <= set(bad.json()["errors"])
    reversed_range = api.get("/api/trading/history", {"since": now.isoformat(), "until": now.isoformat()})
    assert reversed_range.status_code == 400 and "until" in reversed_range.json()["errors"]


def test_history_csv_takes_the_same_filters(api, trader):
    kept = make_trade(trader, signal_type="SNIPER", pnl="3.5")
    make_trade(trader, signal_type="ICT", pnl=1)

    response = api.get("/api/trading/history.csv?signal_type=SNIPER", HTTP_ACCEPT="text/csv")

    lines = b"".join(response.streaming_content).decode().splitlines()
    assert response.status_code == 200 and lines[0].startswith("id,mode,signal_type")
    assert len(lines) == 2 and lines[1].startswith(f"{kept.pk},paper,SNIPER")


def test_portfolio_summary(api, trader):
    PaperWallet.objects.create(user=trader, initial_balance=Decimal("1000"), balance=Decimal("1040"))
    make_trade(trader, pnl=40, closed_at=timezone.now() - timedelta(hours=1))
    make_trade(trader, status="OPEN", entry="100", size="1")
    set_tickers({BTC: "110"})

    body = api.get("/api/trading/portfolio?mode=paper").json()

    assert body["mode"] == "paper" and Decimal(body["total_value"]) == Decimal("1050")
    assert Decimal(body["change_24h"]) == 40 and body["change_24h_pct"] == pytest.approx(40 / 1010)
    assert body["wallet"]["available"] is True and body["wallet"]["initial_balance"] == "1000.00000000"
    assert [a["label"] for a in body["allocation"]] == [BTC, "Free USDT"]
    assert len(body["positions"]) == 1 and body["orders"] == []


def test_performance_figures_each_with_n_and_no_fake_profit_factor(api, trader):
    PaperWallet.objects.create(user=trader, initial_balance=Decimal("1000"), balance=Decimal("1000"))
    make_trade(trader, signal_type="ICT", pnl=30, r=3, closed_at=timezone.now() - timedelta(hours=2))
    make_trade(trader, signal_type="MANUAL", pnl=10, r=1)

    body = api.get("/api/analytics/performance?mode=paper").json()

    overall = body["overall"]
    assert overall["n"] == 2 and overall["roi"] == pytest.approx(0.04) and overall["avg_r"] == pytest.approx(2)
    assert overall["profit_factor"] is None and overall["profit_factor_unbounded"] is True
    assert overall["net_pnl"] == "40.00000000" and overall["final_equity"] == "1040.00000000"  # money: strings
    assert body["by_strategy"]["ICT"]["n"] == 1 and body["by_symbol"][BTC]["n"] == 2
    assert [v for _, v in body["equity_curve"]] == [1000.0, 1030.0, 1040.0]
    assert body["expectation"]["n"] == 0


def test_paper_wallet_and_transactions(api, trader, settings):
    settings.FLAXU_PAPER_INITIAL_BALANCE = Decimal("2500")

    wallet = api.get("/api/wallet/balance?mode=paper").json()
    transfers = api.get("/api/wallet/transactions?mode=paper").json()

    assert wallet["available"] and wallet["balance"] == "2500" and wallet["mode"] == "paper"
    assert transfers["results"] == [] and transfers["available"]


def test_reads_use_the_general_api_budget(api, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "api": "3/15m"})

    statuses = [api.get("/api/trading/positions").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_the_endpoints_are_in_the_schema(api):
    import yaml

    paths = yaml.safe_load(api.get("/api/schema/").content)["paths"]

    for path in [*ENDPOINTS, "/api/trading/history/{id}"]:
        assert path in paths, path
