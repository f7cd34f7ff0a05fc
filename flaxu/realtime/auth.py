"""Websocket authentication (placeholder: session only; token auth added by the realtime work)."""

from channels.auth import AuthMiddlewareStack as TokenOrSessionAuthMiddlewareStack  # noqa: F401
