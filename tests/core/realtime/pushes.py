"""Recording what services push to websocket groups, in either delivery mode.

Without Redis, pushes are OutboxEvent rows; with Redis, a channel is added to each watched group
beforehand (`watch`) and drained on an event loop of its own.
"""

from __future__ import annotations

import asyncio

from django.conf import settings


class PushRecorder:
    """What was pushed to which group: the outbox table without Redis; with Redis, a channel that joined
    the groups beforehand (``watch``), read on one event loop of its own (channels-redis binds a
    channel's receive buffer to the loop that first read it)."""

    def __init__(self):

        self.redis = bool(settings.REDIS_URL)
        self.channels: dict[str, str] = {}
        self.seen: dict[str, list[dict]] = {}
        self.loop = None

    def _run(self, coroutine):
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
        """Every event pushed to ``group`` so far, as ``{"type", "data"}`` (control messages to sockets,
        such as ``flaxu.recheck``, are not events and are left out)."""
        from core.realtime.push import CONTROL_TYPE_PREFIX, EVENT_MESSAGE_TYPE

        if not self.redis:
            from core.realtime.models import OutboxEvent

            rows = OutboxEvent.objects.filter(group=group).exclude(type__startswith=CONTROL_TYPE_PREFIX)
            return [{"type": e.type, "data": e.payload} for e in rows.order_by("id")]
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        seen = self.seen.setdefault(group, [])

        async def drain():
            while True:
                try:
                    message = await asyncio.wait_for(layer.receive(self.channels[group]), 0.3)
                except TimeoutError:
                    return
                if message["type"] == EVENT_MESSAGE_TYPE:
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
