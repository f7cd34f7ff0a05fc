"""Health checks beyond django-health-check's built-ins: the Celery broker and the channel layer."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime

from channels.layers import get_channel_layer
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection."""

    timeout = datetime.timedelta(seconds=3)

    def run(self) -> None:
        from flaxu.celery import app

        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:  # kombu raises transport-specific errors
            raise ServiceUnavailable(f"broker unreachable ({type(exc).__name__})") from exc


@dataclasses.dataclass
class ChannelLayer(HealthCheck):
    """A message sent on the channel layer comes back."""

    timeout = datetime.timedelta(seconds=3)

    async def run(self) -> None:
        layer = get_channel_layer()
        if layer is None:
            raise ServiceUnavailable("no channel layer configured")
        try:
            channel = await layer.new_channel("health.")
            await layer.send(channel, {"type": "health.ping"})
            message = await asyncio.wait_for(layer.receive(channel), 2)
        except Exception as exc:
            raise ServiceUnavailable(f"channel layer unreachable ({type(exc).__name__})") from exc
        if message.get("type") != "health.ping":
            raise ServiceUnavailable("channel layer returned an unexpected message")
