"""The Portfolio API's answers match the served OpenAPI schema: schema-valid generated requests and chosen
ones on real rows (schemathesis through the WSGI app with a FULL user's token), never a 5xx."""

from __future__ import annotations

from decimal import Decimal

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services.tokens import token_create
from tests.trading.portfolio.conftest import make_trade, set_tickers
from trading.models import PaperWallet, TradeOrder

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
PATHS = [
    "/api/trading/positions",
    "/api/trading/history",
    "/api/trading/history/{id}",
    "/api/trading/portfolio",
    "/api/analytics/performance",
    "/api/wallet/balance",
]


@pytest.fixture
def contract(settings, monkeypatch, trader):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"api": "10000/m", "auth": "10000/m", "trading": "10000/m"}
    )
    _token, key = token_create(user=trader, name="contract")
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    return schema, {"Authorization": f"Token {key}"}


@pytest.mark.django_db(transaction=True)  # the WSGI handler closes connections between requests
def test_generated_and_chosen_requests_get_conforming_answers(contract, trader):
    schema, headers = contract
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
        call = schema[path]["GET"].Case(**case)
        response = call.call(headers=headers)
        call.validate_response(response, checks=CHECKS)
        assert response.status_code == status, (path, case)

    for path in PATHS:

        @given(case=schema[path]["GET"].as_strategy())
        @hypothesis_settings(
            max_examples=8,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
