"""Journey: sign up, confirm, log in, follow the dashboard to Connect BingX, read the guide, connect the key
of a referred BingX account with a $250 deposit (the fake BingX), and get FULL access with the tour."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.processes import FAKE_BINGX_AGENT, mail_body

CONFIRM_LINK = re.compile(r"https?://[^\s\"'<>]+/confirm-email/[^\s\"'<>]+")

pytestmark = pytest.mark.e2e


def submit(page, field: str) -> None:
    """Click the submit button of the form holding `field` (templates may change; names do not)."""
    page.locator(f"form:has([name={field}]) button[type=submit]").first.click()


def sign_up_and_log_in(page, server, address: str) -> None:
    started = timezone.now()
    page.goto("/accounts/signup/")
    page.fill("[name=email]", address)
    page.fill("[name=password1]", PASSWORD)
    page.fill("[name=password2]", PASSWORD)
    submit(page, "password2")
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))

    link = CONFIRM_LINK.search(mail_body(server.mail_to(address, after=started)))
    assert link
    page.goto(link.group(0))
    page.locator("main form button[type=submit], form[method=post] button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/accounts/login/"))

    page.fill("[name=login]", address)
    page.fill("[name=password]", PASSWORD)
    submit(page, "password")
    page.wait_for_url(re.compile(r"/dashboard/$"))


def test_new_user_connects_a_referred_bingx_account_and_gets_full_access(page, live_asgi_server, fake_bingx):
    fake_bingx.add_agent(**FAKE_BINGX_AGENT)
    trader = fake_bingx.add_account(uid="5001", referrer_uid=FAKE_BINGX_AGENT["uid"], direct_invitation=True)
    fake_bingx.add_deposit(trader.uid, Decimal("250"), coin="USDT", time=timezone.now() - timedelta(days=1))

    sign_up_and_log_in(page, live_asgi_server, f"trader-{uuid.uuid4().hex[:8]}@example.com")

    # The dashboard leads to Connect BingX; the FULL-only cards say why they are locked.
    card = page.locator("#connect-bingx")
    expect(card).to_be_visible()
    expect(card.locator(".badge")).to_have_text("LIMITED")
    expect(page.locator("#signals")).to_contain_text("Needs FULL access")
    card.get_by_role("link", name="Connect BingX").click()
    page.wait_for_url(re.compile(r"/access/connect/$"))

    # The guide, then the form.
    tutorial = page.locator("#key-tutorial")
    expect(tutorial.get_by_role("heading", name="Create a BingX API key")).to_be_visible()
    expect(tutorial).to_contain_text("Perpetual Futures")
    expect(tutorial).to_contain_text("Never enable Withdraw or Transfer")
    expect(tutorial).to_contain_text("IP allow-list")
    page.get_by_role("textbox", name="API key").fill(trader.api_key)
    page.get_by_label("API secret", exact=False).fill(trader.secret)
    page.get_by_role("button", name="Connect and check").click()

    # FULL, with the tour.
    page.wait_for_url(re.compile(r"/access/$"))
    expect(page.locator(".message.success")).to_contain_text("Your BingX key is connected. You have FULL access.")
    expect(page.locator("#access-status .badge")).to_have_text("FULL")
    tour = page.locator("#next-step")
    expect(tour.get_by_role("heading", name="What FULL access opens")).to_be_visible()
    for feature in ("Signals", "Sniper", "Trading", "Backtests", "Portfolio"):
        expect(tour).to_contain_text(feature)
    assert trader.secret not in page.content() and trader.api_key not in page.content()

    # The status page, reached from the main nav: why, when, the key (masked) and the history.
    page.goto("/dashboard/")
    expect(page.locator("#access-summary .badge")).to_have_text("FULL")
    expect(page.locator("#signals")).not_to_contain_text("Needs FULL access")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Access").click()
    page.wait_for_url(re.compile(r"/access/$"))
    expect(page.locator("#access-reason")).to_contain_text("Direct referral confirmed and $250.00 deposited since")
    expect(page.locator("#access-status")).to_contain_text("Decided")
    expect(page.locator("#bingx-key .mono")).to_have_text(f"{trader.api_key[:4]}…{trader.api_key[-4:]}")
    history = page.locator("#access-history tbody tr")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("Key connected")
    expect(history.first).to_contain_text("LIMITED → FULL")
    assert page.errors == []
