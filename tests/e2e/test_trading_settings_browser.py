"""Journey of a FULL user through the Trading menu: settings saved (a refused value shown on its field first),
then the kill switch's confirmation step and its result; strict CSP holds on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import RECORD_VIOLATIONS
from tests.e2e.session import sign_in

pytestmark = pytest.mark.e2e


def test_settings_saved_then_the_kill_switch_stops_automation(page, live_asgi_server, full_user):
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, live_asgi_server, full_user)
    page.goto("/dashboard/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trading").click()
    expect(page.locator("#automation-state")).to_contain_text("ICT automation is off")

    page.get_by_role("navigation", name="Trading").get_by_role("link", name="Settings").click()
    page.get_by_label("ICT automation").check()
    page.get_by_label("Risk per trade (%)").fill("2.5")
    page.get_by_label("Allowed markets").fill("BTC/USDT, ethusdt")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#risk_pct-errors")).to_contain_text("less than or equal to 2")

    page.get_by_label("Risk per trade (%)").fill("1.5")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".messages")).to_contain_text("Your trading settings are saved.")
    expect(page.get_by_label("Allowed markets")).to_have_value("BTC/USDT, ETH/USDT")
    expect(page.locator("#automation-state")).to_contain_text("ICT automation is on")

    page.get_by_role("navigation", name="Trading").get_by_role("link", name="Kill switch").click()
    page.get_by_role("button", name="Yes, close everything and stop automation").click()
    expect(page.locator(".messages")).to_contain_text("Kill switch: automation is off")
    expect(page.locator("#automation-state")).to_contain_text("ICT automation is off")
    assert page.errors == []
    assert page.evaluate("window.__csp") == []
