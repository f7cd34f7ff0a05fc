"""The order API's answers match the served OpenAPI schema: chosen and generated requests (schemathesis through
the WSGI app with a FULL user's token, the paper market priced), documented statuses and shapes, never a 5xx."""

from __future__ import annotations

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

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ORDER = {"idempotency_key": "c1", "symbol": "BTC", "side": "LONG", "stop_loss": "64000", "take_profit": "67000"}


@pytest.fixture
def contract(settings, monkeypatch, full_user, priced):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"api": "10000/m", "auth": "10000/m", "trading": "10000/m"}
    )
    _token, key = token_create(user=full_user, name="contract")
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    return schema, {"Authorization": f"Token {key}"}


@pytest.mark.django_db(transaction=True)  # the WSGI handler closes connections between requests
def test_chosen_and_generated_requests_get_conforming_answers(contract):
    schema, headers = contract
    for path, body, status in [
        ("/api/trading/orders/preview", ORDER, 200),
        ("/api/trading/orders", ORDER, 201),
        ("/api/trading/orders", ORDER, 409),
        ("/api/trading/orders", {**ORDER, "idempotency_key": "c2", "stop_loss": "66000"}, 400),
        ("/api/trading/orders", {"sniper_alert": 999999}, 400),
    ]:
        case = schema[path]["POST"].Case(body=body, media_type="application/json")
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)
        assert response.status_code == status, (path, body, response.content[:300])
    trade_id = (
        schema["/api/trading/orders"]["POST"]
        .Case(body={**ORDER, "idempotency_key": "c3"}, media_type="application/json")
        .call(headers=headers)
        .json()["id"]
    )
    close = schema["/api/trading/positions/{id}/close"]["POST"]
    for status in (200, 409):
        case = close.Case(path_parameters={"id": trade_id})
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)
        assert response.status_code == status, response.content[:300]

    for path in ("/api/trading/orders", "/api/trading/orders/preview", "/api/trading/positions/{id}/close"):

        @given(case=schema[path]["POST"].as_strategy())
        @hypothesis_settings(
            max_examples=15,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
