"""Websocket URLs (mounted by flaxu.asgi behind the origin check and TokenOrSessionAuthMiddlewareStack)."""

from django.urls import path

from flaxu.realtime.consumers import LiveConsumer

websocket_urlpatterns = [
    path("ws/", LiveConsumer.as_asgi(), name="live"),
]
