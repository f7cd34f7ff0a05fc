"""Journey: a FULL user has the signals page open; staff, in another browser, suspend them through the admin
(the action's reason page); the user's open page shows it live (its live connection is closed and refused,
and the page says the account is suspended and why), and their next click lands on their access status."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from adminpanel.models import StaffAction
from gatekeeper.services.access import access_for
from tests.accounts.otp_helpers import sign_in_past_2fa
from tests.e2e.session import sign_in
from tests.factories import UserFactory

from .test_markets_browser import violations, watch_policy

pytestmark = pytest.mark.e2e

REASON = "Chargeback fraud under review"


def sign_in_staff(page, server, staff) -> None:
    """A session cookie of `staff` past 2FA (the admin asks for it) for the Daphne test server."""
    client = Client()
    sign_in_past_2fa(client, staff)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": str(server)}])


@pytest.fixture
def staff_page(browser, live_asgi_server):
    context = browser.new_context(base_url=str(live_asgi_server), timezone_id="UTC")  # the admin works in UTC
    context.set_default_timeout(15_000)
    staff_page = context.new_page()
    staff_page.errors = []
    staff_page.on("pageerror", lambda error: staff_page.errors.append(str(error)))
    yield staff_page
    context.close()


def test_staff_suspend_a_user_and_the_users_open_page_loses_access_live(page, staff_page, live_asgi_server, full_user):
    policy = watch_policy(page)
    sign_in(page, live_asgi_server, full_user)
    page.goto("/signals/")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    page.evaluate("window.notReloaded = true")

    staff = UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    sign_in_staff(staff_page, live_asgi_server, staff)
    staff_page.goto(f"/admin/accounts/user/?q={full_user.email}")
    staff_page.locator(f'input[name="_selected_action"][value="{full_user.pk}"]').check()
    staff_page.locator('select[name="action"]').select_option("suspend")
    staff_page.locator('button[name="index"]').click()
    # The reason page: submitting without one is refused, with the form shown again.
    staff_page.get_by_role("button", name="Suspend").click()
    expect(staff_page.locator(".errorlist")).to_contain_text("This field is required")
    staff_page.locator('textarea[name="reason"]').fill(REASON)
    staff_page.get_by_role("button", name="Suspend").click()
    expect(staff_page.locator(".messagelist")).to_contain_text("Suspended: 1 user(s)")

    # The user's open page, without a reload: the live connection is closed and the page says why.
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "refused")
    expect(page.locator("#live-indicator")).to_contain_text("No access")
    expect(page.locator("#live-toast")).to_contain_text(f"Your account is suspended: {REASON}")
    assert page.evaluate("window.notReloaded") is True
    page.wait_for_timeout(3000)  # reconnect attempts (with backoff) are refused while suspended
    expect(page.locator("#live-indicator")).not_to_have_attribute("data-state", "live")

    # Their next click: the access page, with the reason staff gave.
    page.goto("/signals/")
    expect(page).to_have_url(f"{live_asgi_server}/access/")
    expect(page.locator("main")).to_contain_text(REASON)

    assert access_for(full_user).effective_level() == "SUSPENDED"
    action = StaffAction.objects.get(target=full_user)
    assert (action.actor_id, action.action, action.reason) == (staff.pk, "suspend", REASON)
    assert violations(page, policy) == []
    assert page.errors == [] and staff_page.errors == []


def test_the_pause_page_with_its_date_and_time_pickers_runs_without_errors(staff_page, live_asgi_server, full_user):
    policy = watch_policy(staff_page)
    staff = UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    sign_in_staff(staff_page, live_asgi_server, staff)
    staff_page.goto(f"/admin/accounts/user/?q={full_user.email}")
    staff_page.locator(f'input[name="_selected_action"][value="{full_user.pk}"]').check()
    staff_page.locator('select[name="action"]').select_option("pause_automation")
    staff_page.locator('button[name="index"]').click()
    staff_page.get_by_role("link", name="Today").click()  # the admin's date shortcut fills the date
    staff_page.get_by_role("link", name="Now").click()
    staff_page.locator('input[name="until_1"]').fill("23:59:59")
    staff_page.locator('textarea[name="reason"]').fill("Reconciling a failed order")
    staff_page.get_by_role("button", name="Pause automation").click()
    expect(staff_page.locator(".messagelist")).to_contain_text("Automation paused: 1 user(s)")
    assert StaffAction.objects.get(target=full_user).action == "automation_pause"
    assert violations(staff_page, policy) == []
    assert staff_page.errors == []
