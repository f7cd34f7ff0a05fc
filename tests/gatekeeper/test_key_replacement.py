"""Connecting a BingX key again replaces the stored one in place: same row, new ciphertext and mask,
one "connect" decision and no "key removed" one. Against the fake BingX through the real gateway."""

from __future__ import annotations

import secrets
import string

import pytest

from accounts.models import ActivityLog, ExchangeCredential
from accounts.services.credentials import credential_create, credential_reveal
from gatekeeper import rules
from gatekeeper.models import AccessCheck
from gatekeeper.selectors import effective_level
from gatekeeper.services.access import KeyRefused, key_connect
from tests.gatekeeper.conftest import ago

pytestmark = pytest.mark.django_db

CONNECT = "/access/connect/"


def alnum(n: int = 64) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


def test_reconnecting_on_the_page_replaces_the_key_in_place(bingx, client, user, django_capture_on_commit_callbacks):
    client.force_login(user)
    first = bingx.trader(uid="2001", deposits=[(250, "USDT", 1, ago(hours=1))])
    second = bingx.trader(uid="2002", deposits=[(250, "USDT", 1, ago(hours=1))])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CONNECT, {"api_key": first.api_key, "api_secret": first.secret})
    before = ExchangeCredential.objects.get(user=user)
    checks_before = set(AccessCheck.objects.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONNECT, {"api_key": second.api_key, "api_secret": second.secret})
    assert response.status_code == 302

    after = ExchangeCredential.objects.get(user=user)
    assert after.pk == before.pk and after.label == before.label == "BingX"
    assert after.api_key_masked != before.api_key_masked
    assert bytes(after.api_secret_encrypted) != bytes(before.api_secret_encrypted)
    assert credential_reveal(after) == (second.api_key, second.secret)
    new_checks = AccessCheck.objects.exclude(pk__in=checks_before)
    assert [(c.source, c.outcome) for c in new_checks] == [(AccessCheck.Source.CONNECT, rules.FULL)]
    assert not AccessCheck.objects.filter(source=AccessCheck.Source.KEY_REMOVED).exists()
    assert not ActivityLog.objects.filter(action=ActivityLog.Action.CREDENTIAL_REMOVED).exists()
    replaced = ActivityLog.objects.get(user=user, action=ActivityLog.Action.CREDENTIAL_REPLACED)
    assert replaced.detail == {
        "label": "BingX",
        "exchange": "bingx",
        "mask": after.api_key_masked,
        "previous_mask": before.api_key_masked,
    }


def test_a_key_labelled_bingx_already_there_is_replaced_not_a_clash(bingx, user, django_capture_on_commit_callbacks):
    # Keys stored before keys were checked could carry any label, "BingX" included.
    kept = credential_create(user=user, exchange="bingx", label="BingX", api_key=alnum(), api_secret=alnum())
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    with django_capture_on_commit_callbacks(execute=True):
        check = key_connect(user=user, api_key=trader.api_key, api_secret=trader.secret)
    assert check.outcome == rules.FULL
    assert list(ExchangeCredential.objects.filter(user=user).values_list("pk", flat=True)) == [kept.pk]
    assert credential_reveal(ExchangeCredential.objects.get(pk=kept.pk)) == (trader.api_key, trader.secret)


def test_several_bingx_keys_end_as_one_with_no_key_removed_decision(bingx, user, django_capture_on_commit_callbacks):
    oldest, *spares = (
        credential_create(user=user, exchange="bingx", label=label, api_key=alnum(), api_secret=alnum())
        for label in ("Zulu", "Alpha", "BingX")
    )
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        key_connect(user=user, api_key=trader.api_key, api_secret=trader.secret)
    assert len(callbacks) >= len(spares)  # the spares' removals were announced, and heard

    remaining = ExchangeCredential.objects.get(user=user)
    assert (remaining.pk, remaining.label) == (oldest.pk, "Zulu")
    assert credential_reveal(remaining) == (trader.api_key, trader.secret)
    assert list(AccessCheck.objects.values_list("source", flat=True)) == [AccessCheck.Source.CONNECT]
    assert effective_level(user) == rules.FULL
    removed = ActivityLog.objects.filter(action=ActivityLog.Action.CREDENTIAL_REMOVED)
    assert sorted(entry.detail["label"] for entry in removed) == ["Alpha", "BingX"]


def test_a_refused_key_leaves_the_stored_one_untouched(bingx, user, django_capture_on_commit_callbacks):
    good = bingx.trader(uid="2001", deposits=[(250, "USDT", 1, ago(hours=1))])
    risky = bingx.trader(uid="2002", permissions={"enableWithdrawals": True})
    with django_capture_on_commit_callbacks(execute=True):
        key_connect(user=user, api_key=good.api_key, api_secret=good.secret)
    stored = ExchangeCredential.objects.get(user=user)
    with pytest.raises(KeyRefused, match="withdrawals"):
        key_connect(user=user, api_key=risky.api_key, api_secret=risky.secret)
    after = ExchangeCredential.objects.get(user=user)
    assert (after.pk, after.api_key_masked) == (stored.pk, stored.api_key_masked)
    assert credential_reveal(after) == (good.api_key, good.secret)
    assert not ActivityLog.objects.filter(action=ActivityLog.Action.CREDENTIAL_REPLACED).exists()
