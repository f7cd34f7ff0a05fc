"""Checking answers against the served OpenAPI schema with schemathesis, through the WSGI app.

``contract(user)`` gives the served schema and a token header for ``user``; ``validated`` sends one chosen
request and checks its answer; ``explore`` sends schema-valid generated requests (deterministic, bounded).
Every answer must be documented (status and content type), match its documented shape, and never be a 5xx.
Tests using these need ``django_db(transaction=True)``: the WSGI handler closes connections between requests.
"""

from __future__ import annotations

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
ROOMY_RATES = {"api": "10000/m", "auth": "10000/m", "trading": "10000/m"}


def contract(user, settings, monkeypatch):
    """The schema as served, wired to the WSGI app, and ``user``'s token header; budgets roomy enough to explore."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", dict(ROOMY_RATES))
    _token, key = token_create(user=user, name="contract")
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    return schema, {"Authorization": f"Token {key}"}


def validated(schema, auth: dict, method: str, path: str, **case):
    """Send one chosen request with the ``auth`` headers (``case``: path_parameters, query, body, headers...)
    and check its answer."""
    if "body" in case:
        case.setdefault("media_type", "application/json")
    call = schema[path][method].Case(**case)
    response = call.call(headers={**auth, **case.get("headers", {})})
    call.validate_response(response, checks=CHECKS)
    return response


def explore(schema, headers: dict, method: str, path: str, max_examples: int = 10) -> None:
    """Send ``max_examples`` schema-valid generated requests to one operation; each answer must conform."""

    @given(case=schema[path][method].as_strategy())
    @hypothesis_settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()
