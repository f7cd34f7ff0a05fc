"""The outbox relay: carries events written by other processes into this process's channel layer.

Only used without Redis (the in-memory channel layer reaches only the sockets of its own process).
Each web process runs one relay, an asyncio task started by the first websocket that connects. It
starts at the newest event (old events are not replayed), then polls for newer rows every
FLAXU_OUTBOX_POLL_SECONDS and group_sends each one.

Row ids are handed out before commit, so on PostgreSQL a row with a lower id can become visible
after a higher one. Ids skipped that way are remembered for a few seconds and looked up again.
"""

from __future__ import annotations

import asyncio
import logging
import time

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db.models import Max, Q

from core.realtime.models import OutboxEvent
from core.realtime.push import layer_message

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# How long an id that was skipped (not yet committed, or rolled back) is still looked for.
GAP_WAIT_SECONDS = 10.0
MAX_TRACKED_GAPS = 1000
# How long a connecting socket waits for the relay to find its starting point.
READY_TIMEOUT_SECONDS = 10.0
# Idle polls between checks that the table was not emptied and restarted (tests reset sequences).
RESTART_CHECK_EVERY = 20


class OutboxRelay:
    """Tails `OutboxEvent` and group_sends each new row; one instance per process and event loop."""

    def __init__(self, poll_seconds: float | None = None) -> None:
        self.poll_seconds = settings.FLAXU_OUTBOX_POLL_SECONDS if poll_seconds is None else poll_seconds
        self.last_id = 0
        self.gaps: dict[int, float] = {}
        self.ready = asyncio.Event()
        self.task: asyncio.Task | None = None
        self._idle_polls = 0

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self.run(), name="flaxu-outbox-relay")
        self.task.add_done_callback(_log_crash)

    def is_running_here(self) -> bool:
        if self.task is None or self.task.done():
            return False
        return self.task.get_loop() is asyncio.get_running_loop()

    async def run(self) -> None:
        while not self.ready.is_set():
            try:
                self.last_id = await database_sync_to_async(_max_id)()
            except Exception:
                logger.exception("Outbox relay cannot read the outbox; retrying.")
                await asyncio.sleep(max(self.poll_seconds, 1.0))
                continue
            self.ready.set()
        logger.info("Outbox relay started after event %s.", self.last_id)
        while True:
            try:
                delivered = await self.poll_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Outbox relay poll failed; retrying.")
                delivered = 0
            if delivered < BATCH_SIZE:
                await asyncio.sleep(self.poll_seconds)

    async def poll_once(self) -> int:
        """Relay the rows that appeared since the last poll; returns how many."""
        rows = await database_sync_to_async(_rows_after)(self.last_id, list(self.gaps))
        layer = get_channel_layer()
        for row in rows:
            self._advance(row.id)
            await layer.group_send(row.group, layer_message(row.type, row.payload))
        if rows:
            self._idle_polls = 0
        else:
            self._idle_polls += 1
            if self._idle_polls >= RESTART_CHECK_EVERY:
                self._idle_polls = 0
                newest = await database_sync_to_async(_max_id)()
                if newest < self.last_id:  # the table was emptied and its ids restarted
                    self.last_id, self.gaps = newest, {}
        self._expire_gaps()
        return len(rows)

    def _advance(self, row_id: int) -> None:
        if self.gaps.pop(row_id, None) is not None or row_id <= self.last_id:
            return
        now = time.monotonic()
        missing = range(self.last_id + 1, row_id)
        if len(missing) + len(self.gaps) <= MAX_TRACKED_GAPS:
            self.gaps.update(dict.fromkeys(missing, now))
        self.last_id = row_id

    def _expire_gaps(self) -> None:
        deadline = time.monotonic() - GAP_WAIT_SECONDS
        self.gaps = {row_id: seen for row_id, seen in self.gaps.items() if seen > deadline}


def _max_id() -> int:
    return OutboxEvent.objects.aggregate(newest=Max("id"))["newest"] or 0


def _rows_after(last_id: int, gaps: list[int]) -> list[OutboxEvent]:
    condition = Q(id__gt=last_id)
    if gaps:
        condition |= Q(id__in=gaps)
    return list(OutboxEvent.objects.filter(condition).order_by("id")[:BATCH_SIZE])


def _log_crash(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("Outbox relay stopped", exc_info=task.exception())


_relay: OutboxRelay | None = None


async def ensure_relay_started() -> None:
    """Start this process's relay unless it runs already, and wait until it knows where to start.

    Without Redis only; with Redis every process shares the channel layer and nothing is relayed.
    Once this returns, every event written afterwards reaches this process's sockets.
    """
    global _relay
    if settings.REDIS_URL:
        return
    if _relay is None or not _relay.is_running_here():
        _relay = OutboxRelay()
        _relay.start()
    try:
        await asyncio.wait_for(_relay.ready.wait(), READY_TIMEOUT_SECONDS)
    except TimeoutError:
        logger.warning("Outbox relay is not ready yet; this socket may miss the first events.")
