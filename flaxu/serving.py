"""The production web server's worker class (bin/serve): gunicorn runs N of these uvicorn workers.

Settings chosen to match what Daphne (the `make run` server) does, so the app behaves the same under both:
- lifespan off: Django and Channels' ProtocolTypeRouter don't implement the lifespan protocol;
- proxy headers off: the app reads X-Forwarded-For itself (FLAXU_TRUSTED_PROXY_COUNT) and
  X-Forwarded-Proto through SECURE_PROXY_SSL_HEADER, so the server must not rewrite the peer address;
- no `server` header (it names the software to every scanner);
- no per-message compression on websockets (Daphne offers none either): pushes are small JSON, and
  compressing each one once per socket would multiply the CPU a fan-out to many sockets costs.

Once the app is loaded, the worker imports every view and freezes what start-up built (gc.freeze): the
≈ 360,000 objects of Django, DRF, ccxt and pandas otherwise sit in the collector's oldest generation,
and each full collection walked them all, stopping the process ≈ 150 ms in the middle of requests (the
tail of the cached market reads under load). Frozen, they are never walked (nor freed: they live as
long as the process anyway).
"""

from __future__ import annotations

import gc
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

    def load_wsgi(self) -> None:
        super().load_wsgi()
        freeze_startup_objects()


def freeze_startup_objects() -> None:
    """Import every view (Django does it on the first request otherwise), then freeze what start-up built."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (the property imports the URLconf and every view module)
    gc.collect()
    gc.freeze()
