"""The credential services on the database: a label clash is a domain error, a replacement keeps the row,
and a removal is announced (accounts.events.credential_removed) only once it has committed."""

from __future__ import annotations

import secrets
import string

import pytest
from django.db import transaction

from accounts import vault
from accounts.events import credential_removed
from accounts.models import ActivityLog, ExchangeCredential
from accounts.services.credentials import (
    CredentialLabelTaken,
    credential_create,
    credential_delete,
    credential_replace,
    credential_reveal,
)


def _exchange_value() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(64))


def _create(user, label: str = "Main") -> ExchangeCredential:
    return credential_create(
        user=user, exchange="bingx", label=label, api_key=_exchange_value(), api_secret=_exchange_value()
    )


@pytest.fixture
def heard():
    """Every credential_removed sent during the test, as the receivers' keyword arguments."""
    events = []

    def listen(sender, **kwargs):
        events.append(kwargs)

    credential_removed.connect(listen, dispatch_uid="test-listener")
    yield events
    credential_removed.disconnect(dispatch_uid="test-listener")


def test_a_duplicate_label_is_a_domain_error_not_an_integrity_error(user):
    _create(user)
    with pytest.raises(CredentialLabelTaken):
        _create(user)
    assert ExchangeCredential.objects.filter(user=user).count() == 1


def test_replacing_keeps_the_row_and_records_both_masks(user):
    credential = _create(user, label="Bot")
    before = ExchangeCredential.objects.get(pk=credential.pk)
    api_key, api_secret = _exchange_value(), _exchange_value()
    credential_replace(credential=credential, api_key=api_key, api_secret=api_secret)

    after = ExchangeCredential.objects.get(user=user)
    assert (after.pk, after.label, after.created_at) == (before.pk, "Bot", before.created_at)
    assert after.api_key_masked == vault.mask(api_key) != before.api_key_masked
    assert credential_reveal(after) == (api_key, api_secret)
    entry = ActivityLog.objects.get(user=user, action=ActivityLog.Action.CREDENTIAL_REPLACED)
    assert entry.detail == {
        "label": "Bot",
        "exchange": "bingx",
        "mask": after.api_key_masked,
        "previous_mask": before.api_key_masked,
    }
    assert api_key[4:-4] not in str(entry.detail) and api_secret not in str(entry.detail)


def test_replacing_needs_both_values(user):
    credential = _create(user)
    with pytest.raises(ValueError):
        credential_replace(credential=credential, api_key="", api_secret=_exchange_value())
    assert not ActivityLog.objects.filter(action=ActivityLog.Action.CREDENTIAL_REPLACED).exists()


def test_removal_is_announced_after_commit_with_ids_only(user, heard, django_capture_on_commit_callbacks):
    credential = _create(user)
    credential_id = credential.pk
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        credential_delete(credential=credential)
    assert heard == []  # not before the commit
    for callback in callbacks:
        callback()
    assert heard == [
        {
            "signal": credential_removed,
            "user": user,
            "credential_id": credential_id,
            "exchange": "bingx",
            "request": None,
        }
    ]


def test_a_rolled_back_removal_is_never_announced(user, heard, django_capture_on_commit_callbacks):
    credential = _create(user)
    credential_id = credential.pk
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        credential_delete(credential=credential)
        raise RuntimeError("something later failed")
    assert heard == []
    assert ExchangeCredential.objects.filter(pk=credential_id).exists()
