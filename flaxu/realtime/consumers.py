"""The one websocket, /ws/: a signed-in user's live feed of events for them and for public groups.

Every message, both ways, is a JSON envelope `{"type": ..., "data": ...}`.

Client → server: `ping`, `subscribe` / `unsubscribe` with `{"groups": [...]}`.
Server → client: `hello` `{"user", "groups"}` on connect, `pong`, `subscribed` / `unsubscribed`
`{"groups"}`, `error` `{"detail", ...}`, and every event pushed to a joined group (`push.push`).

A socket lives only as long as its credential: it is closed (4401, or 4403 when the account is
suspended) as soon as the token is revoked, the session signs out or the password changes, and it
leaves groups the user may no longer join. The credential is checked again on every client message,
every FLAXU_WS_RECHECK_SECONDS, and whenever a control message (`flaxu.realtime.control`) says so.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from flaxu.parsers import json_loads_bounded
from flaxu.realtime.auth import credential_refusal, socket_refusal
from flaxu.realtime.control import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED, close_reason, session_fingerprint
from flaxu.realtime.groups import can_join, group_name, user_group
from flaxu.realtime.relay import ensure_relay_started

logger = logging.getLogger(__name__)

__all__ = ["CLOSE_FORBIDDEN", "CLOSE_UNAUTHENTICATED", "LiveConsumer"]

MAX_MESSAGE_CHARS = 16_384
MAX_GROUPS_PER_MESSAGE = 50
MAX_SUBSCRIPTIONS = 200
# Group memberships expire on the channel layer (a day on channels-redis); refresh them well before.
GROUP_REFRESH_SECONDS = 3600


class LiveConsumer(AsyncJsonWebsocketConsumer):
    user_id: int | None = None  # set once the socket is accepted
    own_group = ""
    groups_refreshed_at = 0.0
    closing = False
    recheck_task: asyncio.Task | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept, then close: a close before accepting reaches the browser as a bare 403.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        refusal = await database_sync_to_async(socket_refusal)(user)
        if refusal:
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN, reason=close_reason(refusal))
            return
        self.user_id = user.pk
        self.own_group = user_group(user.pk)
        await ensure_relay_started()
        await self.channel_layer.group_add(self.own_group, self.channel_name)
        self.groups.append(self.own_group)  # websocket_disconnect discards everything in self.groups
        self.groups_refreshed_at = time.monotonic()
        await self.accept()
        await self.send_envelope("hello", {"user": user.pk, "groups": [self.own_group]})
        if settings.FLAXU_WS_RECHECK_SECONDS > 0:
            self.recheck_task = asyncio.get_running_loop().create_task(self.recheck_periodically())

    async def disconnect(self, code: int) -> None:
        if self.recheck_task is not None and self.recheck_task is not asyncio.current_task():
            self.recheck_task.cancel()

    # --- the credential, checked again -----------------------------------------------------------

    async def recheck_periodically(self) -> None:
        """The safety net under control messages: every FLAXU_WS_RECHECK_SECONDS, check everything again."""
        while not self.closing:
            await asyncio.sleep(settings.FLAXU_WS_RECHECK_SECONDS)
            try:
                await self.recheck(groups=True)
            except Exception:
                logger.exception("Websocket re-check failed; trying again later.")

    async def recheck(self, *, groups: bool) -> bool:
        """Close the socket if its credential or account no longer admits it (True if still open); with
        `groups`, also leave the groups the user may no longer join (e.g. FULL-only after losing FULL)."""
        if self.closing:
            return False
        user, refusal = await database_sync_to_async(credential_refusal)(self.scope)
        if refusal:
            await self.close_for(CLOSE_UNAUTHENTICATED, refusal)
            return False
        refusal = await database_sync_to_async(socket_refusal)(user)
        if refusal:
            await self.close_for(CLOSE_FORBIDDEN, refusal)
            return False
        self.scope["user"] = user  # current access level and allow-list for can_join
        if groups:
            await self.leave_refused_groups()
        return True

    async def leave_refused_groups(self) -> None:
        left = []
        for name in list(self.groups):
            if name != self.own_group and not await database_sync_to_async(can_join)(self.scope["user"], name):
                await self.channel_layer.group_discard(name, self.channel_name)
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
        for name in self.groups:
            await self.channel_layer.group_discard(name, self.channel_name)
        self.groups.clear()
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
        joined, refused, over_limit = [], [], []
        for raw in requested:
            try:
                name = group_name(raw)
            except ValueError:
                refused.append(raw[:100])
                continue
            if name in self.groups:
                joined.append(name)
            elif not await database_sync_to_async(can_join)(self.scope["user"], name):
                refused.append(name)
            elif len(self.groups) > MAX_SUBSCRIPTIONS:
                over_limit.append(name)
            else:
                await self.channel_layer.group_add(name, self.channel_name)
                self.groups.append(name)
                joined.append(name)
        if refused:
            await self.send_error("Not allowed to join these groups.", request="subscribe", groups=refused)
        if over_limit:
            await self.send_error(
                f"At most {MAX_SUBSCRIPTIONS} subscriptions per connection.", request="subscribe", groups=over_limit
            )
        if joined:
            await self.send_envelope("subscribed", {"groups": joined})

    async def unsubscribe(self, requested: list[str]) -> None:
        left = []
        for raw in requested:
            try:
                name = group_name(raw)
            except ValueError:
                continue
            if name in self.groups and name != self.own_group:
                await self.channel_layer.group_discard(name, self.channel_name)
                self.groups.remove(name)
                left.append(name)
        await self.send_envelope("unsubscribed", {"groups": left})

    async def refresh_groups_if_due(self) -> None:
        if time.monotonic() - self.groups_refreshed_at < GROUP_REFRESH_SECONDS:
            return
        for name in self.groups:
            await self.channel_layer.group_add(name, self.channel_name)
        self.groups_refreshed_at = time.monotonic()

    # --- server → client -------------------------------------------------------------------------

    async def flaxu_event(self, message: dict) -> None:
        """An event pushed to one of this socket's groups (`push.event_message`)."""
        if not self.closing:
            await self.send_envelope(message["event"], message.get("data"))

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
