"""No key or secret reaches a log, a decision record, a notification or an email during gatekeeping."""

import base64
import logging

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ActivityLog, Notification
from gatekeeper.models import Access, AccessCheck
from gatekeeper.services.access import CheckUnavailable, KeyRefused, access_recheck, key_connect, key_remove
from tests.gatekeeper.conftest import ago

pytestmark = pytest.mark.django_db


def test_no_secret_anywhere_over_a_whole_gatekeeping_life(
    bingx, user, caplog, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True  # SQL is logged too
    caplog.set_level(logging.DEBUG)
    logging.getLogger("django.db.backends").setLevel(logging.DEBUG)
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    risky = bingx.trader(uid="2002", permissions={"enableWithdrawals": True})

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(KeyRefused):
            key_connect(user=user, api_key=risky.api_key, api_secret=risky.secret)
        with pytest.raises(KeyRefused):
            key_connect(user=user, api_key=trader.api_key, api_secret="wrong-" + trader.secret)
        key_connect(user=user, api_key=trader.api_key, api_secret=trader.secret)
        bingx.fake.inject("/openApi/agent/v1/account/inviteRelationCheck", "http_500", count=5)
        with pytest.raises(CheckUnavailable):
            access_recheck(user=user)
        bingx.fake.clear_faults()
        access_recheck(user=user)
        key_remove(user=user)

    stored = [
        *AccessCheck.objects.values_list("inputs", "reasons", "error"),
        *Access.objects.values_list("reason", "last_error"),
        *Notification.objects.values_list("title", "body"),
        *ActivityLog.objects.values_list("detail", flat=True),
        *[(m.subject, m.body) for m in mail.outbox],
    ]
    haystack = "\n".join([caplog.text, *map(str, stored)])
    assert "SELECT" in caplog.text and AccessCheck.objects.count() >= 4  # the capture really saw the flow
    for secret in (trader.api_key, trader.secret, risky.api_key, risky.secret):
        assert secret not in haystack
        assert secret[:12] not in haystack and secret[-12:] not in haystack


class Plain:
    """The keys under test: every 12-character run of them, their hex and base64, must not show up."""

    def __init__(self, *values: str) -> None:
        encodings = [
            *values,
            *(v.encode().hex() for v in values),
            *(base64.b64encode(v.encode()).decode() for v in values),
        ]
        self.fragments = {v[i : i + 12] for v in encodings for i in range(len(v) - 11)}

    def assert_absent(self, text: str, where: str) -> None:
        assert not [f for f in self.fragments if f in text], f"a key or secret found in {where}"


# Views that handle a key (connect) or use a stored one (check again), by page and by API.
KEY_VIEWS = {
    "connect page": ("form", "/access/connect/"),
    "connect API": ("api", "/api/credentials/"),
    "check again page": ("form", "/access/recheck/"),
    "check again API": ("api", "/api/gatekeeper/recheck"),
}
FAILING_REQUESTS = {
    "user's key": ("GET", "/openApi/api/v3/capital/deposit/hisrec"),
    "owner's agent key": ("GET", "/openApi/agent/v1/account/inviteRelationCheck"),
}


@pytest.mark.parametrize("failing", list(FAILING_REQUESTS))
@pytest.mark.parametrize("view", list(KEY_VIEWS))
def test_the_debug_error_page_of_a_key_view_shows_no_key_or_secret(
    bingx, user, settings, network_boundary, view, failing
):
    """DEBUG=True (make run's default): an unexpected error under ccxt renders Django's technical 500 page."""
    settings.DEBUG = True
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    plain = Plain(trader.api_key, trader.secret, bingx.agent.api_key, bingx.agent.secret)
    kind, url = KEY_VIEWS[view]
    client = APIClient(raise_request_exception=False) if kind == "api" else Client(raise_request_exception=False)
    client.force_login(user)
    pair = {"api_key": trader.api_key, "api_secret": trader.secret}
    if "check again" in view:
        key_connect(user=user, **pair)
    network_boundary.failing = FAILING_REQUESTS[failing]

    if "connect" in view:
        response = client.post(url, pair, format="json") if kind == "api" else client.post(url, pair)
    else:
        response = client.post(url)

    assert response.status_code == 500
    page = response.content.decode()
    assert "BoundaryFailure" in page and "ccxt/base/exchange.py" in page  # the report reached under ccxt
    plain.assert_absent(page, f"the DEBUG page of {view}")
    for signature in network_boundary.signatures:
        assert signature not in page
