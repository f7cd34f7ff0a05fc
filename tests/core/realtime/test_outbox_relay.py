"""The outbox relay (no-Redis mode): new rows reach sockets once, old rows are not replayed, late
commits are not lost, and old rows are pruned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone

from core.realtime import relay
from core.realtime.models import OutboxEvent
from core.realtime.push import push_to_user
from core.realtime.relay import OutboxRelay
from core.realtime.services import outbox_prune
from tests.core.realtime.sockets import connect_hello, live_socket, receive_type, run, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)
without_redis = pytest.mark.skipif(bool(settings.REDIS_URL), reason="the outbox carries pushes only without Redis")


@without_redis
def test_one_relay_per_process_delivers_each_new_event_once_and_skips_old_ones(user):
    cookie = session_cookie(user)
    OutboxEvent.objects.create(group=f"user.{user.pk}", type="notice", payload={"old": True})

    async def scenario():
        first, second = live_socket(cookie), live_socket(cookie)
        await connect_hello(first)
        running = relay._relay
        await connect_hello(second)
        assert relay._relay is running  # the second socket reused the process's relay
        await database_sync_to_async(push_to_user)(user.pk, "notice", {"n": 1})
        for ws in (first, second):
            assert (await receive_type(ws, "notice"))["data"] == {"n": 1}
            assert await ws.receive_nothing(timeout=2 * settings.FLAXU_OUTBOX_POLL_SECONDS + 0.3)
            await ws.disconnect()

    run(scenario)


def test_relay_delivers_a_row_that_became_visible_after_a_newer_one():
    # On PostgreSQL ids are taken before commit: id 2 may be visible before id 1. Simulate it by hiding
    # the middle row during the first poll, then putting it back with its id.
    rows = [OutboxEvent.objects.create(group="system.relay-test", type="tick", payload={"n": n}) for n in range(3)]
    hidden = rows[1]
    OutboxEvent.objects.filter(pk=hidden.pk).delete()

    async def scenario():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("system.relay-test", channel)
        tail = OutboxRelay()
        tail.last_id = rows[0].pk - 1
        assert await tail.poll_once() == 2
        received = [(await layer.receive(channel))["data"]["n"] for _ in range(2)]
        assert received == [0, 2]

        await database_sync_to_async(OutboxEvent.objects.create)(
            id=hidden.pk, group=hidden.group, type=hidden.type, payload=hidden.payload
        )
        assert await tail.poll_once() == 1
        assert (await layer.receive(channel))["data"] == {"n": 1}
        assert await tail.poll_once() == 0
        await layer.group_discard("system.relay-test", channel)

    run(scenario)


def test_prune_deletes_only_events_older_than_the_retention():
    too_old = timezone.now() - timedelta(seconds=settings.FLAXU_OUTBOX_RETENTION_SECONDS + 5)
    old = OutboxEvent.objects.create(group="system", type="x", created_at=too_old)
    recent = OutboxEvent.objects.create(group="system", type="x")
    assert outbox_prune() == 1
    assert list(OutboxEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not OutboxEvent.objects.filter(pk=old.pk).exists()
