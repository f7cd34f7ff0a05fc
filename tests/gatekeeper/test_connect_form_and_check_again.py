"""What a new user meets on the access pages: "Check again" without a key, and the connect form after a refusal."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from gatekeeper.models import AccessCheck
from tests.gatekeeper.conftest import ago

pytestmark = pytest.mark.django_db

STATUS, CONNECT, RECHECK = "/access/", "/access/connect/", "/access/recheck/"
REFERRAL_PATH = "/openApi/agent/v1/account/inviteRelationCheck"


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def test_check_again_without_a_key_says_there_is_nothing_to_check_and_links_connect(bingx, signed_in):
    html = text(signed_in.post(RECHECK, follow=True))
    assert "No BingX key is connected, so there is nothing to check." in html
    assert '<a href="/access/connect/">Connect BingX</a> first.' in html
    assert "Checked with BingX" not in html
    assert not AccessCheck.objects.exists() and bingx.fake.requests == []


def field_errors(html: str, field: str) -> list[str]:
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


def test_after_a_refusal_the_key_stays_and_each_error_shows_in_its_place(bingx, signed_in):
    trader = bingx.trader(permissions={"enableWithdrawals": True})
    response = signed_in.post(CONNECT, {"api_key": trader.api_key, "api_secret": trader.secret})
    html = text(response)
    refusal = re.search(r'<div class="message error" role="alert">(.*?)</div>', html, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", refusal) == [
        "This API key allows withdrawals. FLAXU never moves funds, so it only accepts keys without withdrawal "
        "or transfer permissions: create a key with Read and Perpetual Futures only."
    ]
    assert f'value="{trader.api_key}"' in html  # the user's own key, kept to try again
    assert field_errors(html, "api_key") == []
    assert field_errors(html, "api_secret") == [
        "Paste the secret again: for your safety FLAXU never sends it back to your browser."
    ]
    assert trader.secret not in html


def test_bingx_down_keeps_the_key_and_asks_for_the_secret_again(bingx, signed_in):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    bingx.fake.inject(REFERRAL_PATH, "http_500", count=None)
    html = text(signed_in.post(CONNECT, {"api_key": trader.api_key, "api_secret": trader.secret}))
    assert "nothing was stored" in html and f'value="{trader.api_key}"' in html
    assert field_errors(html, "api_secret") and trader.secret not in html


def test_malformed_input_is_not_sent_back(bingx, signed_in):
    """Only a well-formed key that BingX was asked about is kept; a field error keeps nothing."""
    value = "k" * 40
    html = text(signed_in.post(CONNECT, {"api_key": value, "api_secret": value}))
    assert "This is the API key again" in html and value not in html
