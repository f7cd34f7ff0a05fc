"""Browsers' Origin is checked (cross-site hijacking); programs without Origin authenticate by token."""

from channels.testing import WebsocketCommunicator

from accounts.services.tokens import token_create
from flaxu.asgi import application
from tests.realtime.sockets import connect_hello, run, session_cookie


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
