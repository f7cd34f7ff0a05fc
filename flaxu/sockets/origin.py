"""Websocket origin check that protects browsers without shutting out API clients."""

from __future__ import annotations

from channels.security.websocket import OriginValidator
from django.conf import settings


class BrowserOriginValidator(OriginValidator):
    """A present Origin must be one of ALLOWED_HOSTS; a missing one is allowed.

    Cross-site websocket hijacking rides on a browser's cookies, and browsers always send Origin. A
    client without Origin is a program (a bot with an API token): it still has to authenticate.
    """

    def valid_origin(self, parsed_origin) -> bool:
        return parsed_origin is None or self.validate_origin(parsed_origin)


def browser_origin_validator(application):
    allowed_hosts = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    return BrowserOriginValidator(application, allowed_hosts)
