"""The embedded channel layer delivers one push to many sockets in time linear in the sockets."""

from __future__ import annotations

import asyncio
import time

from asgiref.sync import async_to_sync

from flaxu.realtime.layer import InMemoryChannelLayer
from flaxu.realtime.push import event_message

SOCKETS = 4000


def test_one_push_reaches_4000_channels_quickly_and_each_gets_it_once():
    layer = InMemoryChannelLayer()

    async def scenario() -> float:
        channels = [await layer.new_channel() for _ in range(SOCKETS)]
        for channel in channels:
            await layer.group_add("market.btc-usdt-usdt", channel)
        began = time.perf_counter()
        await layer.group_send("market.btc-usdt-usdt", event_message("price", {"last": "1"}))
        received = [await layer.receive(channel) for channel in channels]
        elapsed = time.perf_counter() - began
        assert [m["data"] for m in received] == [{"last": "1"}] * SOCKETS
        for channel in channels[:10]:  # nothing more queued for anyone
            with_timeout = asyncio.wait_for(layer.receive(channel), 0.01)
            try:
                await with_timeout
                raise AssertionError("a channel received the push twice")
            except TimeoutError:
                pass
        return elapsed

    # Channels' own layer swept every channel on each of the 4,000 receives (3 s here); linear is ms.
    assert async_to_sync(scenario)() < 1.0
