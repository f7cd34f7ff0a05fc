"""A key that can move funds (withdraw or transfer) is stored through no page and no API: the only way in
is Connect BingX, which asks BingX about the key's rights first. Against the fake BingX."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ActivityLog, ExchangeCredential
from gatekeeper.models import AccessCheck
from tests.gatekeeper.conftest import ago

pytestmark = pytest.mark.django_db

RISKY = ["enableWithdrawals", "enableInternalTransfer", "permitsUniversalTransfer"]


def _keys_page(user, account):
    client = Client()
    client.force_login(user)
    data = {"exchange": "bingx", "label": "Main", "api_key": account.api_key, "api_secret": account.secret}
    response = client.post("/account/keys/", data)
    return response.status_code == 405


def _connect_page(user, account):
    client = Client()
    client.force_login(user)
    response = client.post("/access/connect/", {"api_key": account.api_key, "api_secret": account.secret})
    return response.status_code == 200 and "FLAXU never moves funds" in response.content.decode()


def _credentials_api(user, account):
    client = APIClient()
    client.force_authenticate(user)
    data = {"api_key": account.api_key, "api_secret": account.secret, "label": "Main", "exchange": "bingx"}
    response = client.post("/api/credentials/", data, format="json")
    return response.status_code == 400 and "FLAXU never moves funds" in response.json()["errors"]["api_key"][0]


@pytest.mark.parametrize("permission", RISKY)
@pytest.mark.parametrize(
    "route", [_keys_page, _connect_page, _credentials_api], ids=["account-keys", "access-connect", "api-credentials"]
)
def test_a_key_that_can_move_funds_is_stored_by_no_route(bingx, user, route, permission):
    risky = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))], permissions={permission: True})
    assert route(user, risky), "the route did not refuse the key the expected way"
    assert not ExchangeCredential.objects.exists()
    assert not AccessCheck.objects.exists()
    assert not ActivityLog.objects.filter(action=ActivityLog.Action.CREDENTIAL_ADDED).exists()


def test_the_same_account_with_a_safe_key_is_stored_through_connect(bingx, user):
    # The control: the refusals above are about the key's rights, not the route.
    safe = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    client = Client()
    client.force_login(user)
    response = client.post("/access/connect/", {"api_key": safe.api_key, "api_secret": safe.secret})
    assert response.status_code == 302
    assert ExchangeCredential.objects.filter(user=user).count() == 1
