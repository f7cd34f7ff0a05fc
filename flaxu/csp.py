"""Content-Security-Policy: django-csp's middleware, plus this host's websocket origin in connect-src.

The policy itself is ``CONTENT_SECURITY_POLICY`` in settings. ``'self'`` covers ws:/wss: to the same
host only in CSP level 3 browsers, so the socket's origin (``ws(s)://<this host>``) is named as well.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase


def websocket_origin(request: HttpRequest) -> str | None:
    """``wss://host:port`` (``ws://`` over plain HTTP) of this request, or None for a refused host."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    return f"{'wss' if request.is_secure() else 'ws'}://{host}"


class FlaxuCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        origin = websocket_origin(request)
        if origin:
            update = dict(parts.update or {})
            update["connect-src"] = [*(update.get("connect-src") or []), origin]
            parts.update = update
        return parts
