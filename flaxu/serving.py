"""The production web server's worker class (bin/serve): gunicorn runs N of these uvicorn workers.

Settings chosen to match what Daphne (the `make run` server) does, so the app behaves the same under both:
- lifespan off: Django and Channels' ProtocolTypeRouter don't implement the lifespan protocol;
- proxy headers off: the app reads X-Forwarded-For itself (FLAXU_TRUSTED_PROXY_COUNT) and
  X-Forwarded-Proto through SECURE_PROXY_SSL_HEADER, so the server must not rewrite the peer address;
- no `server` header (it names the software to every scanner);
- no per-message compression on websockets (Daphne offers none either): pushes are small JSON, and
  compressing each one once per socket would multiply the CPU a fan-out to many sockets costs.
"""

from __future__ import annotations

from typing import Any, ClassVar

from uvicorn_worker import UvicornWorker


class FlaxuUvicornWorker(UvicornWorker):
    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
        "loop": "auto",
        "http": "auto",
        "ws": "auto",
        "lifespan": "off",
        "proxy_headers": False,
        "server_header": False,
        "ws_per_message_deflate": False,
    }
