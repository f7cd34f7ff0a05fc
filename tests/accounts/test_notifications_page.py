"""The notifications page, the top bar's unread badge and opening one notification."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Notification
from accounts.services.notifications import notify
from tests.accounts.otp_helpers import enrol_totp
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def listed_titles(html: str) -> list[str]:
    return re.findall(r'class="notification-title">.*?(?:<a [^>]*>|<strong>)([^<]+)<', html)


def test_a_user_sees_only_their_own_notifications_newest_first_and_unread_marked(client, user):
    other = UserFactory()
    notify(user=user, kind="access", title="Access is now FULL", body="Deposits credited.", link="/access/")
    notify(user=user, kind="alert", title="BTC crossed 100,000")
    notify(user=other, kind="alert", title="Someone else's alert")
    Notification.objects.filter(title="Access is now FULL").update(
        created_at=timezone.now() - timedelta(hours=1), read_at=timezone.now()
    )
    client.force_login(user)

    html = client.get("/account/notifications/").content.decode()

    assert listed_titles(html) == ["BTC crossed 100,000", "Access is now FULL"]
    assert "Someone else" not in html
    assert html.count('<span class="visually-hidden">Unread: </span>') == 1  # the alert only
    assert "Deposits credited." in html
    assert " UTC</time>" in html
    access = Notification.objects.get(title="Access is now FULL")
    assert f'href="/account/notifications/{access.pk}/open/"' in html


def test_opening_the_page_marks_nothing_read_and_the_button_marks_all(client, user):
    for n in range(3):
        notify(user=user, kind="alert", title=f"Alert {n}")
    other = UserFactory()
    notify(user=other, kind="alert", title="Not mine")
    client.force_login(user)

    client.get("/account/notifications/")
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 3

    assert client.get("/account/notifications/read/").status_code == 405  # POST only
    response = client.post("/account/notifications/read/", follow=True)
    assert response.redirect_chain == [("/account/notifications/", 302)]
    assert "Marked 3 notifications as read." in response.content.decode()
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Notification.objects.get(user=other).read_at is None


def test_mark_all_read_needs_the_csrf_token(user):
    notify(user=user, kind="alert", title="Alert")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)

    assert browser.post("/account/notifications/read/").status_code == 403
    assert Notification.objects.get(user=user).read_at is None

    page = browser.get("/account/notifications/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert browser.post("/account/notifications/read/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert Notification.objects.get(user=user).read_at is not None


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, user):
    first = notify(user=user, kind="access", title="Access changed", link="/access/")
    second = notify(user=user, kind="alert", title="Alert")
    client.force_login(user)

    response = client.get(f"/account/notifications/{first.pk}/open/")

    assert response.status_code == 302 and response["Location"] == "/access/"
    first.refresh_from_db(), second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_another_users_notification_is_not_found_and_stays_unread(client, user):
    theirs = notify(user=UserFactory(), kind="alert", title="Theirs", link="/markets/")
    client.force_login(user)

    assert client.get(f"/account/notifications/{theirs.pk}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize(
    "link", ["https://evil.example/phish", "//evil.example/phish", "/\\evil.example", "javascript:alert(1)"]
)
def test_a_link_off_the_site_is_refused(client, user, link):
    notification = Notification.objects.create(user=user, kind="alert", title="Odd", link=link)
    client.force_login(user)

    response = client.get(f"/account/notifications/{notification.pk}/open/", follow=True)

    assert response.redirect_chain == [("/account/notifications/", 302)]
    assert "does not lead to a FLAXU page" in response.content.decode()


def test_pages_hold_fifty_each(client, user):
    Notification.objects.bulk_create(
        Notification(user=user, kind="alert", title=f"Alert {n:03d}", created_at=timezone.now() + timedelta(seconds=n))
        for n in range(120)
    )
    client.force_login(user)

    first = client.get("/account/notifications/").content.decode()
    last = client.get("/account/notifications/?page=3").content.decode()
    beyond = client.get("/account/notifications/?page=99").content.decode()

    assert listed_titles(first) == [f"Alert {n:03d}" for n in range(119, 69, -1)]
    assert "Page 1 of 3" in first and 'href="?page=2">Older</a>' in first
    assert listed_titles(last) == [f"Alert {n:03d}" for n in range(19, -1, -1)]
    assert listed_titles(beyond) == listed_titles(last)  # a page past the end shows the last one


def test_the_page_needs_a_signed_in_user(client, db):
    assert client.get("/account/notifications/")["Location"].startswith("/accounts/login/")
    assert client.get("/account/notifications/badge/").status_code == 204  # never swaps a login page in


def test_the_badge_counts_my_unread_notifications(client, user):
    client.force_login(user)
    empty = client.get("/account/notifications/badge/").content.decode()
    assert 'data-unread="0"' in empty and 'class="count"' not in empty

    for n in range(3):
        notify(user=user, kind="alert", title=f"Alert {n}")
    notify(user=UserFactory(), kind="alert", title="Not mine")
    Notification.objects.filter(title="Alert 0").update(read_at=timezone.now())

    badge = client.get("/account/notifications/badge/").content.decode()
    assert 'data-unread="2"' in badge
    assert 'aria-label="Notifications: 2 unread"' in badge
    assert '<span class="count" aria-hidden="true">2</span>' in badge
    assert 'hx-trigger="flaxu:notification from:document throttle:1s, flaxu:poll from:document, load"' in badge


def test_every_page_loads_the_badge_lazily_without_counting(client, user):
    notify(user=user, kind="alert", title="Alert")
    client.force_login(user)

    with CaptureQueriesContext(connection) as queries:
        html = client.get("/account/profile/").content.decode()

    assert not [q for q in queries.captured_queries if "accounts_notification" in q["sql"]]

    badge = re.search(r'<span id="notification-badge"[^>]*>', html).group(0)
    assert 'hx-get="/account/notifications/badge/"' in badge and "data-unread" not in badge
    assert '<div id="live-toast" class="toast" role="status" aria-live="polite"' in html
    assert 'href="/account/notifications/">Notifications</a>' in html  # the Account area's sub-navigation


def test_the_badge_of_a_session_waiting_for_its_second_factor_is_the_bell_alone(client, user):
    client.force_login(user)
    enrol_totp(client)
    client.post("/accounts/logout/")
    client.force_login(user)  # signed in again, code not yet entered
    notify(user=user, kind="alert", title="Alert")

    response = client.get("/account/notifications/badge/", follow=True)

    # Redirected to the code page; the bell's hx-select takes that page's count-less bell.
    html = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/account/2fa/verify/")
    assert 'id="notification-badge"' in html and "data-unread" not in html
