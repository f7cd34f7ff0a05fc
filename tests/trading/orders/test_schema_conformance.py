"""The order API's answers match the served OpenAPI schema: chosen and generated requests (schemathesis through
the WSGI app with a FULL user's token, the paper market priced), documented statuses and shapes, never a 5xx."""

from __future__ import annotations

import pytest

from tests.openapi import contract, explore, validated

ORDER = {"idempotency_key": "c1", "symbol": "BTC", "side": "LONG", "stop_loss": "64000", "take_profit": "67000"}


@pytest.mark.django_db(transaction=True)  # the WSGI handler closes connections between requests
def test_chosen_and_generated_requests_get_conforming_answers(settings, monkeypatch, full_user, priced):
    schema, headers = contract(full_user, settings, monkeypatch)
    for path, body, status in [
        ("/api/trading/orders/preview", ORDER, 200),
        ("/api/trading/orders", ORDER, 201),
        ("/api/trading/orders", ORDER, 409),
        ("/api/trading/orders", {**ORDER, "idempotency_key": "c2", "stop_loss": "66000"}, 400),
        ("/api/trading/orders", {"sniper_alert": 999999}, 400),
    ]:
        response = validated(schema, headers, "POST", path, body=body)
        assert response.status_code == status, (path, body, response.content[:300])
    trade_id = (
        schema["/api/trading/orders"]["POST"]
        .Case(body={**ORDER, "idempotency_key": "c3"}, media_type="application/json")
        .call(headers=headers)
        .json()["id"]
    )
    for status in (200, 409):
        response = validated(
            schema, headers, "POST", "/api/trading/positions/{id}/close", path_parameters={"id": trade_id}
        )
        assert response.status_code == status, response.content[:300]

    for path in ("/api/trading/orders", "/api/trading/orders/preview", "/api/trading/positions/{id}/close"):
        explore(schema, headers, "POST", path, max_examples=15)
