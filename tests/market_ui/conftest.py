"""Markets page, market API and price alerts: on the real replay source (FLAXU_MARKET_SOURCE=replay).

``market`` fills every snapshot once from the replay, as the beat's first refreshes would; the intel
widgets then compute themselves from those snapshots on first read. ``pushes`` records what was pushed
to a group: the outbox table without Redis, a channel that joined the group beforehand with Redis.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from market.services.snapshots import snapshots_refresh_all
from market.sources import get_source, reset_source

BTC = "BTC/USDT:USDT"
ETH = "ETH/USDT:USDT"


@pytest.fixture(autouse=True)
def _fresh_source():
    reset_source()
    yield
    reset_source()


@pytest.fixture
def market(db, django_capture_on_commit_callbacks):
    """Every snapshot refreshed once from the replay; returns the source."""
    source = get_source()
    assert source.is_demo
    with django_capture_on_commit_callbacks(execute=True):
        snapshots_refresh_all(source=source)
    return source


@pytest.fixture
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def last_price(symbol: str = BTC, exchange: str = "bingx") -> Decimal:
    from market.selectors import snapshots

    return snapshots.tickers(exchange).data[symbol].last


class PushRecorder:
    """Events pushed to groups: OutboxEvent rows without Redis; with Redis, a channel added to each
    watched group beforehand (``watch``), drained on an event loop of its own."""

    def __init__(self):
        self.redis = bool(settings.REDIS_URL)
        self.loop = asyncio.new_event_loop() if self.redis else None
        self.channels: dict[str, str] = {}
        self.seen: dict[str, list[dict]] = {}

    def _run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def watch(self, *groups: str) -> None:
        if not self.redis:
            return
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        for group in groups:
            channel = self._run(layer.new_channel())
            self._run(layer.group_add(group, channel))
            self.channels[group] = channel

    def events(self, group: str) -> list[dict]:
        if not self.redis:
            from flaxu.realtime.models import OutboxEvent

            return [{"type": e.type, "data": e.payload} for e in OutboxEvent.objects.filter(group=group).order_by("id")]
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        seen = self.seen.setdefault(group, [])

        async def drain():
            while True:
                try:
                    message = await asyncio.wait_for(layer.receive(self.channels[group]), 0.3)
                except TimeoutError:
                    return
                seen.append({"type": message["event"], "data": message["data"]})

        self._run(drain())
        return list(seen)

    def close(self) -> None:
        if self.loop is None:
            return
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        for group, channel in self.channels.items():
            self._run(layer.group_discard(group, channel))
        self.loop.close()


@pytest.fixture
def pushes():
    recorder = PushRecorder()
    yield recorder
    recorder.close()
