"""Market-intelligence fixtures: a tiny local HTTP server that answers like a provider, a closed port,
the replay market with its snapshots refreshed, and a way to see what was pushed to a group.

Providers are only ever pointed at 127.0.0.1: no test reaches the internet.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from channels.layers import get_channel_layer
from django.conf import settings as django_settings

from core.realtime.groups import group_name
from market.sources import reset_source

FIXTURES = Path(__file__).resolve().parents[3] / "market" / "providers" / "fixtures"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text()


def fixture_json(name: str):
    return json.loads(fixture_text(name))


@dataclass
class Answer:
    status: int = 200
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


class ProviderServer:
    """Answers GETs from a per-path queue of answers (the last one repeats); records every request."""

    def __init__(self) -> None:
        self.answers: dict[str, list[Answer]] = defaultdict(list)
        self.requests: list[Seen] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                split = urlsplit(self.path)
                owner.requests.append(
                    Seen(split.path, parse_qs(split.query), {k.lower(): v for k, v in self.headers.items()})
                )
                queue = owner.answers.get(split.path) or [Answer(404, '{"error": "not found"}')]
                answer = queue.pop(0) if len(queue) > 1 else queue[0]
                body = answer.body.encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in answer.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def answer(self, path: str, *answers: Answer) -> None:
        self.answers[path] = list(answers)

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]


@pytest.fixture
def provider_server():
    server = ProviderServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def replay(db, settings):
    """The replay market with every snapshot refreshed once."""
    from market.services.snapshots import snapshots_refresh_all

    settings.FLAXU_MARKET_SOURCE = "replay"
    reset_source()
    snapshots_refresh_all()
    yield
    reset_source()


@pytest.fixture
def live_mode(settings):
    """Live mode without any exchange call: only the providers (pointed at 127.0.0.1) are used."""
    settings.FLAXU_MARKET_SOURCE = "live"
    reset_source()
    yield
    reset_source()


class GroupListener:
    """What reaches a websocket group: the outbox table without Redis, the channel layer with it (on an
    event loop of its own: the Redis layer keeps a channel on the loop that made it)."""

    def __init__(self, group: str) -> None:
        self.group = group_name(group)
        self.channel = None
        self.loop = None
        if django_settings.REDIS_URL:
            self.loop = asyncio.new_event_loop()
            layer = get_channel_layer()
            self.channel = self.loop.run_until_complete(layer.new_channel())
            self.loop.run_until_complete(layer.group_add(self.group, self.channel))

    def events(self) -> list[dict]:
        if self.channel is None:
            from core.realtime.models import OutboxEvent

            return [{"type": e.type, "data": e.payload} for e in OutboxEvent.objects.filter(group=self.group)]
        layer, out = get_channel_layer(), []

        async def drain():
            while True:
                try:
                    message = await asyncio.wait_for(layer.receive(self.channel), timeout=0.5)
                except TimeoutError:
                    return
                out.append({"type": message["event"], "data": message["data"]})

        self.loop.run_until_complete(drain())
        return out

    def close(self) -> None:
        if self.loop is not None:
            self.loop.close()  # the layer leaves its groups and closes its connections with the loop


@pytest.fixture
def listen():
    """``listen(group)`` before a push (made inside ``django_capture_on_commit_callbacks(execute=True)``)."""
    listeners: list[GroupListener] = []

    def make(group: str) -> GroupListener:
        listeners.append(GroupListener(group))
        return listeners[-1]

    yield make
    for listener in listeners:
        listener.close()


# Binance USDⓈ-M markets in ccxt's shape, for feeding ccxt pro's parser without loading markets.
BINANCE_MARKETS = [
    {
        "id": market_id,
        "lowercaseId": market_id.lower(),
        "symbol": f"{base}/USDT:USDT",
        "base": base,
        "quote": "USDT",
        "settle": "USDT",
        "type": "swap",
        "spot": False,
        "swap": True,
        "future": False,
        "option": False,
        "contract": True,
        "linear": True,
        "inverse": False,
        "contractSize": 1,
        "active": True,
        "precision": {},
        "limits": {},
    }
    for market_id, base in (("BTCUSDT", "BTC"), ("ETHUSDT", "ETH"), ("SOLUSDT", "SOL"), ("DOGEUSDT", "DOGE"))
]
