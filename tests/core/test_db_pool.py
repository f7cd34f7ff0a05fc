"""More concurrent requests than the database pool has connections: 503 with Retry-After, never a 500.

PostgreSQL only: the pool is psycopg's (DATABASES OPTIONS["pool"], FLAXU_DB_POOL_*); SQLite has none.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from accounts.models import ApiToken, User
from accounts.services.tokens import token_create
from tests.serving import start_serve

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the connection pool is psycopg's, used with PostgreSQL only (run with DATABASE_URL=postgres://...)",
)
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture
def small_pool(transactional_db):
    """This process's pool rebuilt with 2 connections and a 0.5 s wait; the original is restored after."""
    options = connection.settings_dict["OPTIONS"]
    original = options["pool"]
    connection.close()
    connection.close_pool()
    options["pool"] = {"min_size": 0, "max_size": 2, "timeout": 0.5}
    try:
        yield connection.pool
    finally:
        connection.close()
        connection.close_pool()
        options["pool"] = original


def test_settings_pool_every_postgresql_connection():
    pool = settings.DATABASES["default"]["OPTIONS"]["pool"]
    assert pool["max_size"] >= pool["min_size"] >= 0
    assert pool["timeout"] > 0
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 0  # Django refuses persistent connections with a pool


def test_a_request_finding_every_pooled_connection_busy_gets_503_with_retry_after(small_pool, user):
    _token, key = token_create(user=user, name="pool")
    page_client = Client(raise_request_exception=False)
    page_client.force_login(user)
    connection.close()  # this thread's connection goes back to the pool...
    held = [small_pool.getconn(), small_pool.getconn()]  # ...which two long requests now hold
    try:

        def call(kind: str):
            client = Client(raise_request_exception=False)
            if kind == "api":
                return client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}")
            page_client_copy = Client(raise_request_exception=False)
            page_client_copy.cookies = page_client.cookies
            return page_client_copy.get("/dashboard/")

        # Each in its own thread, so each needs its own connection from the pool (as under ASGI).
        with ThreadPoolExecutor(6) as executor:
            responses = list(executor.map(call, ["api", "page"] * 3))
    finally:
        for conn in held:
            small_pool.putconn(conn)

    for response in responses:
        assert response.status_code == 503
        assert response["Retry-After"] == "2"
        assert "no-cache" in response["Cache-Control"]
    api, page = responses[0], responses[1]
    assert api["Content-Type"] == "application/json"
    assert api.json() == {
        "detail": "FLAXU is busy right now (too many requests at once); try again in a few seconds.",
        "errors": {},
    }
    assert page["Content-Type"].startswith("text/html")
    assert b"FLAXU is busy right now" in page.content

    # Connections free again: the same requests are served.
    assert Client().get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert page_client.get("/dashboard/").status_code == 200


@pytest.mark.integration
def test_requests_beyond_the_pool_on_the_production_server_get_503s_never_500s(transactional_db, user, tmp_path):
    """bin/serve with one pooled connection and a 0.2 s wait. A slow query (here: a table lock the test
    holds) keeps that connection busy while 24 more requests, API and page, arrive at once."""
    _token, key = token_create(user=user, name="burst")
    page_client = Client()
    page_client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={page_client.cookies[settings.SESSION_COOKIE_NAME].value}"
    served = start_serve(
        tmp_path, DEBUG="False", FLAXU_WEB_PROCESSES="1", FLAXU_DB_POOL_MAX="1", FLAXU_DB_POOL_TIMEOUT="0.2"
    )

    def call(path: str) -> tuple[str, int, str | None, str]:
        headers = {"Authorization": f"Token {key}"} if path.startswith("/api/") else {"Cookie": cookie}
        request = urllib.request.Request(f"{served.url}{path}", headers=headers)
        try:
            with NO_PROXY.open(request, timeout=60) as response:
                return path, response.status, response.headers.get("Retry-After"), response.read().decode()
        except urllib.error.HTTPError as exc:
            return path, exc.code, exc.headers.get("Retry-After"), exc.read().decode()

    try:
        with ThreadPoolExecutor(25) as executor:
            with transaction.atomic(), connection.cursor() as cursor:
                tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in (ApiToken, User))
                cursor.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
                futures = [executor.submit(call, path) for path in ["/api/me/"] * 13 + ["/dashboard/"] * 12]
                time.sleep(2)  # every request has arrived: one waits on the lock, the rest on the pool
            results = [future.result() for future in futures]
        after = call("/api/me/")  # the slow query is done: requests are served again
    finally:
        served.process.stop()

    statuses = Counter(status for _path, status, _retry, _body in results)
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[503] >= 20, statuses
    for path, status, retry_after, body in results:
        if status == 503:
            assert retry_after == "2"
            if path.startswith("/api/"):
                assert json.loads(body)["detail"].startswith("FLAXU is busy right now")
            else:
                assert "FLAXU is busy right now" in body
    assert after[1] == 200, after
