"""Websockets under load against a real server: idle sockets stay open, a Redis outage closes nothing,
500 simultaneous connects are all admitted, and a mass disconnect leaves no member in any group."""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import redis
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from accounts.services.tokens import token_create
from core.realtime.push import push
from flaxu.sockets.consumers import CLOSE_TRY_AGAIN_LATER
from tests.core.realtime.tcp_proxy import TcpProxy
from tests.processes import LiveServer, _wait_healthy, _watch, start_process, subprocess_env

pytestmark = pytest.mark.integration
needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (channels-redis)")

BURST = 500


# --- helpers --------------------------------------------------------------------------------------


async def open_socket(url: str, key: str, timeout: float = 60) -> ClientConnection:
    """A token-authenticated socket that said hello."""
    ws = await connect(url, additional_headers={"Authorization": f"Token {key}"}, proxy=None, open_timeout=timeout)
    hello = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    assert hello["type"] == "hello", hello
    return ws


async def subscribe(ws: ClientConnection, group: str, timeout: float = 60) -> None:
    await ws.send(json.dumps({"type": "subscribe", "data": {"groups": [group]}}))
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if message["type"] == "subscribed":
            assert message["data"]["groups"] == [group]
            return
        assert message["type"] != "error", message


async def next_of_type(ws: ClientConnection, kind: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), max(deadline - time.monotonic(), 0.01)))
        if message["type"] == kind:
            return message


async def push_until_everyone_has_it(sockets: list[ClientConnection], group: str, timeout: float) -> None:
    """push() a fresh nonce to `group` every second until every socket received one (or fail); it travels
    through channels-redis, or without Redis through the outbox the server's relay polls."""
    waiting = set(range(len(sockets)))
    deadline = time.monotonic() + timeout
    nonces: set[str] = set()
    while waiting:
        assert time.monotonic() < deadline, f"{len(waiting)} of {len(sockets)} sockets got no push"
        nonce = uuid.uuid4().hex
        nonces.add(nonce)
        await sync_to_async(push_and_close)(group, "capacity.probe", {"nonce": nonce})

        async def heard(index: int) -> int | None:
            try:
                message = await next_of_type(sockets[index], "capacity.probe", 1.0)
            except TimeoutError:
                return None
            assert message["data"]["nonce"] in nonces
            return index

        for index in await asyncio.gather(*(heard(i) for i in waiting)):
            waiting.discard(index)


def push_and_close(group: str, type: str, data: dict) -> None:
    """push() from a helper thread, closing that thread's database connection (test teardown drops the DB)."""
    try:
        push(group, type, data)
    finally:
        connection.close()


def subscribers(group: str) -> int:
    """How many web processes listen to `group` in Redis (PUBSUB NUMSUB of its pub/sub channel): each
    process subscribes while it holds at least one member, and keeps its members in memory."""
    channel = get_channel_layer().group_channel(group)
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        return dict(client.pubsub_numsub(channel))[channel.encode()]
    finally:
        client.close()


def still_open(ws: ClientConnection) -> bool:
    return ws.close_code is None


# --- a Daphne whose Redis can be cut -----------------------------------------------------------------


@pytest.fixture(scope="module")
def proxied_daphne(django_db_setup, _process_log_dir, live_mail_dir) -> Iterator[tuple[LiveServer, TcpProxy]]:
    """Daphne reaching Redis through a TcpProxy that a test can cut."""
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (channels-redis)")
    target = urlsplit(settings.REDIS_URL)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 6379).start()
    url = f"redis://127.0.0.1:{proxy.port}{target.path}"
    env = subprocess_env(live_mail_dir, REDIS_URL=url)
    argv = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", "0", "flaxu.asgi:application"]
    process = start_process("daphne-proxied-redis", argv, env, _process_log_dir)
    try:
        port = process.wait_for_log(r"Listening on TCP address 127\.0\.0\.1:(\d+)").group(1)
        server = LiveServer(f"http://127.0.0.1:{port}", process, live_mail_dir)
        _wait_healthy(server)
        yield server, proxy
    finally:
        process.stop()
        proxy.stop()


@pytest.fixture
def proxied(proxied_daphne, transactional_db, request) -> tuple[LiveServer, TcpProxy]:
    server, proxy = proxied_daphne
    proxy.restore()
    _watch(request, server.process)  # fails now if it died; attaches its log if the test fails
    return server, proxy


# --- tests ------------------------------------------------------------------------------------------


@needs_redis
def test_an_idle_socket_outlives_the_redis_socket_timeout_and_still_gets_pushes(proxied, user):
    server, _proxy = proxied
    _token, key = token_create(user=user, name="idle")
    group = f"market.idle-{uuid.uuid4().hex[:8]}"

    async def scenario():
        ws = await open_socket(server.ws_url, key)
        await subscribe(ws, group)
        # 7 s idle: longer than the layer's 5 s socket timeout (with channels-redis's core layer and
        # redis-py's defaults, an idle read timed out after 5 s and the server closed the socket with 1011).
        await asyncio.sleep(7)
        assert still_open(ws), f"closed by the server with {ws.close_code}"
        await push_until_everyone_has_it([ws], group, timeout=5)
        await ws.close()

    asyncio.run(scenario())


@needs_redis
def test_a_transient_redis_outage_closes_no_socket(proxied, user):
    server, proxy = proxied
    _token, key = token_create(user=user, name="outage")
    group = f"market.outage-{uuid.uuid4().hex[:8]}"

    async def scenario():
        sockets = [await open_socket(server.ws_url, key) for _ in range(10)]
        for ws in sockets:
            await subscribe(ws, group)
        proxy.cut()  # every Redis connection of the server is reset, and reconnecting fails...
        await asyncio.sleep(2.5)
        proxy.restore()  # ...for 2.5 s
        await push_until_everyone_has_it(sockets, group, timeout=15)
        closed = [ws.close_code for ws in sockets if not still_open(ws)]
        assert closed == []
        await asyncio.gather(*(ws.close() for ws in sockets))

    asyncio.run(scenario())


@needs_redis
def test_a_connect_during_a_redis_outage_is_told_to_try_again_and_the_next_one_is_admitted(proxied, user):
    server, proxy = proxied
    _token, key = token_create(user=user, name="outage-connect")

    async def scenario():
        proxy.cut()
        try:
            ws = await connect(server.ws_url, additional_headers={"Authorization": f"Token {key}"}, proxy=None)
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 30)
            assert ws.close_code == CLOSE_TRY_AGAIN_LATER  # not a 500 or 1011
        finally:
            proxy.restore()
        deadline = time.monotonic() + 15
        while True:  # redis-py reconnects on its own; the next connect is admitted once it has
            try:
                ws = await open_socket(server.ws_url, key, timeout=10)
                break
            except ConnectionClosed:
                assert time.monotonic() < deadline, "no socket admitted after Redis came back"
                await asyncio.sleep(0.5)
        await ws.close()

    asyncio.run(scenario())


def test_500_simultaneous_connects_are_all_admitted_and_a_mass_disconnect_leaves_no_member(live_asgi_server, user):
    _token, key = token_create(user=user, name="burst")
    group = f"market.burst-{uuid.uuid4().hex[:8]}"
    own_group = f"user.{user.pk}"

    async def scenario():
        results = await asyncio.gather(
            *(open_socket(live_asgi_server.ws_url, key) for _ in range(BURST)), return_exceptions=True
        )
        sockets = [r for r in results if isinstance(r, ClientConnection)]
        refused = [repr(r)[:200] for r in results if not isinstance(r, ClientConnection)]
        try:
            assert refused == [], f"{len(refused)} of {BURST} connects refused, e.g. {refused[:3]}"
            await asyncio.gather(*(subscribe(ws, group) for ws in sockets))
            if settings.REDIS_URL:
                assert subscribers(group) == 1  # one server process, listening for all of them
            await push_until_everyone_has_it(sockets, group, timeout=20)
        finally:
            # Half leave politely, half vanish (TCP reset, no close frame).
            for ws in sockets[1::2]:
                ws.transport.abort()
            await asyncio.gather(*(ws.close() for ws in sockets[::2]), return_exceptions=True)

    asyncio.run(scenario())
    if settings.REDIS_URL:
        deadline = time.monotonic() + 15
        while (left := (subscribers(group), subscribers(own_group))) != (0, 0) and time.monotonic() < deadline:
            time.sleep(0.2)
        # The process unsubscribes a group when its last member leaves: none is left in either.
        assert left == (0, 0), f"still subscribed: {left[0]} to {group}, {left[1]} to {own_group}"
