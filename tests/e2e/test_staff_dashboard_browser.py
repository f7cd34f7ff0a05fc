"""Journey: staff open the dashboard (/staff/) and its four charts draw under the strict CSP (lightweight-charts
and static/js/staff_charts.js from the page's JSON data); on the inactive list they select a user, apply a bulk
suspension without a reason (the form is not sent), then with one, and read what was done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gatekeeper.models import Access
from tests.adminpanel.dashboard_data import add_trade, make_user
from tests.factories import UserFactory

from .test_markets_browser import violations, watch_policy
from .test_staff_suspend_browser import sign_in_staff

pytestmark = pytest.mark.e2e


def test_staff_see_the_charts_and_suspend_an_inactive_user(page, live_asgi_server, transactional_db):
    now = timezone.now()
    trader = make_user("trader@example.com", joined=now - timedelta(days=5))
    add_trade(trader, mode="paper", status="CLOSED", opened=now - timedelta(days=2), closed=now - timedelta(days=1),
              pnl="12.5")  # fmt: skip
    idle = make_user("idle@example.com", joined=now - timedelta(days=40))
    policy = watch_policy(page)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    sign_in_staff(page, live_asgi_server, UserFactory(email="ops@example.com", is_staff=True, is_superuser=True))

    page.goto("/staff/")
    for chart in ("#chart-signups", "#chart-full", "#chart-trades", "#chart-pnl"):
        expect(page.locator(chart)).to_have_attribute("data-ready", "true")
    expect(page.locator('[data-figure="total"]')).to_have_text("2")
    expect(page.locator("#id_preset")).to_have_value("30")  # the default period, as the page says

    page.goto("/staff/inactive/")
    expect(page.locator("#inactive-users")).to_contain_text("idle@example.com")
    expect(page.locator("#inactive-users")).not_to_contain_text("trader@example.com")
    page.locator(f"#select-{idle.pk}").check()
    page.locator('select[name="action"]').select_option("suspend")
    page.get_by_role("button", name="Apply").click()  # no reason: the browser keeps the form (required)
    assert page.locator('input[name="reason"]').evaluate("input => !input.validity.valid")
    assert Access.objects.filter(user=idle).exists() is False
    page.locator('input[name="reason"]').fill("Dormant account used for spam")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".messages")).to_contain_text("Suspend: done for 1 user (idle@example.com)")
    assert Access.objects.get(user=idle).effective_level() == "SUSPENDED"
    assert page.errors == []
    assert violations(page, policy) == []
