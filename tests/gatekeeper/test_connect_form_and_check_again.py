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


IN_PLACE = {"HTTP_HX_REQUEST": "true"}


def test_after_a_refusal_in_place_the_boxes_stay_in_the_browser_and_nothing_is_sent_back(bingx, signed_in):
    """Submitted in place (htmx), only the form is swapped and its boxes are kept by the browser (hx-preserve):
    the server shows the refusal alone, separately, and never sends the key or the secret back."""
    trader = bingx.trader(permissions={"enableWithdrawals": True})
    response = signed_in.post(CONNECT, {"api_key": trader.api_key, "api_secret": trader.secret}, **IN_PLACE)
    html = text(response)
    refusal = re.search(r'<div class="message error" role="alert">(.*?)</div>', html, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", refusal) == [
        "This API key allows withdrawals. FLAXU never moves funds, so it only accepts keys without withdrawal "
        "or transfer permissions: create a key with Read and Perpetual Futures only."
    ]
    assert field_errors(html, "api_key") == [] and field_errors(html, "api_secret") == []
    form = re.search(r'<form id="connect-form".*?</form>', html, re.S).group(0)
    assert 'hx-select="#connect-form"' in form
    assert len(re.findall(r'<input[^>]*name="api_(?:key|secret)"[^>]*hx-preserve="true"', form)) == 2
    assert trader.api_key not in html and trader.secret not in html


def test_after_a_refusal_on_a_full_page_load_each_box_says_to_paste_again(bingx, signed_in):
    trader = bingx.trader(permissions={"enableWithdrawals": True})
    html = text(signed_in.post(CONNECT, {"api_key": trader.api_key, "api_secret": trader.secret}))
    assert "This API key allows withdrawals." in html
    assert field_errors(html, "api_key") == [
        "Paste the API key again: for your safety FLAXU never sends keys back to your browser."
    ]
    assert field_errors(html, "api_secret") == [
        "Paste the secret again: for your safety FLAXU never sends it back to your browser."
    ]
    assert trader.api_key not in html and trader.secret not in html


def test_bingx_down_says_nothing_was_stored_and_sends_nothing_back(bingx, signed_in):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    bingx.fake.inject(REFERRAL_PATH, "http_500", count=None)
    html = text(signed_in.post(CONNECT, {"api_key": trader.api_key, "api_secret": trader.secret}, **IN_PLACE))
    assert "nothing was stored" in html
    assert trader.api_key not in html and trader.secret not in html


def test_a_key_connected_in_place_sends_the_browser_to_the_status_page(bingx, signed_in):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    response = signed_in.post(CONNECT, {"api_key": trader.api_key, "api_secret": trader.secret}, **IN_PLACE)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == STATUS
    assert trader.api_key not in text(response)


def test_malformed_input_is_not_sent_back(bingx, signed_in):
    """A field error keeps nothing either."""
    value = "k" * 40
    html = text(signed_in.post(CONNECT, {"api_key": value, "api_secret": value}))
    assert "This is the API key again" in html and value not in html
