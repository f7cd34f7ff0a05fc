"""The settings API's answers match the served OpenAPI schema: generated and chosen requests (schemathesis
through the WSGI app with a FULL user's token), documented status codes and shapes, never a 5xx."""

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
OPERATIONS = [
    ("GET", "/api/trading/settings"),
    ("PATCH", "/api/trading/settings"),
    ("PUT", "/api/trading/settings"),
    ("POST", "/api/trading/kill-switch"),
    ("GET", "/api/trading/global-pause"),
    ("POST", "/api/trading/global-pause"),
]


@pytest.fixture
def contract(settings, monkeypatch, full_user):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"api": "10000/m", "auth": "10000/m", "trading": "10000/m"}
    )
    _token, key = token_create(user=full_user, name="contract")
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    return schema, {"Authorization": f"Token {key}"}


@pytest.mark.django_db(transaction=True)  # the WSGI handler closes connections between requests
def test_generated_and_chosen_requests_get_conforming_answers(contract):
    schema, headers = contract
    for method, path, body, status in [
        ("GET", "/api/trading/settings", None, 200),
        ("PATCH", "/api/trading/settings", {"risk_pct": "2", "symbols": ["BTC/USDT"]}, 200),
        ("PATCH", "/api/trading/settings", {"risk_pct": "2.01"}, 400),
        ("PUT", "/api/trading/settings", {"mode": "live", "acknowledge_live_risk": True}, 400),
        ("POST", "/api/trading/kill-switch", None, 200),
        ("POST", "/api/trading/global-pause", {"paused": True}, 403),  # not staff
    ]:
        operation = schema[path][method]
        case = operation.Case(body=body, media_type="application/json") if body is not None else operation.Case()
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)
        assert response.status_code == status, (method, path, body, response.content[:300])

    for method, path in OPERATIONS:

        @given(case=schema[path][method].as_strategy())
        @hypothesis_settings(
            max_examples=10,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
