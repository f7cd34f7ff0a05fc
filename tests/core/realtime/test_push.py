"""push(): JSON-safe data, valid group names, sent only after commit, and it reaches the socket."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import uuid
from decimal import Decimal

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import transaction

from core.realtime.groups import group_name
from core.realtime.push import json_safe, push, push_to_user
from tests.core.realtime.pushes import PushRecorder
from tests.core.realtime.sockets import connect_hello, live_socket, receive_type, run, session_cookie


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("ticker", "BTC/USDT:USDT"), "ticker.btc-usdt-usdt"),
        (("market.funding",), "market.funding"),
        (("ticker.btc-usdt-usdt",), "ticker.btc-usdt-usdt"),
        (("market", "  Fear & Greed!  "), "market.fear-greed"),
        (("user", 42), "user.42"),
        (("ticker", "1000PEPE/USDT:USDT"), "ticker.1000pepe-usdt-usdt"),
    ],
)
def test_group_names_are_slugged(parts, expected):
    assert group_name(*parts) == expected


def test_long_group_names_are_cut_to_a_valid_distinct_name():
    from channels.layers import BaseChannelLayer

    a, b = group_name("market", "x" * 200 + "a"), group_name("market", "x" * 200 + "b")
    assert a != b
    for name in (a, b):
        assert len(name) <= 99
        assert BaseChannelLayer().require_valid_group_name(name)


def test_a_name_with_nothing_usable_is_refused():
    with pytest.raises(ValueError):
        group_name("/:/", "")


def test_data_is_made_json_safe():
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    data = {"price": Decimal("97000.50"), "at": moment, "day": dt.date(2026, 1, 2), "id": ident, "n": [1, 2.5]}
    assert json_safe(data) == {
        "price": "97000.50",
        "at": "2026-01-02T03:04:05.678Z",
        "day": "2026-01-02",
        "id": "12345678-1234-5678-1234-567812345678",
        "n": [1, 2.5],
    }


def test_nan_is_refused_at_the_caller():
    with pytest.raises(ValueError):
        push("market.x", "ticker", {"last": float("nan")})


@pytest.mark.django_db(transaction=True)
def test_pushed_event_reaches_the_socket_json_safe_and_only_after_commit(user):
    cookie = session_cookie(user)

    def push_in_rolled_back_transaction():
        with pytest.raises(RuntimeError), transaction.atomic():
            push_to_user(user.pk, "notice", {"rolled": "back"})
            raise RuntimeError("the service failed")

    def push_committed():
        with transaction.atomic():
            push_to_user(user.pk, "notice", {"price": Decimal("1.10"), "at": dt.datetime(2026, 1, 2, tzinfo=dt.UTC)})
            push("ticker.ETH/USDT:USDT", "ticker", {"last": Decimal("3000")})

    async def scenario():
        ws = live_socket(cookie)
        await connect_hello(ws)
        await ws.send_json_to({"type": "subscribe", "data": {"groups": ["ticker.eth-usdt-usdt"]}})
        await receive_type(ws, "subscribed")
        await database_sync_to_async(push_in_rolled_back_transaction)()
        await database_sync_to_async(push_committed)()
        # The rolled-back push never arrives: the first notice is the committed one.
        notice = await receive_type(ws, "notice")
        assert notice["data"] == {"price": "1.10", "at": "2026-01-02T00:00:00Z"}
        assert (await receive_type(ws, "ticker"))["data"] == {"last": "3000"}
        await ws.disconnect()

    run(scenario)


def _push_from_child(group: str) -> None:
    push(group, "ping", {"from": "child"})


@pytest.mark.skipif(not settings.REDIS_URL, reason="pushes travel through Redis only with REDIS_URL")
@pytest.mark.django_db(transaction=True)
def test_pushes_from_sync_code_arrive_in_order_and_from_a_forked_worker_too():
    """Pushes share one publishing loop per process; a forked child (Celery's prefork pool) gets its own."""
    group = "market.publisher-test"
    recorder = PushRecorder()
    recorder.watch(group)
    try:
        for n in range(5):
            push(group, "ping", {"n": n})
        child = multiprocessing.get_context("fork").Process(target=_push_from_child, args=(group,))
        child.start()
        child.join(30)
        assert child.exitcode == 0
        push(group, "ping", {"n": 5})
        data = [event["data"] for event in recorder.events(group)]
        assert data[:5] == [{"n": n} for n in range(5)]
        assert sorted(map(str, data[5:])) == sorted(map(str, [{"from": "child"}, {"n": 5}]))
    finally:
        recorder.close()
