"""The settings API's answers match the served OpenAPI schema: generated and chosen requests (schemathesis
through the WSGI app with a FULL user's token), documented status codes and shapes, never a 5xx."""

from __future__ import annotations

import pytest

from tests.openapi import contract, explore, validated

OPERATIONS = [
    ("GET", "/api/trading/settings"),
    ("PATCH", "/api/trading/settings"),
    ("PUT", "/api/trading/settings"),
    ("POST", "/api/trading/kill-switch"),
    ("POST", "/api/trading/paper-wallet/reset"),
    ("GET", "/api/trading/global-pause"),
    ("POST", "/api/trading/global-pause"),
]


@pytest.mark.django_db(transaction=True)  # the WSGI handler closes connections between requests
def test_generated_and_chosen_requests_get_conforming_answers(settings, monkeypatch, full_user):
    schema, headers = contract(full_user, settings, monkeypatch)
    for method, path, body, status in [
        ("GET", "/api/trading/settings", None, 200),
        ("PATCH", "/api/trading/settings", {"risk_pct": "2", "symbols": ["BTC/USDT"]}, 200),
        ("PATCH", "/api/trading/settings", {"risk_pct": "2.01"}, 400),
        ("PUT", "/api/trading/settings", {"mode": "live", "acknowledge_live_risk": True}, 400),
        ("POST", "/api/trading/kill-switch", None, 200),
        ("POST", "/api/trading/paper-wallet/reset", {"initial_balance": "2500"}, 200),
        ("POST", "/api/trading/paper-wallet/reset", {"initial_balance": "99"}, 400),
        ("POST", "/api/trading/global-pause", {"paused": True}, 403),  # not staff
    ]:
        case = {} if body is None else {"body": body}
        response = validated(schema, headers, method, path, **case)
        assert response.status_code == status, (method, path, body, response.content[:300])

    for method, path in OPERATIONS:
        explore(schema, headers, method, path)
