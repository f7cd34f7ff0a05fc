"""The channel layers: channels-redis's pub/sub layer with its Redis connections configured on purpose
(Redis mode), and Channels' in-memory layer without its per-call full sweep (the embedded default, fed by
the outbox relay).

Redis mode uses pub/sub (issue #10): a `group_send` is one PUBLISH per group, each web process holds one
subscriber connection to Redis and hands the message to its own sockets in memory. (channels-redis's core
layer wrote one message per socket into Redis, and each process popped them one blocking round trip at
a time: 1,000 sockets cost 1,000 writes and reads per push.) Group membership lives in the process: when
a socket goes, or a process dies, nothing is left behind in Redis.

Delivery is at most once: a process cut off from Redis misses what is published meanwhile (redis-py
reconnects and subscribes again by itself). Price pushes are superseded by the next one; fired alerts
and backtest progress are stored, so a page load shows them (alerts are also emailed); a credential
close is also found by the socket's own re-check (flaxu.sockets.consumers).

`RedisPubSubChannelLayer` here, beyond channels-redis's:
- every host named by URL gets timeouts, TCP keepalive and a periodic health check, so a dead
  connection is noticed and replaced; failures are logged at most once per LOG_EVERY_SECONDS;
- pub/sub channels are server-wide (a Redis DB number does not separate them), so the channel names
  carry the DB after the prefix: deployments (or test runs) on one Redis with different DBs never
  hear each other;
- a published message is decoded once per process and the same dict goes to each of its sockets;
- each socket's queue is bounded (`capacity`): a socket that falls that far behind misses messages
  rather than growing the process's memory;
- a cancelled `receive` keeps its channel (channels-redis dropped it, so a `wait_for` timeout lost
  every later message); the owner calls `discard_channel` when done (LiveConsumer does, on exit).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from copy import deepcopy
from urllib.parse import parse_qs, urlsplit

from channels.layers import InMemoryChannelLayer as BaseInMemoryChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer as BasePubSubChannelLayer
from channels_redis.pubsub import RedisPubSubLoopLayer, RedisSingleShardConnection
from channels_redis.utils import _wrap_close, decode_hosts

logger = logging.getLogger(__name__)

# The name the layer's connections carry in Redis's CLIENT LIST.
CLIENT_NAME = "flaxu-channels"
HOST_DEFAULTS = {
    "socket_timeout": 5.0,
    "socket_connect_timeout": 5.0,
    "socket_keepalive": True,
    # An idle subscriber connection PINGs this often, so a silently dead one is found and replaced.
    "health_check_interval": 15,
    "client_name": CLIENT_NAME,
}
LOG_EVERY_SECONDS = 10.0


def channel_prefix(prefix: str | None, hosts: list) -> str:
    """`<prefix>.<db>.`: pub/sub channel names carry the Redis DB of the first host given by URL."""
    for host in hosts:
        address = host.get("address") if isinstance(host, dict) else host
        if isinstance(address, str):
            url = urlsplit(address)
            db = url.path.strip("/") or parse_qs(url.query).get("db", ["0"])[0]
            return f"{prefix or 'flaxu'}.{db or 0}."
    return f"{prefix or 'flaxu'}.0."


class _RateLimitedLog:
    def __init__(self) -> None:
        self.at = 0.0
        self.skipped = 0

    def warning(self, message: str, *args) -> None:
        now = time.monotonic()
        if now - self.at < LOG_EVERY_SECONDS:
            self.skipped += 1
            return
        self.at, skipped, self.skipped = now, self.skipped, 0
        logger.warning(message + (f" ({skipped} more since the last report)" if skipped else ""), *args)


class _Shard(RedisSingleShardConnection):
    """One Redis host: a publisher connection and one subscriber connection, with a reader task."""

    def __init__(self, host: dict, channel_layer: RedisPubSubLoopLayer) -> None:
        super().__init__(host, channel_layer)
        self.log = _RateLimitedLog()

    async def unsubscribe(self, channel: str) -> None:
        try:
            await super().unsubscribe(channel)
        except Exception:
            # The connection broke, so Redis already dropped the subscription; forget it here too, or
            # redis-py's reconnect would subscribe it again.
            async with self._lock:
                self._subscribed_to.discard(channel)
                if self._pubsub is not None:
                    self._pubsub.channels.pop(channel.encode(), None)
                    self._pubsub.channels.pop(channel, None)
            raise

    async def ping(self) -> None:
        async with self._lock:
            self._ensure_redis()
            await self._redis.ping()

    async def _do_receiving(self) -> None:
        """channels-redis's reader, logging a Redis outage once per LOG_EVERY_SECONDS instead of once a second
        with a traceback (redis-py reconnects and subscribes again on the next read)."""
        while True:
            try:
                if self._pubsub and self._pubsub.subscribed:
                    message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
                    self._receive_message(message)
                else:
                    await asyncio.sleep(0.1)
            except (asyncio.CancelledError, GeneratorExit):
                raise
            except Exception as exc:
                self.log.warning(
                    "Channel layer: reading from Redis failed (%s: %s); retrying.", type(exc).__name__, exc
                )
                await asyncio.sleep(0.5)

    def _receive_message(self, message: dict | None) -> None:
        """Decode once, then give the same message to every local channel it is for: straight to the
        channel's direct receiver when it takes it (see `_LoopLayer.set_direct_receiver`), else queued."""
        if message is None:
            return
        layer = self.channel_layer
        name = message["channel"]
        if isinstance(name, bytes):
            name = name.decode()
        targets = [name] if name in layer.channels else list(layer.groups.get(name, ()))
        decoded = None
        for channel in targets:
            queue = layer.channels.get(channel)
            if queue is None:
                continue
            if decoded is None:
                decoded = layer.channel_layer.deserialize(message["data"])
            receiver = layer.direct_receivers.get(channel)
            # Only behind an empty queue, so a channel's messages keep their order.
            if receiver is not None and queue.empty() and self._offer(receiver, decoded):
                continue
            try:
                queue.put_nowait(decoded)
            except asyncio.QueueFull:
                self.log.warning(
                    "Channel layer: a socket's queue is full (%s messages); it misses a message.", queue.maxsize
                )

    def _offer(self, receiver: Callable[[dict], bool], message: dict) -> bool:
        try:
            return receiver(message)
        except Exception:  # a receiver's bug must not cost the other sockets this message
            logger.exception("Channel layer: a direct receiver failed; the message was not queued for it.")
            return True


class _LoopLayer(RedisPubSubLoopLayer):
    """channels-redis's per-event-loop pub/sub layer with bounded queues and explicit channel ends."""

    def __init__(self, hosts: list | None = None, capacity: int = 100, **kwargs) -> None:
        super().__init__(hosts, **kwargs)
        self.capacity = capacity
        self._shards = [_Shard(host, self) for host in decode_hosts(hosts)]
        self.direct_receivers: dict[str, Callable[[dict], bool]] = {}

    def set_direct_receiver(self, channel: str, receiver: Callable[[dict], bool]) -> None:
        """Offer `channel`'s messages to `receiver` as they arrive, before queueing them: it returns True
        if it took the message (handled it, or started to), False to have it queued as usual. It runs on
        the layer's reader, so it must not block; it is offered a message only when the channel's queue
        is empty. Forgotten with the channel (`discard_channel`)."""
        self.direct_receivers[channel] = receiver

    async def _subscribe_to_channel(self, channel: str) -> None:
        self.channels[channel] = asyncio.Queue(maxsize=self.capacity)
        try:
            await self._get_shard(channel).subscribe(channel)
        except BaseException:
            self.channels.pop(channel, None)
            raise

    async def receive(self, channel: str) -> dict:
        """The next message on `channel` (already decoded); cancelling the wait keeps the channel."""
        if channel not in self.channels:
            await self._subscribe_to_channel(channel)
        return await self.channels[channel].get()

    async def group_add(self, group: str, channel: str) -> None:
        """channels-redis's, undone when subscribing fails (else the channel would hear a group it was
        told it could not join, once another socket of the process joins it)."""
        group_channel = self._get_group_channel_name(group)
        was_member = channel in self.groups.get(group_channel, ())
        try:
            await super().group_add(group, channel)
        except BaseException:
            members = self.groups.get(group_channel)
            if members is not None and not was_member:
                members.discard(channel)
                if not members:
                    del self.groups[group_channel]
            raise

    async def discard_channel(self, channel: str) -> None:
        """Forget `channel`: its queue, its place in every group (unsubscribing groups left empty), and its
        own subscription. A Redis error is logged, not raised: the local state is gone either way."""
        self.channels.pop(channel, None)
        self.direct_receivers.pop(channel, None)
        names = [group for group, members in self.groups.items() if channel in members]
        for group in names:
            members = self.groups[group]
            members.discard(channel)
            if not members:
                del self.groups[group]
        for name in [*names, channel]:
            if name != channel and name in self.groups:
                continue
            shard = self._get_shard(name)
            try:
                await shard.unsubscribe(name)
            except Exception as exc:
                shard.log.warning("Channel layer: unsubscribing failed (%s: %s).", type(exc).__name__, exc)

    async def ping(self) -> None:
        for shard in self._shards:
            await shard.ping()


class RedisPubSubChannelLayer(BasePubSubChannelLayer):
    """channels-redis's pub/sub layer with Redis options chosen on purpose (see the module docstring)."""

    def __init__(self, hosts: list | None = None, *, prefix: str | None = None, capacity: int = 100, **kwargs) -> None:
        hosts = [{**HOST_DEFAULTS, "address": host} if isinstance(host, str) else host for host in hosts or []]
        super().__init__(hosts=hosts or None, prefix=channel_prefix(prefix, hosts), capacity=capacity, **kwargs)
        self.capacity = capacity

    def _get_layer(self) -> _LoopLayer:
        """One layer per event loop (channels-redis's rule), of our class; flushed when its loop closes."""
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
        return layer

    def set_direct_receiver(self, channel: str, receiver: Callable[[dict], bool]) -> None:
        self._get_layer().set_direct_receiver(channel, receiver)

    def group_channel(self, group: str) -> str:
        """The Redis pub/sub channel that carries `group` (what PUBSUB NUMSUB counts)."""
        return f"{self._kwargs['prefix']}__group__{group}"

    async def discard_channel(self, channel: str) -> None:
        await self._get_layer().discard_channel(channel)

    async def ping(self) -> None:
        """Round trip to every Redis host (readiness), on this event loop's connections."""
        await self._get_layer().ping()


class InMemoryChannelLayer(BaseInMemoryChannelLayer):
    """Channels' in-memory layer, made linear for fan-out.

    Channels sweeps every channel and group for expired entries on each `receive` and `group_send`, so
    one push to N sockets cost N sweeps of N channels (at 1,000 sockets, a million steps per push).
    Here the sweep runs at most once per SWEEP_SECONDS, and `group_send` copies the message once per
    push (not once per socket) and queues it without a task per socket; consumers only read messages.
    """

    SWEEP_SECONDS = 1.0
    _swept_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at >= self.SWEEP_SECONDS:
            self._swept_at = now
            super()._clean_expired()

    async def group_send(self, group: str, message: dict) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        message = deepcopy(message)
        expires = time.time() + self.expiry
        for channel in list(self.groups.get(group, {})):
            queue = self.channels.setdefault(channel, asyncio.Queue(maxsize=self.get_capacity(channel)))
            with contextlib.suppress(asyncio.QueueFull):  # as Channels: a stalled socket misses this message
                queue.put_nowait((expires, message))
