"""Talking to /ws/ in-process (channels' WebsocketCommunicator over flaxu.asgi.application)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from flaxu.asgi import application

ORIGIN = (b"origin", b"http://127.0.0.1")


def run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    """Run one async test scenario in a fresh event loop (the relay and sockets live in that loop)."""
    return async_to_sync(scenario)()


def session_cookie(user) -> tuple[bytes, bytes]:
    """A `cookie` header carrying a logged-in session for `user`, as a browser would send it."""
    client = Client()
    client.force_login(user)
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode())


def live_socket(
    *headers: tuple[bytes, bytes], query: str = "", client_ip: str = "127.0.0.1", app: Any = application
) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(app, f"/ws/{'?' + query if query else ''}", headers=[ORIGIN, *headers])
    communicator.scope["client"] = (client_ip, 50000)  # read when the app starts, on connect()
    return communicator


async def refused_code(communicator: WebsocketCommunicator) -> int | None:
    """Connect; return the close code the server sends right away (None if it said hello instead)."""
    connected, code = await communicator.connect()
    if connected:
        first = await communicator.receive_output(timeout=3)
        code = first.get("code") if first["type"] == "websocket.close" else None
    await communicator.disconnect()
    return code


async def connect_hello(communicator: WebsocketCommunicator) -> dict:
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    hello = await communicator.receive_json_from(timeout=5)
    assert hello["type"] == "hello", hello
    return hello


async def receive_type(communicator: WebsocketCommunicator, kind: str, timeout: float = 5) -> dict:
    """The next message of type `kind`, skipping others (a shared Redis may carry strangers' events)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"no {kind!r} message within {timeout} s")
        message = await communicator.receive_json_from(timeout=remaining)
        if message["type"] == kind:
            return message


async def closed_by_server(communicator: WebsocketCommunicator, timeout: float = 5) -> dict:
    """The server's close frame `{"type": "websocket.close", "code", "reason"}`, skipping messages before it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"the socket was not closed within {timeout} s")
        output = await communicator.receive_output(timeout=remaining)
        if output["type"] == "websocket.close":
            return output
