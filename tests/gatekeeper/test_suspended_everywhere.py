"""SUSPENDED means no access by any route, session or API token alike, except the user's own status and
their GDPR rights; every refusal is a 403 that says why."""

from __future__ import annotations

import re

import pytest
from django.urls import URLResolver, get_resolver

from accounts.models import ApiToken
from accounts.services.tokens import token_create
from gatekeeper import rules
from gatekeeper.selectors import suspension_refusal
from gatekeeper.services.overrides import access_override

pytestmark = pytest.mark.django_db

STATUS = "/api/gatekeeper/status"
REASON = "Chargeback under review"
# The API's own documentation is the same public text for everyone.
PUBLIC = ("/api/schema/", "/api/docs/")


def api_routes() -> list[str]:
    """Every API path of the site, with 1 for each id."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    routes = {"/" + re.sub(r"<\w+:\w+>", "1", route) for route in walk(get_resolver().url_patterns)}
    return sorted(r for r in routes if r.startswith("/api/") and r not in PUBLIC)


@pytest.fixture
def suspended(user):
    access_override(user=user, level=rules.SUSPENDED, reason=REASON, expires_at=None, actor=None)
    return user


@pytest.fixture
def token(user) -> str:
    """A token made before the suspension."""
    _, key = token_create(user=user, name="bot")
    return key


def assert_refused(response, route: str) -> None:
    assert response.status_code == 403, (route, response.status_code, response.content[:200])
    body = response.json()
    assert set(body) == {"detail", "errors"}, route
    assert body["detail"].startswith(f"Your account is suspended: {REASON}"), route
    assert "export or delete your data" in body["detail"]


def test_a_suspended_accounts_token_opens_no_endpoint(client, token, suspended):
    routes = api_routes()
    assert {"/api/tokens/", "/api/market/alerts/", "/api/credentials/", "/api/market/tickers/"} <= set(routes)
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    for route in routes:
        if route == STATUS:
            continue
        for method in ("get", "post", "patch", "delete"):
            assert_refused(getattr(client, method)(route, content_type="application/json", **auth), route)
    assert ApiToken.objects.filter(user=suspended).count() == 1  # no new token


def test_a_suspended_session_opens_no_endpoint(client, suspended):
    client.force_login(suspended)
    for route in api_routes():
        if route != STATUS:
            assert_refused(client.get(route), route)
            assert_refused(client.post(route, {}, content_type="application/json"), route)


def test_a_suspended_user_reads_their_own_status_by_token_and_by_session(client, token, suspended):
    by_token = client.get(STATUS, HTTP_AUTHORIZATION=f"Token {token}")
    assert by_token.status_code == 200
    assert by_token.json()["level"] == rules.SUSPENDED and by_token.json()["reason"] == REASON
    client.force_login(suspended)
    by_session = client.get(STATUS)
    assert by_session.status_code == 200 and by_session.json()["level"] == rules.SUSPENDED


def test_suspended_pages_lead_to_the_status_page_and_the_gdpr_rights_stay(client, suspended):
    client.force_login(suspended)
    for page in ("/dashboard/", "/markets/", "/account/keys/", "/account/tokens/"):
        assert client.get(page)["Location"] == "/access/", page
    assert client.get("/access/").status_code == 200
    assert client.post("/account/data/export/").status_code == 200


def test_a_suspended_user_still_reads_their_notifications(client, suspended):
    client.force_login(suspended)
    assert client.get("/account/notifications/").status_code == 200
    assert client.get("/account/notifications/badge/").status_code == 200


def test_a_lifted_suspension_opens_the_api_again(client, token, suspended):
    access_override(user=suspended, level="", reason="Resolved", expires_at=None, actor=None)
    assert client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def test_the_one_suspension_check(user, suspended):
    assert suspension_refusal(suspended) == f"Your account is suspended: {REASON}"
    from django.contrib.auth.models import AnonymousUser

    assert suspension_refusal(AnonymousUser()) is None
