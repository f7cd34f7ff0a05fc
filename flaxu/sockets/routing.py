"""Websocket URLs (mounted by flaxu.asgi behind the origin check).

Each route accepts the handshake first (`AcceptFirst`), then authenticates (TokenOrSessionAuthMiddlewareStack):
a burst of handshakes is never dropped by the server's accept deadline while credentials are checked.
"""

from django.urls import path

from flaxu.sockets.auth import AcceptFirst, TokenOrSessionAuthMiddlewareStack
from flaxu.sockets.consumers import LiveConsumer

websocket_urlpatterns = [
    path("ws/", AcceptFirst(TokenOrSessionAuthMiddlewareStack(LiveConsumer.as_asgi())), name="live"),
]
