"""Removing the BingX key access is decided from makes access LIMITED at once, with exactly one
"key removed" decision, whichever way the key goes: Access page, Exchange keys page, API, admin or service."""

from __future__ import annotations

import secrets
import string

import pytest
from django.db import transaction
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from rest_framework.test import APIClient

from accounts.models import ExchangeCredential, User
from accounts.services.credentials import credential_create, credential_delete
from gatekeeper import rules
from gatekeeper.models import AccessCheck
from gatekeeper.selectors import effective_level
from gatekeeper.services.access import access_after_key_removed, key_connect, key_remove
from gatekeeper.services.overrides import access_override
from tests.gatekeeper.conftest import ago

pytestmark = pytest.mark.django_db

KEY_REMOVED = AccessCheck.Source.KEY_REMOVED


def alnum(n: int = 64) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


@pytest.fixture
def full_user(bingx, user, django_capture_on_commit_callbacks):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    with django_capture_on_commit_callbacks(execute=True):
        key_connect(user=user, api_key=trader.api_key, api_secret=trader.secret)
    assert effective_level(user) == rules.FULL
    return user


def _admin_client() -> Client:
    admin = User.objects.create_superuser("boss@example.com", "a-long-admin-password-1")
    device = StaticDevice.objects.create(user=admin, name="backup", confirmed=True)
    client = Client()
    client.force_login(admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _remove_on_access_page(user, key):
    client = Client()
    client.force_login(user)
    assert client.post("/access/key/remove/").status_code == 302


def _remove_on_keys_page(user, key):
    client = Client()
    client.force_login(user)
    assert client.post(f"/account/keys/{key.pk}/delete/").status_code == 302


def _remove_through_the_api(user, key):
    client = APIClient()
    client.force_authenticate(user)
    assert client.delete(f"/api/credentials/{key.pk}/").status_code == 204


def _remove_in_the_admin(user, key):
    response = _admin_client().post(f"/admin/accounts/exchangecredential/{key.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302


def _remove_with_the_service(user, key):
    key_remove(user=user)


def _remove_inside_a_larger_transaction(user, key):
    with transaction.atomic():
        key_remove(user=user)


@pytest.mark.parametrize(
    "remove",
    [
        _remove_on_access_page,
        _remove_on_keys_page,
        _remove_through_the_api,
        _remove_in_the_admin,
        _remove_with_the_service,
        _remove_inside_a_larger_transaction,
    ],
    ids=["access-page", "keys-page", "api", "admin", "key_remove", "key_remove-in-atomic"],
)
def test_every_way_of_removing_the_key_limits_access_with_one_decision(
    full_user, remove, django_capture_on_commit_callbacks
):
    key = ExchangeCredential.objects.get(user=full_user)
    with django_capture_on_commit_callbacks(execute=True):
        remove(full_user, key)
    assert not ExchangeCredential.objects.filter(user=full_user).exists()
    assert effective_level(full_user) == rules.LIMITED
    removed = AccessCheck.objects.get(user=full_user, source=KEY_REMOVED)
    assert (removed.previous_level, removed.outcome, removed.code) == (rules.FULL, rules.LIMITED, "no_key")


def test_nothing_is_decided_before_the_removal_commits(full_user):
    # Without the commit (the test's transaction never commits), the event is not sent.
    key_remove(user=full_user)
    assert not AccessCheck.objects.filter(source=KEY_REMOVED).exists()


def test_a_removal_reported_twice_is_decided_once(full_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        key_remove(user=full_user)
    assert access_after_key_removed(user=full_user) is None
    assert AccessCheck.objects.filter(source=KEY_REMOVED).count() == 1


def test_removing_a_spare_key_leaves_access_alone(full_user, django_capture_on_commit_callbacks):
    spare = credential_create(user=full_user, exchange="bingx", label="Spare", api_key=alnum(), api_secret=alnum())
    with django_capture_on_commit_callbacks(execute=True):
        credential_delete(credential=spare)
    assert effective_level(full_user) == rules.FULL
    assert not AccessCheck.objects.filter(source=KEY_REMOVED).exists()


def test_removing_the_decided_key_limits_access_even_if_a_spare_remains(full_user, django_capture_on_commit_callbacks):
    # The spare was never checked: FULL must not carry over to it.
    credential_create(user=full_user, exchange="bingx", label="Spare", api_key=alnum(), api_secret=alnum())
    with django_capture_on_commit_callbacks(execute=True):
        key_remove(user=full_user)
    assert effective_level(full_user) == rules.LIMITED
    assert AccessCheck.objects.filter(source=KEY_REMOVED).count() == 1
    assert ExchangeCredential.objects.get(user=full_user).label == "Spare"


def test_a_staff_override_still_wins_after_removal(full_user, django_capture_on_commit_callbacks):
    access_override(user=full_user, level=rules.FULL, reason="Beta tester", expires_at=None, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        key_remove(user=full_user)
    assert effective_level(full_user) == rules.FULL
    assert AccessCheck.objects.get(source=KEY_REMOVED).code == "no_key"
