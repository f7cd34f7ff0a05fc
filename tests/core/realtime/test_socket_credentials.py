"""An open socket lives only as long as its credential: revoking the token, signing out, changing the
password, suspension and a disabled account close it (and no private push reaches it afterwards);
removing the key that gave FULL access takes it out of the FULL-only groups."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services.credentials import credential_delete
from accounts.services.tokens import token_create, token_revoke
from core.realtime.push import event_message, push_to_user
from flaxu.sockets.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED
from gatekeeper import rules
from gatekeeper.selectors import bingx_key, effective_level
from gatekeeper.services.access import key_connect
from gatekeeper.services.overrides import access_override
from tests.core.realtime.sockets import closed_by_server, connect_hello, live_socket, receive_type, refused_code, run
from tests.gatekeeper.conftest import ago

pytestmark = pytest.mark.django_db(transaction=True)

PRIVATE = {"title": "Your order filled", "secret": "private to the user"}


def browser(user) -> tuple[Client, tuple[bytes, bytes]]:
    """A signed-in browser: its test client (to log out, change the password) and its cookie header."""
    client = Client()
    client.force_login(user)
    return client, (
        b"cookie",
        f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode(),
    )


async def push_private(user) -> None:
    await sync_to_async(push_to_user)(user.pk, "notification", PRIVATE)


async def hears_private_push(ws, user) -> None:
    await push_private(user)
    assert (await receive_type(ws, "notification"))["data"] == PRIVATE


async def closed_and_deaf(ws, user, code: int) -> dict:
    """The socket is closed with `code` and a later private push does not reach it."""
    close = await closed_by_server(ws)
    assert close["code"] == code, close
    await push_private(user)
    assert await ws.receive_nothing(timeout=max(1.5, 3 * settings.FLAXU_OUTBOX_POLL_SECONDS))
    await ws.disconnect()
    return close


async def still_open(ws) -> None:
    await ws.send_json_to({"type": "ping"})
    await receive_type(ws, "pong")
    await ws.disconnect()


def test_revoking_a_token_closes_its_sockets_only(user):
    token, key = token_create(user=user, name="bot")
    _other, other_key = token_create(user=user, name="other bot")

    async def scenario():
        revoked, other = live_socket(query=f"token={key}"), live_socket(query=f"token={other_key}")
        await connect_hello(revoked)
        await connect_hello(other)
        await hears_private_push(revoked, user)
        await sync_to_async(token_revoke)(token=token)
        close = await closed_and_deaf(revoked, user, CLOSE_UNAUTHENTICATED)
        assert "revoked" in close["reason"]
        await still_open(other)

    run(scenario)


def test_logging_out_closes_that_sessions_sockets_only(user):
    leaving, leaving_cookie = browser(user)
    _staying, staying_cookie = browser(user)

    async def scenario():
        ws, other = live_socket(leaving_cookie), live_socket(staying_cookie)
        await connect_hello(ws)
        await connect_hello(other)
        await hears_private_push(ws, user)
        assert (await sync_to_async(leaving.post)("/accounts/logout/")).status_code == 302
        close = await closed_and_deaf(ws, user, CLOSE_UNAUTHENTICATED)
        assert close["reason"] == "Signed out."
        await still_open(other)

    run(scenario)


def test_changing_the_password_closes_every_socket_of_the_user(user, password):
    client, cookie = browser(user)
    _token, key = token_create(user=user, name="bot")
    new = "another-long-passphrase-42"

    async def scenario():
        page, bot = live_socket(cookie), live_socket(query=f"token={key}")
        await connect_hello(page)
        await connect_hello(bot)
        response = await sync_to_async(client.post)(
            "/accounts/password/change/", {"oldpassword": password, "password1": new, "password2": new}
        )
        assert response.status_code == 302
        await closed_and_deaf(page, user, CLOSE_UNAUTHENTICATED)
        await closed_and_deaf(bot, user, CLOSE_UNAUTHENTICATED)

    run(scenario)


def test_suspension_closes_the_sockets_with_4403_and_refuses_new_ones(user):
    _client, cookie = browser(user)

    async def scenario():
        ws = live_socket(cookie)
        await connect_hello(ws)
        await hears_private_push(ws, user)
        await sync_to_async(access_override)(
            user=user, level=rules.SUSPENDED, reason="Chargeback under review", expires_at=None, actor=None
        )
        close = await closed_and_deaf(ws, user, CLOSE_FORBIDDEN)
        assert "suspended" in close["reason"] and "Chargeback under review" in close["reason"]
        assert await refused_code(live_socket(cookie)) == CLOSE_FORBIDDEN

    run(scenario)


def test_disabling_the_account_closes_its_sockets(user):
    _token, key = token_create(user=user, name="bot")

    async def scenario():
        ws = live_socket(query=f"token={key}")
        await connect_hello(ws)
        user.is_active = False
        await sync_to_async(user.save)()
        await closed_and_deaf(ws, user, CLOSE_FORBIDDEN)

    run(scenario)


def test_removing_the_key_that_gave_full_access_leaves_the_full_only_groups(bingx, user):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    key_connect(user=user, api_key=trader.api_key, api_secret=trader.secret)
    assert effective_level(user) == rules.FULL
    _client, cookie = browser(user)
    layer = get_channel_layer()

    async def scenario():
        ws = live_socket(cookie)
        await connect_hello(ws)
        await ws.send_json_to({"type": "subscribe", "data": {"groups": ["signals.btc-usdt-usdt", "system"]}})
        assert (await receive_type(ws, "subscribed"))["data"]["groups"] == ["signals.btc-usdt-usdt", "system"]
        await layer.group_send("signals.btc-usdt-usdt", event_message("signal", {"side": "long"}))
        await receive_type(ws, "signal")

        await sync_to_async(lambda: credential_delete(credential=bingx_key(user)))()
        left = await receive_type(ws, "unsubscribed")
        assert left["data"]["groups"] == ["signals.btc-usdt-usdt"]
        await layer.group_send("signals.btc-usdt-usdt", event_message("signal", {"side": "short"}))
        await layer.group_send("system", event_message("system", {"up": True}))
        heard = [await ws.receive_json_from(timeout=3)]
        while heard[-1]["type"] != "system":  # public groups stay; the access notification may come first
            heard.append(await ws.receive_json_from(timeout=3))
        assert "signal" not in [message["type"] for message in heard]
        await still_open(ws)

    run(scenario)


def test_without_any_message_the_socket_rechecks_on_a_timer(user, settings):
    settings.FLAXU_WS_RECHECK_SECONDS = 0.3
    _token, key = token_create(user=user, name="bot")
    _client, cookie = browser(user)

    async def scenario():
        bot, page = live_socket(query=f"token={key}"), live_socket(cookie)
        await connect_hello(bot)
        await connect_hello(page)
        # Revoked and signed out behind the services' backs: no control message is sent.
        await sync_to_async(ApiToken.objects.filter(user=user).update)(revoked_at=timezone.now())
        await sync_to_async(Session.objects.all().delete)()
        await closed_and_deaf(bot, user, CLOSE_UNAUTHENTICATED)
        await closed_and_deaf(page, user, CLOSE_UNAUTHENTICATED)

    run(scenario)


def test_a_client_message_after_revocation_is_answered_by_a_close(user, settings):
    settings.FLAXU_WS_RECHECK_SECONDS = 0  # no timer: the message alone must notice
    _token, key = token_create(user=user, name="bot")

    async def scenario():
        ws = live_socket(query=f"token={key}")
        await connect_hello(ws)
        await sync_to_async(ApiToken.objects.filter(user=user).update)(revoked_at=timezone.now())
        await ws.send_json_to({"type": "ping"})
        await closed_and_deaf(ws, user, CLOSE_UNAUTHENTICATED)

    run(scenario)
