"""ASGI entry point: HTTP through Django, websockets through Channels at /ws/."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flaxu.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from flaxu.health_asgi import with_health_endpoints  # noqa: E402
from flaxu.sockets.origin import browser_origin_validator  # noqa: E402
from flaxu.sockets.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": with_health_endpoints(django_asgi_app),  # /healthz, /readyz answered before Django
        "websocket": browser_origin_validator(URLRouter(websocket_urlpatterns)),
    }
)
