"""Journey: a signed-in page receives pushed events through window.flaxuLive and flaxu:<type> DOM events."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from playwright.sync_api import expect

from core.realtime.push import push, push_to_user
from tests.e2e.session import sign_in

pytestmark = pytest.mark.e2e


def push_from_another_thread(function, *args) -> None:
    """Push as a service would. Not on this thread: Playwright's event loop runs here (see conftest)."""

    def work():
        try:
            function(*args)
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)


def test_page_handlers_and_dom_events_receive_pushes(page, live_asgi_server, user):
    sign_in(page, live_asgi_server, user)
    page.goto("/dashboard/")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    page.evaluate(
        """() => {
            window.received = [];
            window.flaxuLive.on("ticker", (data) => window.received.push(["handler", data]));
            document.addEventListener("flaxu:notice", (event) => window.received.push(["dom", event.detail]));
            window.flaxuLive.on("subscribed", () => window.received.push(["subscribed", null]));
            window.flaxuLive.subscribe(["ticker.BTC/USDT:USDT"]);
        }"""
    )
    page.wait_for_function("() => window.received.some(([kind]) => kind === 'subscribed')")

    push_from_another_thread(push, "ticker.BTC/USDT:USDT", "ticker", {"last": Decimal("97000.5")})
    push_from_another_thread(push_to_user, user.pk, "notice", {"text": "hello"})

    page.wait_for_function("() => window.received.length >= 3")
    received = page.evaluate("window.received")
    assert ["handler", {"last": "97000.5"}] in received
    assert ["dom", {"text": "hello"}] in received
    assert page.errors == []
