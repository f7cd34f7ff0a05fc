"""The /ws/ socket: who may connect, what they join, and how it answers good and bad messages."""

from __future__ import annotations

import asyncio
import json

import pytest
from channels.layers import get_channel_layer
from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services.tokens import token_create, token_revoke
from core.realtime.push import event_message
from flaxu.asgi import application
from flaxu.sockets.consumers import CLOSE_UNAUTHENTICATED, MAX_MESSAGE_CHARS
from tests.core.realtime.sockets import connect_hello, live_socket, receive_type, refused_code, run, session_cookie
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_anonymous_socket_is_closed_with_4401():
    async def scenario():
        assert await refused_code(live_socket()) == CLOSE_UNAUTHENTICATED

    run(scenario)


def test_session_cookie_user_connects_and_is_greeted_with_their_group(user):
    cookie = session_cookie(user)

    async def scenario():
        ws = live_socket(cookie)
        hello = await connect_hello(ws)
        assert hello["data"] == {"user": user.pk, "groups": [f"user.{user.pk}"]}
        await ws.disconnect()

    run(scenario)


def test_api_token_in_query_or_header_connects(user):
    _token, key = token_create(user=user, name="bot")

    async def scenario():
        for ws in (live_socket(query=f"token={key}"), live_socket((b"authorization", f"Token {key}".encode()))):
            hello = await connect_hello(ws)
            assert hello["data"]["user"] == user.pk
            await ws.disconnect()

    run(scenario)


def test_revoked_or_unknown_token_is_refused_even_with_a_valid_session(user):
    token, key = token_create(user=user, name="bot")
    token_revoke(token=token)
    cookie = session_cookie(user)

    async def scenario():
        assert await refused_code(live_socket(query=f"token={key}")) == CLOSE_UNAUTHENTICATED
        assert await refused_code(live_socket(cookie, query=f"token={key}")) == CLOSE_UNAUTHENTICATED
        assert await refused_code(live_socket((b"authorization", b"Token not-a-real-key"))) == CLOSE_UNAUTHENTICATED

    run(scenario)


def test_session_of_2fa_user_counts_only_after_the_second_factor(client, user):
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    pending = session_cookie(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    verified = (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode())

    async def scenario():
        assert await refused_code(live_socket(pending)) == CLOSE_UNAUTHENTICATED
        ws = live_socket(verified)
        await connect_hello(ws)
        await ws.disconnect()

    run(scenario)


def test_ip_allow_list_applies_to_sessions_and_tokens(user):
    user.allowed_ips = "203.0.113.0/24"
    user.save()
    cookie = session_cookie(user)
    _token, key = token_create(user=user, name="bot")

    async def scenario():
        assert await refused_code(live_socket(cookie, client_ip="198.51.100.7")) == CLOSE_UNAUTHENTICATED
        assert await refused_code(live_socket(query=f"token={key}", client_ip="198.51.100.7")) == CLOSE_UNAUTHENTICATED
        ws = live_socket(cookie, client_ip="203.0.113.9")
        await connect_hello(ws)
        await ws.disconnect()

    run(scenario)


def test_other_users_group_and_non_public_groups_are_refused_and_not_joined(user):
    other = UserFactory()
    cookie = session_cookie(user)

    async def scenario():
        ws = live_socket(cookie)
        await connect_hello(ws)
        await ws.send_json_to({"type": "subscribe", "data": {"groups": [f"user.{other.pk}", "staff.alerts"]}})
        error = await ws.receive_json_from()
        assert error["type"] == "error"
        assert error["data"]["groups"] == [f"user.{other.pk}", "staff.alerts"]
        layer = get_channel_layer()
        await layer.group_send(f"user.{other.pk}", event_message("notice", {"secret": True}))
        await layer.group_send("staff.alerts", event_message("notice", {"secret": True}))
        assert await ws.receive_nothing(timeout=0.5)
        await ws.disconnect()

    run(scenario)


def test_public_subscription_receives_group_events_until_unsubscribed(user):
    cookie = session_cookie(user)

    async def scenario():
        ws = live_socket(cookie)
        await connect_hello(ws)
        # Names are slugged like push() slugs them, so a page may use the exchange's symbol.
        await ws.send_json_to({"type": "subscribe", "data": {"groups": ["ticker.BTC/USDT:USDT", "system"]}})
        subscribed = await ws.receive_json_from()
        assert subscribed == {"type": "subscribed", "data": {"groups": ["ticker.btc-usdt-usdt", "system"]}}

        layer = get_channel_layer()
        await layer.group_send("ticker.btc-usdt-usdt", event_message("ticker", {"last": "97000.5"}))
        assert await receive_type(ws, "ticker") == {"type": "ticker", "data": {"last": "97000.5"}}

        await ws.send_json_to({"type": "unsubscribe", "data": {"groups": ["ticker.btc-usdt-usdt"]}})
        assert await ws.receive_json_from() == {"type": "unsubscribed", "data": {"groups": ["ticker.btc-usdt-usdt"]}}
        await layer.group_send("ticker.btc-usdt-usdt", event_message("ticker", {"last": "1"}))
        assert await ws.receive_nothing(timeout=0.5)
        await ws.disconnect()

    run(scenario)


def test_ping_is_answered_with_pong(user):
    cookie = session_cookie(user)

    async def scenario():
        ws = live_socket(cookie)
        await connect_hello(ws)
        await ws.send_json_to({"type": "ping"})
        assert await ws.receive_json_from() == {"type": "pong", "data": {}}
        await ws.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    ("frame", "detail"),
    [
        ("not json {", "not valid JSON"),
        ('["a", "list"]', "Expected an object"),
        ('{"type": 5}', "Expected an object"),
        ('{"type": "launch_missiles"}', "Unknown message type"),
        ('{"type": "subscribe", "data": {"groups": "market.x"}}', '"subscribe" needs'),
        ('{"type": "subscribe", "data": {"groups": []}}', '"subscribe" needs'),
        ('{"type": "ping", "pad": "' + "x" * MAX_MESSAGE_CHARS + '"}', "too large"),
        (b"\x00\x01binary", "binary frames"),
    ],
)
def test_bad_input_gets_an_error_message_and_the_socket_stays_usable(user, frame, detail):
    cookie = session_cookie(user)

    async def scenario():
        ws = live_socket(cookie)
        await connect_hello(ws)
        if isinstance(frame, bytes):
            await ws.send_to(bytes_data=frame)
        else:
            await ws.send_to(text_data=frame)
        error = await ws.receive_json_from()
        assert error["type"] == "error"
        assert detail in error["data"]["detail"]
        await ws.send_json_to({"type": "ping"})
        assert (await ws.receive_json_from())["type"] == "pong"
        await ws.disconnect()

    run(scenario)


@pytest.mark.skipif(not settings.REDIS_URL, reason="the direct path is the Redis layer's")
def test_pushes_to_a_socket_whose_send_waits_arrive_complete_and_in_order(user):
    """A push handed straight to the socket's send (the pub/sub layer's direct path) that has to wait for a
    slow client carries on in the background, and the pushes after it queue behind it, not around it."""
    cookie = session_cookie(user)
    gate = asyncio.Event()
    gate.set()

    def slow_client(app):
        async def wrapped(scope, receive, send):
            async def gated_send(message):
                await gate.wait()
                pushed = json.loads(message.get("text") or "{}").get("data") or {}
                if isinstance(pushed, dict) and "n" in pushed:
                    await asyncio.sleep((6 - pushed["n"]) * 0.02)  # earlier pushes are slower: order is tested
                await send(message)

            await app(scope, receive, gated_send)

        return wrapped

    async def scenario():
        ws = live_socket(cookie, app=slow_client(application))
        await connect_hello(ws)
        await ws.send_json_to({"type": "subscribe", "data": {"groups": ["ticker.eth-usdt-usdt"]}})
        await receive_type(ws, "subscribed")
        layer = get_channel_layer()
        gate.clear()  # the client stops reading
        for n in range(1, 6):
            await layer.group_send("ticker.eth-usdt-usdt", event_message("ticker", {"n": n}))
        await asyncio.sleep(0.3)
        assert await ws.receive_nothing(timeout=0.1)
        gate.set()
        got = [(await receive_type(ws, "ticker"))["data"]["n"] for _ in range(5)]
        assert got == [1, 2, 3, 4, 5]
        await ws.send_json_to({"type": "ping"})  # and the socket still answers
        await receive_type(ws, "pong")
        await ws.disconnect()

    run(scenario)
