"""Journey: sign up, confirm the address from the mail, log in, land on the dashboard with a live feed."""

from __future__ import annotations

import re
import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.processes import mail_body

CONFIRM_LINK = re.compile(r"https?://[^\s\"'<>]+/confirm-email/[^\s\"'<>]+")

pytestmark = pytest.mark.e2e


def submit(page, field: str) -> None:
    """Click the submit button of the form holding `field` (templates may change; names do not)."""
    page.locator(f"form:has([name={field}]) button[type=submit]").first.click()


def test_new_user_signs_up_confirms_logs_in_and_sees_the_live_indicator(page, live_asgi_server):
    address = f"new-{uuid.uuid4().hex[:8]}@example.com"
    started = timezone.now()

    page.goto("/accounts/signup/")
    page.fill("[name=email]", address)
    page.fill("[name=password1]", PASSWORD)
    page.fill("[name=password2]", PASSWORD)
    submit(page, "password2")
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))

    mail = live_asgi_server.mail_to(address, after=started)
    link = CONFIRM_LINK.search(mail_body(mail))
    assert link, mail_body(mail)
    page.goto(link.group(0))
    page.locator("main form button[type=submit], form[method=post] button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/accounts/login/"))

    page.fill("[name=login]", address)
    page.fill("[name=password]", PASSWORD)
    submit(page, "password")
    page.wait_for_url(re.compile(r"/dashboard/$"))

    indicator = page.locator("#live-indicator")
    expect(indicator).to_have_attribute("data-state", "live")
    expect(indicator.locator(".live-label")).to_have_text("Live")
    assert page.errors == []
