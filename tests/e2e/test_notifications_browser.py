"""In Chromium: a notification for the signed-in user raises the top bar's unread count and shows its title in
the live toast without a reload; the notifications page lists it, opening it marks it read, and neither page
raises a Content-Security-Policy violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Notification
from accounts.services.notifications import notify
from tests.e2e.session import sign_in

from .test_live_events import push_from_another_thread
from .test_markets_browser import violations, watch_policy

pytestmark = pytest.mark.e2e


def test_a_notification_raises_the_badge_and_shows_a_toast_without_reload(page, live_asgi_server, user):
    policy = watch_policy(page)
    notify(user=user, kind="alert", title="Earlier alert")
    sign_in(page, live_asgi_server, user)
    page.goto("/dashboard/")
    badge = page.locator("#notification-badge")
    expect(badge).to_have_attribute("data-unread", "1")  # fetched once the page loaded
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    page.evaluate("window.notReloaded = true")

    push_from_another_thread(
        lambda: notify(user=user, kind="alert", title="BTC <b>crossed</b> 100,000", link="/account/security/")
    )

    expect(badge).to_have_attribute("data-unread", "2")
    expect(badge.locator("a")).to_have_attribute("aria-label", "Notifications: 2 unread")
    toast = page.locator("#live-toast")
    expect(toast).to_have_text("New notification: BTC <b>crossed</b> 100,000")  # text, never markup
    assert toast.locator("b").count() == 0
    assert page.evaluate("window.notReloaded") is True

    badge.locator("a").click()
    expect(page).to_have_url(f"{live_asgi_server}/account/notifications/")
    expect(page.locator(".notification.unread")).to_have_count(2)
    page.get_by_role("link", name="BTC <b>crossed</b> 100,000").click()
    expect(page).to_have_url(f"{live_asgi_server}/account/security/")
    assert Notification.objects.get(title__startswith="BTC").read_at is not None

    page.goto("/account/notifications/")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator(".notification.unread")).to_have_count(0)
    expect(badge).to_have_attribute("data-unread", "0")
    assert violations(page, policy) == []
    assert page.errors == []
