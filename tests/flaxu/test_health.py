"""Health as a load balancer, the container HEALTHCHECK and staff see it: /healthz (liveness), /readyz
(readiness) and the admin's service-health page, with each shared service taken down in turn.

Probes go through flaxu.asgi.application (the health endpoints are answered in front of Django).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator
from django.db import connections

from flaxu.asgi import application
from tests.accounts.otp_helpers import sign_in_past_2fa
from tests.factories import UserFactory

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # port 1: nothing listens, connections are refused
SERVICES = ("database", "cache", "broker", "channel_layer")


class Answer:
    def __init__(self, response: dict) -> None:
        self.status_code = response["status"]
        self.headers = {name.decode().lower(): value.decode() for name, value in response["headers"]}
        self.content = response.get("body", b"")

    def json(self):
        return json.loads(self.content)


def probe(path: str, method: str = "GET", host: str = "127.0.0.1", **headers: str) -> Answer:
    """A request to the ASGI application, as the server would hand it over."""
    raw = [(b"host", host.encode()), *((k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items())]
    communicator = HttpCommunicator(application, method, path, headers=raw)
    return Answer(async_to_sync(communicator.get_response)(timeout=20))


def take_down_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_REDIS}
    }


def take_down_broker(settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS


def take_down_channel_layer(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [UNREACHABLE_REDIS]}}
    }


@pytest.fixture
def database_down(tmp_path):
    """New connections of this test go nowhere: PostgreSQL's port closed, or SQLite's file unreachable."""
    wrapper = connections["default"]
    settings_dict = wrapper.settings_dict  # shared by every thread's connection
    key, broken = ("PORT", "1") if wrapper.vendor == "postgresql" else ("NAME", str(tmp_path / "missing" / "db"))
    saved = settings_dict[key]
    settings_dict[key] = broken
    if wrapper.vendor == "postgresql":
        wrapper.close_pool()  # the next pool connects with the broken settings
    try:
        yield
    finally:
        settings_dict[key] = saved
        if wrapper.vendor == "postgresql":
            wrapper.close_pool()


def test_liveness_answers_from_the_process_alone_with_every_shared_service_down(settings):
    """No database mark: pytest-django makes any database access fail this test."""
    take_down_cache(settings)
    take_down_broker(settings)
    take_down_channel_layer(settings)

    response = probe("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert "no-cache" in response.headers["cache-control"]


@pytest.mark.django_db
def test_readiness_reports_every_service_ready():
    response = probe("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "services": dict.fromkeys(SERVICES, "ok")}
    assert "no-cache" in response.headers["cache-control"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("service", "take_down"),
    [("cache", take_down_cache), ("broker", take_down_broker), ("channel_layer", take_down_channel_layer)],
)
def test_readiness_is_503_naming_the_service_that_is_down(settings, service, take_down):
    take_down(settings)

    response = probe("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert list(body["errors"]) == [service]  # the others are up, and said so by their absence
    assert body["detail"] == f"Not ready: {service} unavailable."
    assert "unreachable" in body["errors"][service][0]
    assert "127.0.0.1" not in str(body)  # no hosts or URLs to the public
    assert probe("/healthz").status_code == 200


@pytest.mark.django_db
def test_readiness_is_503_naming_the_database_when_it_is_down(database_down):
    response = probe("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert list(body["errors"]) == ["database"]
    assert body["errors"]["database"][0].startswith("database unreachable (")
    assert body["detail"] == "Not ready: database unavailable."
    assert probe("/healthz").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_concurrent_readiness_probes_do_not_fail_each_other():
    """Probes from several balancers at once: each cache round trip uses its own key."""

    def one(_: int) -> int:
        return probe("/readyz").status_code

    with ThreadPoolExecutor(12) as executor:
        statuses = list(executor.map(one, range(36)))

    assert statuses == [200] * 36


@pytest.mark.django_db(transaction=True)
def test_readiness_stays_ready_while_every_pooled_connection_is_busy():
    wrapper = connections["default"]
    if wrapper.vendor != "postgresql":
        pytest.skip("the connection pool is psycopg's, used with PostgreSQL only")
    options = wrapper.settings_dict["OPTIONS"]
    original = options["pool"]
    wrapper.close()
    wrapper.close_pool()
    options["pool"] = {"min_size": 0, "max_size": 2, "timeout": 0.5}
    pool = wrapper.pool
    pool.open()
    held = [pool.getconn(), pool.getconn()]  # the load: every pooled connection in use
    try:
        response = probe("/readyz")
    finally:
        for conn in held:
            pool.putconn(conn)
        wrapper.close_pool()
        options["pool"] = original

    assert response.status_code == 200, response.content
    assert response.json()["services"]["database"] == "ok"


@pytest.mark.django_db
def test_staff_health_page_shows_each_service_with_its_latency(staff_client, settings):
    take_down_broker(settings)

    page = staff_client.get("/admin/health/")

    assert page.status_code == 200
    rows = {row["name"]: row for row in page.context["rows"]}
    assert set(rows) == {"database", "cache", "broker", "channel layer"}
    assert rows["broker"]["ok"] is False
    assert rows["broker"]["status"] == "broker unreachable (OperationalError)"
    assert all(rows[name]["ok"] for name in ("database", "cache", "channel layer"))
    assert all(row["milliseconds"] >= 0 for row in rows.values())
    html = page.content.decode()
    assert "broker unreachable (OperationalError)" in html
    assert " ms</td>" in html


@pytest.mark.django_db
def test_staff_health_page_needs_staff_past_2fa(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)  # staff, but no second factor in this session
    assert client.get("/admin/health/").status_code == 302

    trader = UserFactory()
    sign_in_past_2fa(client, trader)  # second factor, but not staff
    assert client.get("/admin/health/").status_code == 302


def test_probes_are_answered_for_any_host_and_before_the_https_redirect(settings):
    """The container's probe reaches 127.0.0.1:8000 directly: no public Host, no X-Forwarded-Proto."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["flaxu.example.com"]

    assert probe("/healthz", host="127.0.0.1").status_code == 200
    assert probe("/healthz", host="flaxu.example.com", x_forwarded_proto="https").status_code == 200
    head = probe("/healthz", method="HEAD")
    assert (head.status_code, head.content) == (200, b"")

    # Everything else still goes through Django's host check (SecurityMiddleware's redirect too).
    assert probe("/robots.txt", host="flaxu.example.com").status_code == 200
    assert probe("/robots.txt", host="127.0.0.1").status_code == 400


@pytest.mark.django_db
def test_every_admin_page_links_the_service_health_page(staff_client):
    page = staff_client.get("/admin/")

    assert page.status_code == 200
    assert 'href="/admin/health/"' in page.content.decode()
