"""The Portfolio API's answers match the served OpenAPI schema: schema-valid generated requests and chosen
ones on real rows (schemathesis through the WSGI app with a FULL user's token), never a 5xx."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.openapi import contract, explore, validated
from tests.trading.portfolio.conftest import make_trade, set_tickers
from trading.models import PaperWallet, TradeOrder

PATHS = [
    "/api/trading/positions",
    "/api/trading/history",
    "/api/trading/history/{id}",
    "/api/trading/portfolio",
    "/api/analytics/performance",
    "/api/wallet/balance",
]


@pytest.mark.django_db(transaction=True)  # the WSGI handler closes connections between requests
def test_generated_and_chosen_requests_get_conforming_answers(settings, monkeypatch, trader):
    schema, headers = contract(trader, settings, monkeypatch)
    PaperWallet.objects.create(user=trader, initial_balance=Decimal("1000"), balance=Decimal("1010"))
    open_trade = make_trade(trader, status="OPEN")
    TradeOrder.objects.create(trade=open_trade, role="STOP", side="sell", client_order_id="c-stop", amount=1,
                              trigger_price=Decimal("90"), status="open")  # fmt: skip
    closed = make_trade(trader, signal_type="ICT", pnl=10, r=1)
    make_trade(trader, signal_type="SNIPER", pnl=-4, r=-0.4)
    set_tickers({open_trade.symbol: "101"})

    for path, case, status in [
        ("/api/trading/positions", {"query": {"mode": "paper"}}, 200),
        ("/api/trading/history", {"query": {"mode": "paper", "limit": 1}}, 200),
        ("/api/trading/history/{id}", {"path_parameters": {"id": closed.pk}}, 200),
        ("/api/trading/history/{id}", {"path_parameters": {"id": 10**6}}, 404),
        ("/api/trading/history.csv", {"query": {"signal_type": "ICT"}}, 200),
        ("/api/trading/portfolio", {"query": {"mode": "paper"}}, 200),
        ("/api/trading/portfolio", {"query": {"mode": "live"}}, 200),  # no key: unavailable, not an error
        ("/api/analytics/performance", {"query": {"mode": "paper"}}, 200),
        ("/api/wallet/balance", {"query": {"mode": "paper"}}, 200),
        ("/api/wallet/transactions", {"query": {"mode": "paper"}}, 200),
        ("/api/trading/history", {"query": {"symbol": ""}}, 400),
    ]:
        assert validated(schema, headers, "GET", path, **case).status_code == status, (path, case)

    for path in PATHS:
        explore(schema, headers, "GET", path, max_examples=8)
