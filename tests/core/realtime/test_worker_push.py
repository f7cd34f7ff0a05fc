"""A real Celery worker pushes to a user, and that user's websocket receives it (both transports)."""

from __future__ import annotations

import json
import uuid

import pytest
from django.conf import settings
from websockets.sync.client import connect

from accounts.services.tokens import token_create
from core.realtime.tasks import notify_user
from tests.core.realtime.sockets import connect_hello, live_socket, receive_type, run, session_cookie

pytestmark = pytest.mark.integration


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (channels-redis crosses processes)")
def test_worker_push_reaches_a_socket_through_redis(celery_worker_process, user):
    cookie = session_cookie(user)
    nonce = uuid.uuid4().hex

    async def scenario():
        ws = live_socket(cookie)
        await connect_hello(ws)
        notify_user.delay(user.pk, "notice", {"nonce": nonce})
        message = await receive_type(ws, "notice", timeout=20)
        assert message["data"] == {"nonce": nonce}
        await ws.disconnect()

    run(scenario)


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="the outbox carries pushes only without Redis")
def test_worker_push_reaches_a_daphne_socket_through_the_outbox(live_asgi_server, celery_worker_process, user):
    # The relay lives in the web process, so the socket must be one that Daphne serves.
    _token, key = token_create(user=user, name="integration")
    nonce = uuid.uuid4().hex
    with connect(
        live_asgi_server.ws_url,
        additional_headers={"Authorization": f"Token {key}"},
        origin=live_asgi_server.origin,
        proxy=None,
        open_timeout=10,
    ) as ws:
        hello = json.loads(ws.recv(timeout=10))
        assert hello == {"type": "hello", "data": {"user": user.pk, "groups": [f"user.{user.pk}"]}}
        notify_user.delay(user.pk, "notice", {"nonce": nonce})
        message = json.loads(ws.recv(timeout=20))
        assert message == {"type": "notice", "data": {"nonce": nonce}}
