"""GET /api/notifications/ (the caller's own, newest first, limit/offset pages) and POST /api/notifications/read/,
and both answer as the served OpenAPI schema says."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Notification
from accounts.services.notifications import notify
from accounts.services.tokens import token_create
from tests.factories import UserFactory
from tests.openapi import contract, validated

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user, name='reader')[1]}")
    return client


def test_the_list_is_mine_newest_first_in_pages(api, user):
    Notification.objects.bulk_create(
        Notification(user=user, kind="alert", title=f"Alert {n}", created_at=timezone.now() + timedelta(seconds=n))
        for n in range(5)
    )
    notify(user=UserFactory(), kind="alert", title="Not mine")
    Notification.objects.filter(title="Alert 0").update(read_at=timezone.now())

    page = api.get("/api/notifications/?limit=2").json()
    rest = api.get("/api/notifications/?limit=2&offset=4").json()

    assert page["count"] == 5
    assert [n["title"] for n in page["results"]] == ["Alert 4", "Alert 3"]
    assert page["next"].endswith("/api/notifications/?limit=2&offset=2") and page["previous"] is None
    assert set(page["results"][0]) == {"id", "kind", "title", "body", "link", "created_at", "read_at"}
    assert [(n["title"], n["read_at"] is not None) for n in rest["results"]] == [("Alert 0", True)]


def test_read_marks_all_mine_and_says_how_many(api, user):
    for n in range(3):
        notify(user=user, kind="alert", title=f"Alert {n}")
    theirs = notify(user=UserFactory(), kind="alert", title="Not mine")

    assert api.post("/api/notifications/read/").json() == {"marked_read": 3}
    assert api.post("/api/notifications/read/").json() == {"marked_read": 0}
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert api.get("/api/notifications/read/").status_code == 405


def test_signed_out_callers_are_refused(client):
    assert client.get("/api/notifications/").status_code == 401
    assert client.post("/api/notifications/read/").status_code == 401


def test_a_session_needs_csrf_to_mark_read(user):
    notify(user=user, kind="alert", title="Alert")
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(user)

    assert browser.get("/api/notifications/").status_code == 200
    assert browser.post("/api/notifications/read/").status_code == 403
    assert Notification.objects.get(user=user).read_at is None


@pytest.mark.django_db(transaction=True)  # the WSGI handler closes connections between requests
def test_answers_conform_to_the_served_schema(settings, monkeypatch, user):
    notify(user=user, kind="access", title="Access is now FULL", body="Deposits credited.", link="/access/")
    schema, auth = contract(user, settings, monkeypatch)

    for method, path, case, status in [
        ("GET", "/api/notifications/", {}, 200),
        ("GET", "/api/notifications/", {"query": {"limit": 1, "offset": 0}}, 200),
        ("POST", "/api/notifications/read/", {}, 200),
        ("GET", "/api/notifications/", {"headers": {"Authorization": "Token wrong"}}, 401),
    ]:
        assert validated(schema, auth, method, path, **case).status_code == status, (method, path, case)
