"""No key or secret reaches a log, a decision record, a notification or an email during gatekeeping."""

import logging

import pytest
from django.core import mail

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
