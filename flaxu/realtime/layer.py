"""The channel layers: channels-redis with its Redis connections configured on purpose (Redis mode), and
Channels' in-memory layer without its per-call full sweep (the embedded default, fed by the outbox relay).

channels-redis 4.3 as shipped loses sockets under load (issue #10):
- its receive loop blocks on Redis (BZPOPMIN) for `brpop_timeout` (5 s), while redis-py's default
  `socket_timeout` is also 5 s, so an idle process's read times out first and the consumer dies;
- its pool is redis-py's `ConnectionPool` (100 connections), which raises `MaxConnectionsError` when a
  connect burst wants more, instead of waiting for a free connection.

`RedisChannelLayer` here takes `block_seconds` (the blocking read) and `pool_size` (connections per
process and event loop), gives every host named by URL reads that outlast the blocking read, and
builds a `BlockingConnectionPool`: a caller that finds every connection busy waits for one.
A host given as a dict keeps its own options, but a `socket_timeout` that would not outlast the
blocking read is refused at start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from copy import deepcopy

from channels.layers import InMemoryChannelLayer as BaseInMemoryChannelLayer
from channels_redis.core import RedisChannelLayer as BaseRedisChannelLayer
from django.core.exceptions import ImproperlyConfigured
from redis.asyncio import BlockingConnectionPool

# What a socket read may take beyond the blocking read before the connection counts as dead.
READ_MARGIN_SECONDS = 5.0
# The name the layer's connections carry in Redis's CLIENT LIST.
CLIENT_NAME = "flaxu-channels"


class RedisChannelLayer(BaseRedisChannelLayer):
    """channels-redis with a blocking (waiting) connection pool and a configurable blocking read."""

    def __init__(
        self,
        hosts: list | None = None,
        *,
        block_seconds: float = BaseRedisChannelLayer.brpop_timeout,
        pool_size: int = 50,
        **kwargs,
    ) -> None:
        defaults = {
            "socket_timeout": block_seconds + READ_MARGIN_SECONDS,
            "socket_connect_timeout": 5.0,
            "socket_keepalive": True,
            "max_connections": pool_size,
            # How long a caller waits for a free connection before ConnectionError (never MaxConnectionsError).
            "timeout": block_seconds + READ_MARGIN_SECONDS,
            "client_name": CLIENT_NAME,
        }
        hosts = [{**defaults, "address": host} if isinstance(host, str) else host for host in hosts or []]
        super().__init__(hosts=hosts or None, **kwargs)
        for host in self.hosts:
            socket_timeout = host.get("socket_timeout", 5.0)  # redis-py's default when unset
            if socket_timeout is not None and socket_timeout <= block_seconds:
                raise ImproperlyConfigured(
                    f"The channel layer's Redis socket_timeout ({socket_timeout} s) must be longer than its "
                    f"blocking read ({block_seconds} s), or every idle read times out and kills its sockets."
                )
        # BZPOPMIN takes whole or fractional seconds; channels-redis reads the class attribute per call.
        self.brpop_timeout = block_seconds

    def create_pool(self, index: int) -> BlockingConnectionPool:
        host = dict(self.hosts[index])
        if "master_name" in host:  # Sentinel: channels-redis's own pool
            return super().create_pool(index)
        address = host.pop("address", None)
        if address is None:
            return BlockingConnectionPool(**host)
        return BlockingConnectionPool.from_url(address, **host)


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
