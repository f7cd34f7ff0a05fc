"""Hostile JSON (thousands of nesting levels, oversized bodies) is a 400 in the error shape, never a 500."""

from __future__ import annotations

import pytest

from core.parsers import MAX_JSON_DEPTH
from tests.core.realtime.sockets import connect_hello, live_socket, run, session_cookie
from tests.trading.factories import grant_full

NESTED = "[" * 3000 + "]" * 3000
WRITES = [
    ("patch", "/api/me/"),
    ("post", "/api/tokens/"),
    ("post", "/api/market/alerts/"),
    ("post", "/api/credentials/"),
    ("post", "/api/backtests/"),
]


@pytest.fixture
def api(client, user):
    grant_full(user)
    client.force_login(user)
    return client


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_3000_levels_of_nesting_is_a_400_in_the_error_shape(api, method, path):
    response = getattr(api, method)(path, NESTED, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert "nested too deeply" in body["detail"]


@pytest.mark.parametrize(("method", "path"), WRITES[:3])
def test_nesting_past_the_limit_is_refused_inside_an_object_too(api, method, path):
    body = '{"name": ' + "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH + "}"
    response = getattr(api, method)(path, body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_a_body_larger_than_the_upload_limit_is_a_400(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/api/tokens/", '{"name": "' + "x" * 2000 + '"}', content_type="application/json")
    assert response.status_code == 400
    assert "too large" in response.json()["detail"]


def test_ordinary_json_still_works(api):
    response = api.post("/api/tokens/", {"name": "bot"}, content_type="application/json")
    assert response.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_deeply_nested_websocket_message_gets_an_error_and_the_socket_stays_usable(user):
    cookie = session_cookie(user)

    async def scenario():
        ws = live_socket(cookie)
        await connect_hello(ws)
        await ws.send_to(text_data='{"type": "ping", "data": ' + NESTED + "}")
        error = await ws.receive_json_from()
        assert error["type"] == "error" and "nested too deeply" in error["data"]["detail"]
        await ws.send_json_to({"type": "ping"})
        assert (await ws.receive_json_from())["type"] == "pong"
        await ws.disconnect()

    run(scenario)
