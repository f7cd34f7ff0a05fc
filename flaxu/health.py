"""Readiness: can this process reach the database, cache, broker and channel layer right now?

Each check has its own short timeout (django-health-check's `HealthCheck.get_result` bounds it) and runs
on a small executor of its own, so a busy server's request threads cannot starve the probe. None fails
because of the load it measures:
- database: a pooled connection when one is free within a second; when every pooled connection is in
  use (load, not an outage), one direct connection tells whether PostgreSQL itself answers;
- cache: a round trip on a key unique to this probe (concurrent probes never race), deleted after;
- broker: a fresh connection to the broker Celery publishes to;
- channel layer: a PING on each channels-redis host (no message through the busy receive loop);
  the in-memory layer sends itself a message.
Messages name the failure's type only: never a host, a URL or a password.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import uuid
from concurrent.futures import ThreadPoolExecutor

from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from health_check.base import HealthCheck, HealthCheckResult
from health_check.exceptions import ServiceUnavailable

# Sync checks run here, not on the threads that serve requests; timed-out ones cannot pile up past this.
_EXECUTOR = ThreadPoolExecutor(max_workers=8, thread_name_prefix="readiness")
POOL_WAIT_SECONDS = 1.0
CONNECT_TIMEOUT_SECONDS = 3


def _unreachable(what: str, exc: BaseException) -> ServiceUnavailable:
    return ServiceUnavailable(f"{what} unreachable ({type(exc).__name__})")


@dataclasses.dataclass
class Database(HealthCheck):
    timeout = datetime.timedelta(seconds=5)
    name = "database"

    def run(self) -> None:
        connection = connections["default"]
        try:
            pool = getattr(connection, "pool", None)  # psycopg's pool (PostgreSQL), else None
            if pool is not None:
                self.detail = self._through_pool(connection, pool)
            else:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
        except ServiceUnavailable:
            raise
        except Exception as exc:
            raise _unreachable("database", exc) from exc
        finally:
            connection.close()  # this executor thread keeps no connection

    @staticmethod
    def _through_pool(connection, pool) -> str:
        import psycopg
        from psycopg_pool import PoolTimeout

        pool.open()  # Django opens it on first use; a probe may come first
        try:
            with pool.connection(timeout=POOL_WAIT_SECONDS) as conn:
                conn.execute("SELECT 1")
            return ""
        except PoolTimeout:
            params = {**connection.get_connection_params(), "connect_timeout": CONNECT_TIMEOUT_SECONDS}
            with psycopg.connect(**params) as conn:
                conn.execute("SELECT 1")
            return f"pool busy: all {pool.max_size} connections in use"


@dataclasses.dataclass
class Cache(HealthCheck):
    timeout = datetime.timedelta(seconds=3)
    name = "cache"

    def run(self) -> None:
        key = f"readiness:{uuid.uuid4().hex}"
        try:
            cache.set(key, key, timeout=30)
            value = cache.get(key)
            cache.delete(key)
        except Exception as exc:
            raise _unreachable("cache", exc) from exc
        if value != key:
            raise ServiceUnavailable("cache did not return what was just stored")


@dataclasses.dataclass
class Broker(HealthCheck):
    timeout = datetime.timedelta(seconds=3)
    name = "broker"

    def run(self) -> None:
        from flaxu.celery import app

        try:
            with app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:  # kombu raises transport-specific errors
            raise _unreachable("broker", exc) from exc


@dataclasses.dataclass
class ChannelLayer(HealthCheck):
    timeout = datetime.timedelta(seconds=5)
    name = "channel_layer"

    async def run(self) -> None:
        layer = get_channel_layer()
        if layer is None:
            raise ServiceUnavailable("no channel layer configured")
        try:
            if hasattr(layer, "ping"):  # Redis mode (core.realtime.layer): a round trip, no channel left behind
                await layer.ping()
            elif hasattr(layer, "connection") and hasattr(layer, "ring_size"):  # channels-redis's core layer
                for index in range(layer.ring_size):
                    await layer.connection(index).ping()
            else:
                channel = await layer.new_channel("readiness.")
                await layer.send(channel, {"type": "readiness.ping"})
                message = await layer.receive(channel)
                if message.get("type") != "readiness.ping":
                    raise ServiceUnavailable("channel layer returned an unexpected message")
        except ServiceUnavailable:
            raise
        except Exception as exc:
            raise _unreachable("channel layer", exc) from exc


CHECKS: tuple[type[HealthCheck], ...] = (Database, Cache, Broker, ChannelLayer)


async def readiness() -> list[HealthCheckResult]:
    """Every check, concurrently; each result carries its error (or None) and the time it took."""
    checks = [check() for check in CHECKS]
    for check in checks:
        check.detail = ""
    return list(await asyncio.gather(*(check.get_result(_EXECUTOR) for check in checks)))
