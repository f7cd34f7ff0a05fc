"""A key BingX accepts at first and refuses half-way (revoked in BingX while FLAXU asks about the deposits)
is a refused key, never a 500: connecting stores nothing; a re-check leaves the user LIMITED, told why."""

from __future__ import annotations

import pytest

from accounts.models import ExchangeCredential
from gatekeeper.models import Access
from tests.gatekeeper.conftest import ago

pytestmark = pytest.mark.django_db

DEPOSITS = "/openApi/api/v3/capital/deposit/hisrec"


def revoke_at_deposits(bingx) -> None:
    bingx.fake.inject(DEPOSITS, "maintenance", count=None, status=200, code=100413, msg="Incorrect apiKey")


def test_connecting_a_key_revoked_half_way_is_refused_and_stores_nothing(bingx, client, user):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    revoke_at_deposits(bingx)
    client.force_login(user)
    response = client.post("/api/credentials/", {"api_key": trader.api_key, "api_secret": trader.secret})
    assert response.status_code == 400, response.content
    assert "BingX did not accept this key" in response.json()["detail"]
    page = client.post("/access/connect/", {"api_key": trader.api_key, "api_secret": trader.secret})
    assert page.status_code == 200 and "BingX did not accept this key" in page.content.decode()
    assert not ExchangeCredential.objects.exists()


def test_a_recheck_with_a_key_revoked_half_way_leaves_the_user_limited_with_the_reason(bingx, client, user):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    client.force_login(user)
    assert client.post("/api/credentials/", {"api_key": trader.api_key, "api_secret": trader.secret}).status_code in (
        200,
        201,
    )
    assert Access.objects.get(user=user).level == "FULL"
    revoke_at_deposits(bingx)
    response = client.post("/api/gatekeeper/recheck")
    assert response.status_code == 200, response.content
    access = Access.objects.get(user=user)
    assert access.level == "LIMITED" and "Reconnect your key" in access.reason
