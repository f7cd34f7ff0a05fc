"""The one way services tell browsers that something changed: `push(...)` / `push_to_user(...)`.

Events are sent after the current transaction commits, so a browser never hears of a row it then
cannot read. With REDIS_URL set they go straight onto the channels-redis layer, which every process
shares. Without Redis the channel layer is in-memory (one per process), so the event is written to
the `OutboxEvent` table instead and the web process relays it (see `core.realtime.relay`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import Coroutine
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from core.realtime.groups import group_name, user_group
from core.realtime.models import OutboxEvent

__all__ = ["EVENT_MESSAGE_TYPE", "event_message", "group_name", "json_safe", "layer_message", "push", "push_to_user"]

logger = logging.getLogger(__name__)

# The channel-layer message type every pushed event travels as; LiveConsumer.flaxu_event handles it.
EVENT_MESSAGE_TYPE = "flaxu.event"
# Types starting with this are control messages to the sockets themselves (core.realtime.control), not events.
CONTROL_TYPE_PREFIX = "flaxu."
MAX_EVENT_TYPE_LENGTH = OutboxEvent._meta.get_field("type").max_length


def json_safe(data: Any) -> Any:
    """`data` as plain JSON values: Decimal → str, datetime/date/time → ISO-8601, UUID → str.

    NaN and infinities are refused (ValueError): browsers cannot parse them.
    """
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, allow_nan=False))


def event_message(type: str, data: Any) -> dict:
    """The channel-layer message for one event (what a consumer turns into `{"type", "data"}`)."""
    return {"type": EVENT_MESSAGE_TYPE, "event": type, "data": data}


def layer_message(type: str, payload: Any) -> dict:
    """The channel-layer message for a delivery (or an outbox row): a control message travels as itself."""
    if type.startswith(CONTROL_TYPE_PREFIX):
        return {**payload, "type": type}
    return event_message(type, payload)


def push(group: str, type: str, data: Any = None) -> None:
    """Send `{"type": type, "data": data}` to every socket in `group`, once the transaction commits.

    `group` is slugged with `group_name` (so `ticker.BTC/USDT:USDT` works); `data` is made JSON-safe
    now, so a value that cannot be sent fails in the caller rather than later. Call it from sync code
    (services, views, tasks); from a coroutine, use `await sync_to_async(push)(...)`.
    """
    if not type or not isinstance(type, str) or len(type) > MAX_EVENT_TYPE_LENGTH:
        raise ValueError(f"An event type is a non-empty string of at most {MAX_EVENT_TYPE_LENGTH} characters.")
    if type.startswith(CONTROL_TYPE_PREFIX):
        raise ValueError(f"Event types starting with {CONTROL_TYPE_PREFIX!r} are reserved for control messages.")
    deliver_on_commit(group_name(group), type, json_safe({} if data is None else data))


def push_to_user(user_id: int, type: str, data: Any = None) -> None:
    """`push` to the private group of one user (all their open pages and API sockets)."""
    push(user_group(user_id), type, data)


def deliver_on_commit(group: str, type: str, payload: Any) -> None:
    """Send one message to `group` once the transaction commits (channels-redis, or the outbox)."""
    # robust: a push that cannot be delivered is logged, and never fails work that already committed.
    transaction.on_commit(lambda: _deliver(group, type, payload), robust=True)


def _deliver(group: str, type: str, payload: Any) -> None:
    if settings.REDIS_URL:
        layer = get_channel_layer()
        _publisher.run(layer.group_send(group, layer_message(type, payload)))
    else:
        OutboxEvent.objects.create(group=group, type=type, payload=payload)


class _Publisher:
    """One event loop per process, on a daemon thread, for every push sent from sync code.

    channels-redis keeps a layer (and its Redis connection) per event loop; `async_to_sync` ran each push
    on a new loop, so every push opened and closed a connection (≈ 2-4 ms: a worker pushing each user's
    live PnL spent seconds a round). On one long-lived loop the connection is opened once. Made again in a
    forked child (Celery's prefork pool), whose copy of the parent's thread does not run.
    """

    TIMEOUT_SECONDS = 10.0  # above the layer's Redis socket timeout (5 s): that error is the one raised

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                self._loop, self._pid = asyncio.new_event_loop(), os.getpid()
                threading.Thread(target=self._loop.run_forever, name="flaxu-push", daemon=True).start()
            return self._loop

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        """Run `coroutine` on the push loop and wait for it (from sync code only, never on an event loop)."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self._running_loop())
        try:
            return future.result(self.TIMEOUT_SECONDS)
        except TimeoutError:
            future.cancel()
            raise


_publisher = _Publisher()
