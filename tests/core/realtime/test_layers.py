"""The embedded channel layer delivers one push to many sockets in time linear in the sockets; the Redis
layer publishes once per push, keeps a channel whose wait timed out, and leaves nothing subscribed."""

from __future__ import annotations

import asyncio

import pytest
import redis
from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer
from django.conf import settings

from core.realtime.layer import InMemoryChannelLayer, RedisPubSubChannelLayer
from core.realtime.push import event_message

SOCKETS = 4000


class _CountsFullSweeps(ChannelsInMemoryChannelLayer):
    """Counts Channels' own full sweeps of every channel (the work that made a push quadratic)."""

    full_sweeps = 0

    def _clean_expired(self) -> None:
        self.full_sweeps += 1
        super()._clean_expired()


class SweepCountingLayer(InMemoryChannelLayer, _CountsFullSweeps):
    """Ours, with Channels' sweep counted beneath it."""


def test_one_push_reaches_4000_channels_with_linear_work_and_each_gets_it_once():
    layer = SweepCountingLayer()

    async def scenario() -> None:
        channels = [await layer.new_channel() for _ in range(SOCKETS)]
        for channel in channels:
            await layer.group_add("market.btc-usdt-usdt", channel)
        layer.full_sweeps = 0
        await layer.group_send("market.btc-usdt-usdt", event_message("price", {"last": "1"}))
        received = [await layer.receive(channel) for channel in channels]
        assert [m["data"] for m in received] == [{"last": "1"}] * SOCKETS
        for channel in channels[:10]:  # nothing more queued for anyone
            with_timeout = asyncio.wait_for(layer.receive(channel), 0.01)
            try:
                await with_timeout
                raise AssertionError("a channel received the push twice")
            except TimeoutError:
                pass
        # Channels' own layer swept every channel on each of the 4,000 receives (4,000 x 4,000 steps);
        # here at most once per SWEEP_SECONDS, however many sockets read (the speed is bench/fanout.py's).
        assert layer.full_sweeps <= 2

    async_to_sync(scenario)()


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")
def test_the_redis_layer_fans_out_in_process_and_leaves_nothing_subscribed():
    layer = RedisPubSubChannelLayer(hosts=[settings.REDIS_URL])
    group = "market.layer-test"
    client = redis.Redis.from_url(settings.REDIS_URL)

    def listeners(*names: str) -> dict[str, int]:
        """PUBSUB NUMSUB: how many connections subscribe to each Redis channel."""
        return {name.decode(): count for name, count in client.pubsub_numsub(*names)}

    async def scenario() -> None:
        channels = [await layer.new_channel() for _ in range(50)]
        for channel in channels:
            await layer.group_add(group, channel)
        assert listeners(layer.group_channel(group)) == {layer.group_channel(group): 1}  # one per process
        # A wait that timed out (a test helper, a health probe) leaves the channel able to receive.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(layer.receive(channels[0]), 0.1)
        await layer.group_send(group, event_message("price", {"last": "1"}))
        received = [await asyncio.wait_for(layer.receive(channel), 5) for channel in channels]
        assert [m["data"] for m in received] == [{"last": "1"}] * 50
        assert all(m is received[0] for m in received)  # decoded once, encoded to JSON once by the consumer
        for channel in channels:
            await layer.discard_channel(channel)  # what LiveConsumer does on exit, without group_discard first
        await layer.ping()  # the unsubscribes went before this round trip
        await asyncio.sleep(0.2)
        left = listeners(layer.group_channel(group), *channels)
        assert left == dict.fromkeys(left, 0), "still subscribed in Redis"

    try:
        async_to_sync(scenario)()
    finally:
        client.close()


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")
def test_a_direct_receiver_takes_messages_only_behind_an_empty_queue_so_order_is_kept():
    layer = RedisPubSubChannelLayer(hosts=[settings.REDIS_URL])
    group = "market.direct-test"
    taken: list[str] = []
    accepting = True

    def receiver(message: dict) -> bool:
        if accepting:
            taken.append(message["data"]["n"])
        return accepting

    async def push(n: str) -> None:
        await layer.group_send(group, event_message("price", {"n": n}))

    async def scenario() -> None:
        nonlocal accepting
        channel = await layer.new_channel()
        with pytest.raises(TimeoutError):  # subscribes the channel itself
            await asyncio.wait_for(layer.receive(channel), 0.05)
        await layer.group_add(group, channel)
        layer.set_direct_receiver(channel, receiver)
        await push("1")
        await layer.ping()
        await asyncio.sleep(0.2)
        assert taken == ["1"]  # taken directly: nothing queued
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(layer.receive(channel), 0.1)
        accepting = False  # busy: the next one queues
        await push("2")
        await asyncio.sleep(0.2)
        accepting = True  # free again, but "2" waits in the queue: "3" must queue behind it
        await push("3")
        await asyncio.sleep(0.2)
        assert taken == ["1"]
        queued = [(await asyncio.wait_for(layer.receive(channel), 2))["data"]["n"] for _ in range(2)]
        assert queued == ["2", "3"]
        await layer.discard_channel(channel)  # forgets the receiver with the channel
        assert channel not in layer._get_layer().direct_receivers

    async_to_sync(scenario)()
