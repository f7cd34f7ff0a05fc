"""/healthz (liveness) and /readyz (readiness), answered in front of Django (flaxu.asgi wraps the HTTP app).

Both are answered on the event loop before Django's middleware, so a busy process (every request thread
taken, the database pool empty) still answers its probes at once:
- /healthz: 200 `{"status": "alive"}` from the running process; it touches no database, cache, broker
  or channel layer, so a restart decision never depends on a shared service or on load;
- /readyz: each shared service checked (flaxu.health) with its own timeout; 200 with every service
  "ok", or 503 naming the failing ones in the API error shape.
Answered for any Host (a probe's address is rarely a public host name); they reveal nothing. The staff
page with latencies is in the admin (flaxu.admin_site).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from flaxu import health

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"
_HEADERS = [
    (b"content-type", b"application/json"),
    (b"cache-control", b"max-age=0, no-cache, no-store, must-revalidate, private"),
    (b"x-content-type-options", b"nosniff"),
]

ASGIApp = Callable[[dict, Callable, Callable], Awaitable[None]]


async def readiness_answer() -> tuple[int, dict]:
    results = await health.readiness()
    failing = {result.check.name: [result.error.message] for result in results if result.error}
    if failing:
        return 503, {"detail": f"Not ready: {', '.join(failing)} unavailable.", "errors": failing}
    return 200, {"status": "ready", "services": {result.check.name: "ok" for result in results}}


def with_health_endpoints(app: ASGIApp) -> ASGIApp:
    """`app` (Django's HTTP handler) with GET/HEAD /healthz and /readyz answered before it."""

    async def application(scope: dict, receive: Callable, send: Callable) -> None:
        path = scope.get("path")
        if (
            scope["type"] != "http"
            or path not in (LIVENESS_PATH, READINESS_PATH)
            or scope["method"] not in ("GET", "HEAD")
        ):
            await app(scope, receive, send)
            return
        if path == LIVENESS_PATH:
            status, body = 200, {"status": "alive"}
        else:
            status, body = await readiness_answer()
        content = json.dumps(body).encode()
        headers = [*_HEADERS, (b"content-length", str(len(content)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content if scope["method"] == "GET" else b""})

    return application
