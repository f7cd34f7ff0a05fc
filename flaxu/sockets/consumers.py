"""The one websocket, /ws/: a signed-in user's live feed of events for them and for public groups.

Every message, both ways, is a JSON envelope `{"type": ..., "data": ...}`.

Client → server: `ping`, `subscribe` / `unsubscribe` with `{"groups": [...]}`.
Server → client: `hello` `{"user", "groups"}` on connect, `pong`, `subscribed` / `unsubscribed`
`{"groups"}`, `error` `{"detail", ...}`, and every event pushed to a joined group (`push.push`).

A socket lives only as long as its credential: it is closed (4401, or 4403 when the account is
suspended) as soon as the token is revoked, the session signs out or the password changes, and it
leaves groups the user may no longer join. The credential is checked again on every client message,
every FLAXU_WS_RECHECK_SECONDS, and whenever a control message (`core.realtime.control`) says so.

Serving many sockets (issue #10): a push costs no database work and no thread hop (`dispatch` skips
Channels' per-message `close_old_connections`; every query here runs in `database_sync_to_async`, which
does that itself), one push to a group is encoded to JSON once per process, not once per socket, and
the pub/sub layer hands it straight to an idle socket's send (`take_event`) without waking this task.
Database work (connect, client messages, the timer) is batched to one thread hop per step.
A failed channel-layer read is retried with backoff instead of ending the consumer, which would close
the socket with 1011; the socket then joins its groups again. (In Redis mode the pub/sub layer's reads
are local; its one subscriber connection per process reconnects and subscribes again by itself.)
However the socket ends, it leaves every group it joined and gives its channel back to the layer. In
Redis mode memberships live in the web process, so a crash leaves none behind; the in-memory layer
expires strays (`group_expiry`), and open sockets refresh their memberships well before that.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.conf import settings

from core.parsers import json_loads_bounded
from core.realtime.control import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED, close_reason, session_fingerprint
from core.realtime.eager import start_eagerly
from core.realtime.groups import can_join, group_name, user_group
from core.realtime.push import EVENT_MESSAGE_TYPE
from core.realtime.relay import ensure_relay_started
from flaxu.sockets.auth import credential_refusal, socket_refusal

logger = logging.getLogger(__name__)

__all__ = ["CLOSE_FORBIDDEN", "CLOSE_UNAUTHENTICATED", "LiveConsumer"]

# The channel layer (Redis) is unreachable right now: try again later. 4503 mirrors HTTP 503, like 4401/4403;
# the standard 1013 is refused by Daphne (autobahn sends only 1000 and 3000-4999), which then closed with 1011.
CLOSE_TRY_AGAIN_LATER = 4503
MAX_MESSAGE_CHARS = 16_384
MAX_GROUPS_PER_MESSAGE = 50
MAX_SUBSCRIPTIONS = 200
# Where the layer expires memberships (`group_expiry`), refresh them at a third of that, at most hourly.
GROUP_REFRESH_SECONDS = 3600
# A failed channel-layer call is tried again after 0.1 s, 0.2 s, ... up to this (seconds).
LAYER_RETRY_MAX_SECONDS = 5.0
# Group add/discard: attempts before giving up (the membership then expires on the layer).
GROUP_CALL_ATTEMPTS = 3
# Where one process keeps the JSON text of a pushed event, shared by every socket that receives it.
_ENCODED = "__flaxu_text"
_last_layer_warning = 0.0
# Database calls from sockets (thread-sensitive, as Channels' default: tests share the test transaction).
db_call = database_sync_to_async


def joinable(user, names: Iterable[str]) -> set[str]:
    """Which of `names` the user may join now (one database hop for a whole subscribe)."""
    return {name for name in names if can_join(user, name)}


def still_admitted(scope: dict) -> tuple[Any, int, str | None]:
    """The socket's credential, then the account, checked again in one hop: (user, close code, refusal)."""
    user, refusal = credential_refusal(scope)
    if refusal:
        return user, CLOSE_UNAUTHENTICATED, refusal
    refusal = socket_refusal(user)
    return user, CLOSE_FORBIDDEN, refusal


def _warn_layer_error(what: str, exc: BaseException) -> None:
    """Log a channel-layer failure at most once per 10 s per process (1,000 sockets see the same outage)."""
    global _last_layer_warning
    now = time.monotonic()
    if now - _last_layer_warning >= 10:
        _last_layer_warning = now
        logger.warning("Channel layer %s failed (%s: %s); retrying.", what, type(exc).__name__, exc)


class LiveConsumer(AsyncJsonWebsocketConsumer):
    user_id: int | None = None  # set once the socket is accepted
    own_group = ""
    groups_refreshed_at = 0.0
    closing = False
    recheck_task: asyncio.Task | None = None
    layer_down = False  # the channel layer could not give this socket a channel
    rechecked_at = 0.0
    handling = False  # a message of this socket's is being handled: pushes queue behind it
    direct_send: asyncio.Task | None = None  # a directly delivered push whose send had to wait

    # --- the consumer's life: survive layer errors, leave every group however it ends -----------------

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        """Channels' AsyncConsumer.__call__, reading the layer through `layer_receive` and leaving every
        group on the way out (also when a handler raised or the server cancelled the consumer)."""
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        try:
            self.channel_name = await self.channel_layer.new_channel()
        except Exception as exc:  # the pub/sub layer subscribes a new channel in Redis: it may be down
            _warn_layer_error("new channel", exc)
            self.layer_down = True
            self.channel_name = ""
        set_direct_receiver = getattr(self.channel_layer, "set_direct_receiver", None)
        if set_direct_receiver is not None and self.channel_name:
            set_direct_receiver(self.channel_name, self.take_event)
        self.base_send = send
        try:
            await await_many_dispatch([receive, self.layer_receive], self.dispatch)
        except StopConsumer:
            pass
        finally:
            self.closing = True
            for task in (self.recheck_task, self.direct_send):
                if task is not None:
                    task.cancel()
            await self.leave_all_groups()
            discard_channel = getattr(self.channel_layer, "discard_channel", None)
            if discard_channel is not None and self.channel_name:
                await discard_channel(self.channel_name)  # pub/sub: a cancelled receive keeps its channel

    async def layer_receive(self) -> dict:
        """The next channel-layer message; a failed read is retried (with backoff) rather than raised,
        and after one the socket joins its groups again (a restarted Redis may have lost them)."""
        if self.layer_down:
            await asyncio.Future()  # no channel: connect() closes the socket with CLOSE_TRY_AGAIN_LATER
        delay = 0.1
        while True:
            try:
                message = await self.channel_layer.receive(self.channel_name)
                self.handling = True  # from here until dispatched, pushes must queue behind it
                return message
            except Exception as exc:  # redis ConnectionError / TimeoutError, OSError, ...
                _warn_layer_error("read", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, LAYER_RETRY_MAX_SECONDS)
            try:
                await self.refresh_groups()
            except Exception as exc:
                _warn_layer_error("group refresh", exc)

    async def dispatch(self, message: dict) -> None:
        """Call the message's handler, without Channels' per-message thread hop to close stale database
        connections: no handler queries on this thread (each query runs in database_sync_to_async / db_call)."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        self.handling = True
        try:
            if self.direct_send is not None:  # a push delivered directly goes out first
                await asyncio.wait([self.direct_send])
            await handler(message)
        finally:
            self.handling = False

    def take_event(self, message: dict) -> bool:
        """The pub/sub layer's direct path (`set_direct_receiver`): send a pushed event now, on the layer's
        reader, instead of waking this consumer's task; False (something of this socket's is in progress,
        or not an event) has the layer queue it as usual, so the socket's messages keep their order.

        A send that must wait (the client reads slowly) carries on in a Task, and later messages queue
        behind it; a failed send is logged, and the socket's own disconnect ends the consumer."""
        if self.handling or self.direct_send is not None or message.get("type") != EVENT_MESSAGE_TYPE:
            return False
        try:
            task = start_eagerly(self.flaxu_event(message))
        except Exception as exc:
            _warn_layer_error("direct send", exc)
            return True
        if task is not None:
            self.direct_send = task
            task.add_done_callback(self._direct_send_done)
        return True

    def _direct_send_done(self, task: asyncio.Task) -> None:
        self.direct_send = None
        if not task.cancelled() and task.exception() is not None:
            _warn_layer_error("direct send", task.exception())

    async def websocket_disconnect(self, message: dict) -> None:
        self.closing = True
        await self.leave_all_groups()
        await self.disconnect(message.get("code", 1000))
        raise StopConsumer()

    async def group_call(self, call: Callable[[str, str], Awaitable[None]], group: str) -> None:
        """`call(group, channel_name)` (group_add / group_discard), tried GROUP_CALL_ATTEMPTS times."""
        for attempt in range(GROUP_CALL_ATTEMPTS):
            try:
                await call(group, self.channel_name)
                return
            except Exception:
                if attempt == GROUP_CALL_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.1 * 2**attempt)

    async def leave_all_groups(self) -> None:
        """Leave every joined group (what cannot be left now goes with the channel, or expires on the layer)."""
        groups, self.groups = list(self.groups), []
        for name in groups:
            try:
                await self.group_call(self.channel_layer.group_discard, name)
            except Exception as exc:
                _warn_layer_error("group discard", exc)

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept, then close: a close before accepting reaches the browser as a bare 403.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        refusal = await db_call(socket_refusal)(user)
        if refusal:
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN, reason=close_reason(refusal))
            return
        self.user_id = user.pk
        self.own_group = user_group(user.pk)
        await ensure_relay_started()
        if self.layer_down:
            await self.accept()
            await self.close(code=CLOSE_TRY_AGAIN_LATER)
            return
        self.groups.append(self.own_group)  # leave_all_groups discards everything in self.groups
        try:
            await self.group_call(self.channel_layer.group_add, self.own_group)
        except Exception as exc:
            _warn_layer_error("group add", exc)
            await self.accept()
            await self.close(code=CLOSE_TRY_AGAIN_LATER)
            return
        self.groups_refreshed_at = self.rechecked_at = time.monotonic()
        await self.accept()
        await self.send_envelope("hello", {"user": user.pk, "groups": [self.own_group]})
        self.recheck_task = asyncio.get_running_loop().create_task(self.recheck_periodically())

    async def disconnect(self, code: int) -> None:
        if self.recheck_task is not None and self.recheck_task is not asyncio.current_task():
            self.recheck_task.cancel()

    # --- the credential, checked again -----------------------------------------------------------

    async def recheck_periodically(self) -> None:
        """The safety net under control messages: every FLAXU_WS_RECHECK_SECONDS, check everything again;
        and refresh group memberships before the layer expires them. The only timer; pushes touch no database."""
        recheck_every = settings.FLAXU_WS_RECHECK_SECONDS
        tick = min(recheck_every, self.group_refresh_seconds()) if recheck_every > 0 else self.group_refresh_seconds()
        while not self.closing:
            await asyncio.sleep(tick)
            if recheck_every > 0 and time.monotonic() - self.rechecked_at >= recheck_every:
                self.rechecked_at = time.monotonic()
                try:
                    await self.recheck(groups=True)
                except Exception:
                    logger.exception("Websocket re-check failed; trying again later.")
            try:
                await self.refresh_groups_if_due()
            except Exception as exc:
                _warn_layer_error("group refresh", exc)

    async def recheck(self, *, groups: bool) -> bool:
        """Close the socket if its credential or account no longer admits it (True if still open); with
        `groups`, also leave the groups the user may no longer join (e.g. FULL-only after losing FULL)."""
        if self.closing:
            return False
        user, code, refusal = await db_call(still_admitted)(self.scope)
        if refusal:
            await self.close_for(code, refusal)
            return False
        self.scope["user"] = user  # current access level and allow-list for can_join
        if groups:
            await self.leave_refused_groups()
        return True

    async def leave_refused_groups(self) -> None:
        left = []
        allowed = await db_call(joinable)(self.scope["user"], list(self.groups))
        for name in list(self.groups):
            if name != self.own_group and name not in allowed:
                try:
                    await self.group_call(self.channel_layer.group_discard, name)
                except Exception as exc:
                    # Still a member of a group it may no longer read: close rather than keep delivering.
                    _warn_layer_error("group discard", exc)
                    await self.close_for(CLOSE_TRY_AGAIN_LATER, "Your access changed; reconnect.")
                    return
                self.groups.remove(name)
                left.append(name)
        if left:
            await self.send_envelope(
                "unsubscribed",
                {"groups": left, "detail": "Your access changed; these groups are no longer open to you."},
            )

    async def close_for(self, code: int, reason: str) -> None:
        """Leave every group at once (no further push reaches this socket), then close with `code`."""
        if self.closing:
            return
        self.closing = True
        await self.leave_all_groups()
        await self.close(code=code, reason=close_reason(reason))

    # --- client → server -------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs) -> None:
        if self.user_id is None or self.closing:  # refused socket: frames that raced the close are dropped
            return
        if not await self.recheck(groups=False):
            return
        if text_data is None:
            await self.send_error("Send JSON text frames; binary frames are not accepted.")
            return
        if len(text_data) > MAX_MESSAGE_CHARS:
            await self.send_error(f"Message too large (at most {MAX_MESSAGE_CHARS} characters).")
            return
        try:
            content = json_loads_bounded(text_data)  # a deeply nested message is refused, not a RecursionError
        except ValueError:
            await self.send_error("Message is not valid JSON (or nested too deeply).")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_error('Expected an object like {"type": "...", "data": {...}}.')
            return
        kind = content["type"]
        if kind == "ping":
            await self.refresh_groups_if_due()
            await self.send_envelope("pong", {})
        elif kind in ("subscribe", "unsubscribe"):
            groups = self.requested_groups(content.get("data"))
            if groups is None:
                await self.send_error(
                    f'"{kind}" needs {{"groups": [names]}} with 1 to {MAX_GROUPS_PER_MESSAGE} names.', request=kind
                )
            elif kind == "subscribe":
                await self.subscribe(groups)
            else:
                await self.unsubscribe(groups)
        else:
            await self.send_error(f"Unknown message type {kind[:60]!r}.", request=kind[:60])

    @staticmethod
    def requested_groups(data: Any) -> list[str] | None:
        groups = data.get("groups") if isinstance(data, dict) else None
        if not isinstance(groups, list) or not 0 < len(groups) <= MAX_GROUPS_PER_MESSAGE:
            return None
        if not all(isinstance(group, str) and group for group in groups):
            return None
        return list(dict.fromkeys(groups))

    async def subscribe(self, requested: list[str]) -> None:
        joined, refused, over_limit, failed, names = [], [], [], [], []
        for raw in requested:
            try:
                names.append(group_name(raw))
            except ValueError:
                refused.append(raw[:100])
        new = [name for name in names if name not in self.groups]
        allowed = await db_call(joinable)(self.scope["user"], new) if new else set()
        for name in names:
            if name in self.groups:
                joined.append(name)
            elif name not in allowed:
                refused.append(name)
            elif len(self.groups) > MAX_SUBSCRIPTIONS:
                over_limit.append(name)
            else:
                self.groups.append(name)
                try:
                    await self.group_call(self.channel_layer.group_add, name)
                except Exception as exc:
                    _warn_layer_error("group add", exc)
                    self.groups.remove(name)
                    failed.append(name)
                    continue
                joined.append(name)
        if refused:
            await self.send_error("Not allowed to join these groups.", request="subscribe", groups=refused)
        if over_limit:
            await self.send_error(
                f"At most {MAX_SUBSCRIPTIONS} subscriptions per connection.", request="subscribe", groups=over_limit
            )
        if failed:
            await self.send_error(
                "Could not join these groups right now; try again.", request="subscribe", groups=failed
            )
        if joined:
            await self.send_envelope("subscribed", {"groups": joined})

    async def unsubscribe(self, requested: list[str]) -> None:
        left, failed = [], []
        for raw in requested:
            try:
                name = group_name(raw)
            except ValueError:
                continue
            if name in self.groups and name != self.own_group:
                try:
                    await self.group_call(self.channel_layer.group_discard, name)
                except Exception as exc:
                    _warn_layer_error("group discard", exc)
                    failed.append(name)
                    continue
                self.groups.remove(name)
                left.append(name)
        if failed:
            await self.send_error(
                "Could not leave these groups right now; try again.", request="unsubscribe", groups=failed
            )
        await self.send_envelope("unsubscribed", {"groups": left})

    def group_refresh_seconds(self) -> float:
        expiry = getattr(self.channel_layer, "group_expiry", None) or 3 * GROUP_REFRESH_SECONDS
        return min(GROUP_REFRESH_SECONDS, expiry / 3)

    async def refresh_groups_if_due(self) -> None:
        if time.monotonic() - self.groups_refreshed_at >= self.group_refresh_seconds():
            await self.refresh_groups()

    async def refresh_groups(self) -> None:
        """Join every group again (renews the layer's expiry; restores memberships a Redis restart lost)."""
        for name in list(self.groups):
            await self.channel_layer.group_add(name, self.channel_name)
            if name not in self.groups:  # unsubscribed meanwhile: don't leave a stray membership
                await self.channel_layer.group_discard(name, self.channel_name)
        self.groups_refreshed_at = time.monotonic()

    # --- server → client -------------------------------------------------------------------------

    async def flaxu_event(self, message: dict) -> None:
        """An event pushed to one of this socket's groups (`push.event_message`).

        The Redis layer (core.realtime.layer) hands every socket of this process the same message dict,
        so the first socket to send it keeps the JSON text in it for the others (the in-memory layer
        copies; no harm)."""
        if self.closing:
            return
        text = message.get(_ENCODED)
        if text is None:
            text = message[_ENCODED] = json.dumps({"type": message["event"], "data": message.get("data")})
        await self.send(text_data=text)

    async def flaxu_close(self, message: dict) -> None:
        """`control.sockets_close`: close if meant for every socket of the user, or for this one's credential."""
        token_id, session = message.get("token_id"), message.get("session")
        if token_id is not None and not (self.scope.get("auth") == "token" and self.scope.get("token_id") == token_id):
            return
        if session and session != session_fingerprint(self.scope.get("session_key")):
            return
        await self.close_for(message.get("code") or CLOSE_UNAUTHENTICATED, message.get("reason") or "")

    async def flaxu_recheck(self, message: dict) -> None:
        """`control.sockets_recheck`: the user's access or keys changed."""
        await self.recheck(groups=True)

    async def send_envelope(self, type: str, data: Any) -> None:
        await self.send_json({"type": type, "data": data})

    async def send_error(self, detail: str, **extra: Any) -> None:
        await self.send_envelope("error", {"detail": detail, **extra})
