"""Journey: a key BingX refuses. The refusal shows above the form, and both boxes still hold what the user
typed (the browser keeps them; the server never sends a key back), so fixing one of them is enough."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.session import sign_in
from tests.factories import UserFactory
from tests.processes import FAKE_BINGX_AGENT

pytestmark = pytest.mark.e2e


def test_a_refused_key_leaves_both_boxes_filled_and_says_why(page, live_asgi_server, fake_bingx, transactional_db):
    fake_bingx.add_agent(**FAKE_BINGX_AGENT)
    risky = fake_bingx.add_account(uid="5101", permissions={"enableWithdrawals": True})
    sign_in(page, live_asgi_server, UserFactory())
    key_sent_back = []
    page.on(
        "response",
        lambda response: (
            key_sent_back.append(response.url)
            if "/access/connect/" in response.url and risky.api_key in response.text()
            else None
        ),
    )

    page.goto("/access/connect/")
    page.get_by_role("textbox", name="API key").fill(risky.api_key)
    page.get_by_label("API secret", exact=False).fill(risky.secret)
    page.get_by_role("button", name="Connect and check").click()

    expect(page.locator("#connect-form .message.error")).to_contain_text("This API key allows withdrawals.")
    assert re.search(r"/access/connect/$", page.url)  # no navigation: the form was swapped in place
    expect(page.get_by_role("textbox", name="API key")).to_have_value(risky.api_key)
    expect(page.get_by_label("API secret", exact=False)).to_have_value(risky.secret)
    assert key_sent_back == [] and page.errors == []
