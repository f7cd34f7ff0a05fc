"""Market-data tests: the replay on a clock the test moves, and the live source against the fake BingX.

``ManualClock`` stands in for the wall clock under ``ReplayClock``, so replay time only moves when a test
says so. No test reaches a real exchange: the live source is used with ``bingx`` only (the fake).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from market.simulator import ReplayClock
from market.sources import reset_source
from market.sources.replay import ReplaySource

# A fixed replay moment, 30 s into a minute (so a candle is forming).
T0 = datetime(2026, 3, 10, 12, 0, 30, tzinfo=UTC)
BTC = "BTC/USDT:USDT"
ETH = "ETH/USDT:USDT"


class ManualClock:
    """A wall clock that moves only when told to."""

    def __init__(self, start: float = 0.0):
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def replay_source(*, seed: int = 7, at: datetime = T0, speed: float = 1.0, exchanges=None, wall=None, **kwargs):
    wall = wall or ManualClock()
    clock = ReplayClock(speed=speed, anchor=at.timestamp(), start=wall(), wall=wall)
    source = ReplaySource(
        seed=seed, exchanges=exchanges or ("bingx", "binanceusdm", "okx", "bybit"), clock=clock, **kwargs
    )
    source.wall = wall
    return source


@pytest.fixture
def wall() -> ManualClock:
    return ManualClock()


@pytest.fixture
def replay(wall) -> ReplaySource:
    """The replay at T0 with seed 7; ``replay.wall.advance(s)`` moves its clock."""
    return replay_source(wall=wall)


@pytest.fixture(autouse=True)
def _fresh_source():
    reset_source()
    yield
    reset_source()


class PushRecorder:
    """What was pushed to which group: the outbox table without Redis; with Redis, a channel that joined
    the groups beforehand (``watch``), read on one event loop of its own (channels-redis binds a
    channel's receive buffer to the loop that first read it)."""

    def __init__(self):
        from django.conf import settings

        self.redis = bool(settings.REDIS_URL)
        self.channels: dict[str, str] = {}
        self.seen: dict[str, list[dict]] = {}
        self.loop = None

    def _run(self, coroutine):
        import asyncio

        if self.loop is None:
            self.loop = asyncio.new_event_loop()
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
        """Every event pushed to ``group`` so far, as ``{"type", "data"}``."""
        if not self.redis:
            from flaxu.realtime.models import OutboxEvent

            return [{"type": e.type, "data": e.payload} for e in OutboxEvent.objects.filter(group=group).order_by("id")]
        import asyncio

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

    def count(self, group: str) -> int:
        return len(self.events(group))

    def close(self) -> None:
        if self.loop is not None:
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
