"""Signing a browser in without the login form (journeys that test the login form do it by hand)."""

from __future__ import annotations

from django.conf import settings
from django.test import Client


def sign_in(page, server, user) -> None:
    """Give the browser context a session cookie of `user` for the Daphne test server."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": str(server)}])
