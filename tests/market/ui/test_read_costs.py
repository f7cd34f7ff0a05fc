"""What one cached market read costs: database queries and cache calls, per kind of caller.

The market endpoints are polled by every open Markets page and by API clients, so their cost per
request is pinned here: a token or anonymous read of a warm cache makes no database query, and a
fixed number of cache calls (the token's cached authentication, one throttle counter, the data). A
signed-in browser reads only its session row and its user row (the password-hash check, the active flag,
the allow-list); its Access and whether it has a second factor come from the same cache as a token's.
A change that adds a query or a cache call to this path fails here. Tokens and sessions stay refused
at once when revoked, suspended, deactivated, signed out, enrolled in 2FA or called from outside their
allow-list, cache or no cache.
"""

from __future__ import annotations

import contextvars
import re
import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services.tokens import token_create, token_revoke
from gatekeeper import token_cache
from gatekeeper.models import Access, Level
from gatekeeper.services.overrides import access_override
from gatekeeper.token_cache import token_remember
from market import api as market_api
from market.api import MarketDataThrottle, answer_key
from market.services.snapshots import tickers_refresh
from tests.trading.factories import grant_full

from .conftest import BTC

pytestmark = pytest.mark.django_db

# Endpoint → the cache calls its data takes once warm: the serialized answer (market.api.answer_cached);
# the source summary reads no cache at all.
READS = [
    ("api_market_source", "", 0),
    ("api_market_tickers", "", 1),
    ("api_market_candles", f"?symbol={BTC}&timeframe=15m&limit=5", 1),
    ("api_market_funding", "", 1),
    ("api_market_long_short", "", 1),
    ("api_market_open_interest", "", 1),
    ("api_market_arbitrage", "", 1),
    ("api_market_heatmap", f"?symbol={BTC}", 1),
    ("api_market_fear_greed", "", 1),
    ("api_market_altcoin_season", "", 1),
    ("api_market_top_coins", "?per_page=5", 1),
]
# Once the kept answer has expired: tickers of every exchange in one get_many; the heatmap marks its
# symbol as watched (add), then reads the map; the top list, then live prices.
EXPIRED_DATA_CALLS = {"api_market_heatmap": 2, "api_market_top_coins": 2}
THROTTLE_CALLS = 1  # one counter increment
TOKEN_CALLS = 1  # the token's cached authentication
# The session row (deleting it ends the session at once) and the user row (Django's session hash check
# against the password, the active flag, the allow-list); nothing else, once the user's gates are cached.
SESSION_TABLES = ["django_session", "accounts_user"]
SESSION_CALLS = 1  # the user's cached gates: Access and "has a 2FA device" (gatekeeper.token_cache.user_gate)

_CACHE_METHODS = ("get", "set", "add", "delete", "get_many", "set_many", "delete_many", "incr", "decr", "touch",
                  "has_key", "get_or_set")  # fmt: skip


@contextmanager
def cache_calls(monkeypatch):
    """Every call made on the default cache (outermost only: get_or_set's inner get is not counted)."""
    calls: list[tuple[str, str]] = []
    backend, depth = caches["default"], [0]
    for name in _CACHE_METHODS:
        original = getattr(backend, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            if depth[0] == 0:
                calls.append((_name, args[0] if args else None))
            depth[0] += 1
            try:
                return _original(*args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(backend, name, counted)
    try:
        yield calls
    finally:
        for name in _CACHE_METHODS:
            monkeypatch.delattr(backend, name)


def settled(user) -> None:
    """As if the seconds after the user's creation had passed: the change leaves a short-lived marker
    (gatekeeper.token_cache) under which their gates are read from the database and not cached."""
    cache.delete(token_cache._user_key(user.pk))


def tables(queries: list[str]) -> list[str]:
    return [re.search(r'FROM "(\w+)"', q).group(1) for q in queries]


def caller(kind: str, user) -> APIClient:
    client = APIClient()
    if kind == "session":
        client.force_login(user)
    elif kind == "token":
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user, name='reader')[1]}")
    return client


def cost(client: APIClient, url: str, monkeypatch):
    with CaptureQueriesContext(connection) as queries, cache_calls(monkeypatch) as calls:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return [q["sql"] for q in queries.captured_queries], calls


@pytest.mark.parametrize("kind", ["anonymous", "token", "session"])
@pytest.mark.parametrize(("name", "query", "data_calls"), READS)
def test_a_cached_market_read_costs_no_more_than_its_budget(market, user, monkeypatch, kind, name, query, data_calls):
    settled(user)
    client = caller(kind, user)
    url = reverse(name) + query
    client.get(url)  # warms the widget (and the token's entry), as the first visitor of the minute does

    queries, calls = cost(client, url, monkeypatch)

    auth_calls = {"token": TOKEN_CALLS, "session": SESSION_CALLS}.get(kind, 0)
    assert tables(queries) == (SESSION_TABLES if kind == "session" else []), queries
    assert len(calls) <= data_calls + THROTTLE_CALLS + auth_calls, calls
    if kind == "session":
        assert [c for c in calls if "auth:" in str(c[1])] == [("get", token_cache._user_key(user.pk))], calls
    # No throttle history is read and written back: one counter increment.
    throttle = [c for c in calls if "throttle" in str(c[1])]
    assert [c[0] for c in throttle] == ["incr"], calls


@pytest.mark.parametrize(("name", "query", "data_calls"), READS)
def test_a_market_read_whose_kept_answer_expired_reads_only_the_cached_data(
    market, user, monkeypatch, name, query, data_calls
):
    client = caller("token", user)
    url = reverse(name) + query
    client.get(url)
    cache.delete(answer_key(resolve(reverse(name)).func.view_class.__name__, query.lstrip("?")))

    queries, calls = cost(client, url, monkeypatch)

    answer = [c for c in calls if "market:answer" in str(c[1])]
    data = [c for c in calls if c not in answer and "throttle" not in str(c[1]) and "auth:token" not in str(c[1])]
    assert queries == [] and len(data) <= EXPIRED_DATA_CALLS.get(name, 1), calls


def test_a_kept_answer_is_at_most_answer_seconds_old(market, user, monkeypatch):
    monkeypatch.setattr(market_api, "ANSWER_SECONDS", 1)
    client, url = caller("token", user), reverse("api_market_tickers")
    first = client.get(url).json()["updated_at"]
    time.sleep(0.05)
    tickers_refresh()

    assert client.get(url).json()["updated_at"] == first  # kept
    time.sleep(1.1)
    assert client.get(url).json()["updated_at"] > first  # the refreshed snapshot


def test_the_first_token_call_of_a_minute_reads_the_database_and_the_next_ones_do_not(market, user, monkeypatch):
    client = caller("token", user)
    url = reverse("api_market_source")

    first, _ = cost(client, url, monkeypatch)
    second, _ = cost(client, url, monkeypatch)

    assert any("accounts_apitoken" in q for q in first) and second == []


@pytest.fixture
def token_reader(market, user, monkeypatch):
    """A token client whose authentication is cached (two reads made), and a read's status code."""
    token, key = token_create(user=user, name="reader")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = reverse("api_market_tickers")
    for _ in range(2):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert queries.captured_queries == []  # cached from here on
    return token, lambda: client.get(url, REMOTE_ADDR="127.0.0.1")


def test_a_revoked_token_is_refused_on_its_next_call(token_reader):
    token, read = token_reader
    token_revoke(token=token)
    response = read()
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


def test_a_suspended_users_token_is_refused_on_its_next_call(token_reader, user):
    _, read = token_reader
    access_override(user=user, level=Level.SUSPENDED, reason="Chargeback under review.", expires_at=None, actor=None)
    response = read()
    assert response.status_code == 403 and "Chargeback under review." in response.json()["detail"]

    access_override(user=user, level="", reason="Resolved.", expires_at=None, actor=None)  # lifted: served again
    assert read().status_code == 200


def test_a_deactivated_account_and_a_new_allow_list_apply_on_the_next_call(token_reader, user):
    _, read = token_reader
    user.allowed_ips = "198.51.100.0/24"
    user.save()
    refused = read()
    assert refused.status_code == 401 and "allow-list" in refused.json()["detail"]

    user.allowed_ips = ""
    user.is_active = False
    user.save()
    response = read()
    assert response.status_code == 401 and "disabled" in response.json()["detail"]


def test_a_deleted_account_leaves_no_usable_cached_token(token_reader, user):
    _, read = token_reader
    user.delete()
    assert read().status_code == 401


def test_the_cached_user_carries_no_password_hash(token_reader, user):
    entries = [v for k, v in cache.get_many([f"auth:token:{token_reader[0].key_hash}"]).items()]
    assert entries and "password" not in entries[0]["user"][0]
    assert user.password not in repr(entries)


def test_the_per_user_read_budget_still_applies_and_says_when_to_retry(market, user, monkeypatch):
    monkeypatch.setattr(MarketDataThrottle, "rate", "3/15m")
    client = caller("token", user)
    url = reverse("api_market_source")
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = client.get(url)
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 900
    assert caller("token", type(user).objects.create_user(email="other@example.com")).get(url).status_code == 200


def test_a_counter_keeps_its_own_lifetime_when_incremented():
    # Django's file cache re-set an incremented entry for 5 minutes: a throttle window outlived its end.
    cache.add("lifetime-probe", 1, 1)
    assert cache.incr("lifetime-probe") == 2
    time.sleep(1.2)
    assert cache.get("lifetime-probe") is None


@pytest.mark.skipif(not settings.REDIS_URL, reason="Redis mode only")
def test_requests_in_new_contexts_reuse_the_processes_redis_connections():
    # Under ASGI each request runs in a new context, where Django makes a new cache backend: each used
    # to open its own pool, so every request connected to Redis anew.
    # Counted on this process's pools, not on the Redis server (other processes connect to it too).
    def pool_of_a_new_context():
        backend = caches["default"]
        backend.get("market:snapshot:tickers:bingx")
        return backend._cache._get_connection_pool(write=True)

    pools = {id(contextvars.Context().run(pool_of_a_new_context)) for _ in range(20)}
    assert len(pools) == 1


def test_a_request_that_read_the_token_before_its_revocation_cannot_cache_it_afterwards(token_reader):
    token, read = token_reader
    stale_user, stale_token = token.user, ApiToken.objects.get(pk=token.pk)  # read before the revoke ...
    stale_access = Access.objects.filter(user=stale_user).first()
    token_revoke(token=token)
    token_remember(token.key_hash, stale_user, stale_token, stale_access)  # ... and cached after it

    assert read().status_code == 401


def test_a_signed_in_markets_page_reads_only_the_session_and_the_user(market, user):
    settled(user)
    client = caller("session", user)
    assert client.get("/markets/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/markets/").status_code == 200
    assert tables([q["sql"] for q in queries.captured_queries]) == SESSION_TABLES


@pytest.mark.parametrize("kind", ["token", "session"])
def test_the_signals_api_checks_full_access_without_reading_it_again(market, user, kind):
    # FULL access is decided from the Access the authentication already holds (cached), not a second query.
    grant_full(user)
    settled(user)
    client = caller(kind, user)
    url = reverse("api_signal_list")
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    auth = SESSION_TABLES if kind == "session" else []
    assert tables([q["sql"] for q in queries.captured_queries]) == [*auth, "trading_signal"]


@pytest.fixture
def session_reader(market, user):
    """A signed-in FULL user whose gates are cached, and a status code of their next /api/signals/ read."""
    grant_full(user)
    settled(user)
    client = caller("session", user)
    url = reverse("api_signal_list")
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert "gatekeeper_access" not in str(queries.captured_queries)  # cached from here on
    return client, lambda: client.get(url, REMOTE_ADDR="127.0.0.1")


def test_a_suspension_or_a_lost_full_access_refuses_the_session_on_its_next_read(session_reader, user):
    _, read = session_reader
    access_override(user=user, level=Level.SUSPENDED, reason="Chargeback under review.", expires_at=None, actor=None)
    refused = read()
    assert refused.status_code == 403 and "Chargeback under review." in refused.json()["detail"]

    access_override(user=user, level=Level.LIMITED, reason="Key removed.", expires_at=None, actor=None)
    refused = read()
    assert refused.status_code == 403 and "needs FULL access" in refused.json()["detail"]

    access_override(user=user, level=Level.FULL, reason="Restored.", expires_at=None, actor=None)
    assert read().status_code == 200


def test_a_second_factor_enrolled_elsewhere_is_asked_for_on_the_next_read(session_reader, user):
    from django_otp.plugins.otp_static.models import StaticDevice

    _, read = session_reader
    StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    refused = read()
    assert refused.status_code == 403 and "Two-factor" in refused.json()["detail"]


def test_a_new_allow_list_ends_the_session_on_its_next_read(session_reader, user):
    _, read = session_reader
    user.allowed_ips = "198.51.100.0/24"
    user.save()
    refused = read()
    assert refused.status_code == 403 and "allow-list" in refused.json()["detail"]


@pytest.mark.parametrize("change", ["deactivated", "password changed", "signed out"])
def test_a_session_ended_by_its_user_or_account_is_refused_on_its_next_read(session_reader, user, change):
    client, read = session_reader
    if change == "deactivated":
        user.is_active = False
        user.save()
    elif change == "password changed":
        user.set_password("a-new-long-passphrase")
        user.save()
    else:
        client.logout()
    assert read().status_code in (401, 403)
