"""Browsers' Origin is checked (cross-site hijacking); programs without Origin authenticate by token."""

from channels.testing import WebsocketCommunicator

from accounts.services.tokens import token_create
from flaxu.asgi import application
from flaxu.sockets.consumers import CLOSE_UNAUTHENTICATED
from tests.core.realtime.sockets import connect_hello, refused_code, run, session_cookie


def _socket(*headers, query: str = "") -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/{'?' + query if query else ''}", headers=list(headers))
    communicator.scope["client"] = ("127.0.0.1", 50000)
    return communicator


def test_a_page_on_another_site_cannot_open_the_socket_with_the_users_cookie(transactional_db, user):
    cookie = session_cookie(user)

    async def scenario():
        socket = _socket((b"origin", b"https://evil.example"), cookie)
        connected, _ = await socket.connect()
        await socket.disconnect()
        return connected

    assert run(scenario) is False


def test_a_program_without_origin_connects_with_its_token(transactional_db, user):
    _token, key = token_create(user=user, name="bot")

    async def scenario():
        socket = _socket((b"authorization", f"Token {key}".encode()))
        hello = await connect_hello(socket)
        await socket.disconnect()
        return hello

    assert run(scenario)["data"]["user"] == user.pk


def test_a_session_cookie_without_origin_is_not_enough(transactional_db, user):
    # Browsers always send Origin; a cookie without one comes from a program, which must use a token.
    cookie = session_cookie(user)

    async def scenario():
        return await refused_code(_socket(cookie))

    assert run(scenario) == CLOSE_UNAUTHENTICATED


def test_a_session_cookie_from_an_allowed_origin_connects(transactional_db, user):
    cookie = session_cookie(user)

    async def scenario():
        socket = _socket((b"origin", b"http://localhost"), cookie)
        hello = await connect_hello(socket)
        await socket.disconnect()
        return hello

    assert run(scenario)["data"]["user"] == user.pk
