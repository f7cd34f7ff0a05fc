"""One BingX account (UID) unlocks one FLAXU account at a time; removing the key frees it for another."""

from __future__ import annotations

import html as html_lib
import secrets
import string
import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from accounts.models import ExchangeCredential
from accounts.services.credentials import credential_create
from gatekeeper import rules
from gatekeeper.models import Access, AccessCheck
from gatekeeper.services.access import access_recheck, key_remove
from tests.factories import UserFactory
from tests.gatekeeper.conftest import ago

CREDENTIALS, CONNECT = "/api/credentials/", "/access/connect/"
REFERRAL_PATH = "/openApi/agent/v1/account/inviteRelationCheck"
TAKEN = "This BingX account (UID 2001) is already connected to another FLAXU account"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def connect(user, api_key: str, secret: str):
    return api_for(user).post(CREDENTIALS, {"api_key": api_key, "api_secret": secret}, format="json")


def second_key(bingx, account) -> str:
    """Another API key of the same BingX account (BingX lets an account create several)."""
    key = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(64))
    with bingx.fake.exchange.lock:
        bingx.fake.exchange.by_key[key] = account
    return key


def assert_nothing_stored_for(user) -> None:
    assert not ExchangeCredential.objects.filter(user=user).exists()
    assert not AccessCheck.objects.filter(user=user).exists()
    access = Access.objects.filter(user=user).first()
    assert access is None or (access.level == rules.LIMITED and access.bingx_uid == "")


@pytest.fixture
def trader(bingx):
    return bingx.trader(uid="2001", deposits=[(250, "USDT", 1, ago(hours=1))])


@pytest.fixture
def first(db, trader):
    """A FLAXU user who connected the trader's key and has FULL access."""
    user = UserFactory()
    assert connect(user, trader.api_key, trader.secret).status_code == 201
    assert Access.objects.get(user=user).level == rules.FULL
    return user


@pytest.mark.parametrize("same_key", [True, False], ids=["same-key", "another-key-of-the-same-uid"])
def test_a_second_flaxu_account_is_refused_with_409_and_nothing_stored(bingx, trader, first, same_key):
    second = UserFactory()
    api_key = trader.api_key if same_key else second_key(bingx, trader)
    response = connect(second, api_key, trader.secret)
    assert response.status_code == 409, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["errors"]["api_key"][0].startswith(TAKEN)
    assert "ask FLAXU support to move it" in body["errors"]["api_key"][0]
    assert api_key not in response.content.decode() and trader.secret not in response.content.decode()
    assert first.email not in response.content.decode()  # who holds it is not told
    assert_nothing_stored_for(second)
    assert Access.objects.get(user=first).level == rules.FULL


def test_the_connect_page_says_the_bingx_account_belongs_to_another_flaxu_account(trader, first, client):
    second = UserFactory()
    client.force_login(second)
    response = client.post(CONNECT, {"api_key": trader.api_key, "api_secret": trader.secret})
    assert response.status_code == 200
    assert TAKEN in html_lib.unescape(response.content.decode())
    assert_nothing_stored_for(second)


def test_the_same_user_may_reconnect_their_own_bingx_account(trader, first):
    assert connect(first, trader.api_key, trader.secret).status_code == 201
    assert Access.objects.get(user=first).bingx_uid == "2001"


def test_removing_the_first_users_key_frees_the_bingx_account(trader, first, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        key_remove(user=first)
    assert Access.objects.get(user=first).bingx_uid == ""
    second = UserFactory()
    assert connect(second, trader.api_key, trader.secret).status_code == 201
    assert Access.objects.get(user=second).level == rules.FULL and Access.objects.get(user=second).bingx_uid == "2001"


def test_staff_move_a_bingx_account_by_removing_the_holders_key_in_the_admin(
    trader, first, staff_client, django_capture_on_commit_callbacks
):
    client = staff_client
    listing = client.get("/admin/gatekeeper/access/?q=2001")
    assert first.email in listing.content.decode()  # staff find the holder by BingX UID
    access = Access.objects.get(user=first)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/gatekeeper/access/",
            {"action": "remove_bingx_key", "_selected_action": [access.pk]},
            follow=True,
        )
    assert "their BingX accounts can be connected by another FLAXU account" in response.content.decode()
    assert not ExchangeCredential.objects.filter(user=first).exists()
    assert Access.objects.get(user=first).level == rules.LIMITED
    second = UserFactory()
    assert connect(second, trader.api_key, trader.secret).status_code == 201


def test_connecting_another_bingx_account_frees_the_previous_one(bingx, trader, first):
    other = bingx.trader(uid="2002", deposits=[(250, "USDT", 1, ago(hours=1))])
    assert connect(first, other.api_key, other.secret).status_code == 201
    second = UserFactory()
    assert connect(second, trader.api_key, trader.secret).status_code == 201


def test_revalidation_never_grants_full_from_a_bingx_account_another_user_holds(trader, first):
    # A key stored before FLAXU recorded BingX accounts: the same UID as `first`, and FULL until now.
    second = UserFactory()
    credential_create(user=second, exchange="bingx", label="BingX", api_key=trader.api_key, api_secret=trader.secret)
    Access.objects.create(user=second, level=rules.FULL, code="full")
    check = access_recheck(user=second)
    assert check.outcome == rules.LIMITED and check.code == "uid_taken"
    assert check.reasons[0].startswith(TAKEN)
    access = Access.objects.get(user=second)
    assert access.level == rules.LIMITED and access.bingx_uid == ""
    assert Access.objects.get(user=first).bingx_uid == "2001"


def test_the_status_page_tells_the_second_user_what_to_do(trader, first, client):
    second = UserFactory()
    credential_create(user=second, exchange="bingx", label="BingX", api_key=trader.api_key, api_secret=trader.secret)
    client.force_login(second)
    html = html_lib.unescape(client.post("/access/recheck/", follow=True).content.decode())
    assert "Your access is LIMITED: " + TAKEN in html
    assert "Next: use a BingX account of your own" in html and "Connect another key" in html
    assert "has not been checked yet" not in html


def test_the_database_refuses_a_bingx_uid_held_twice(db):
    Access.objects.create(user=UserFactory(), bingx_uid="2001")
    Access.objects.create(user=UserFactory())  # no key: no BingX account, any number of them
    Access.objects.create(user=UserFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        Access.objects.create(user=UserFactory(), bingx_uid="2001")


def test_a_connect_that_loses_the_race_is_refused_and_stores_nothing(bingx, trader, transactional_db):
    """The other account connects while BingX is still answering the first request: the database decides."""
    slow, fast = UserFactory(), UserFactory()
    bingx.fake.inject(REFERRAL_PATH, "latency", delay=1.5, count=1)
    responses = []

    def connect_slowly():
        try:
            responses.append(connect(slow, trader.api_key, trader.secret))
        finally:
            connection.close()

    thread = threading.Thread(target=connect_slowly)
    thread.start()
    deadline = time.monotonic() + 5
    while not bingx.fake.requests_to(REFERRAL_PATH) and time.monotonic() < deadline:
        time.sleep(0.02)  # until the slow connect has passed its own "is this UID taken?" look
    assert connect(fast, trader.api_key, trader.secret).status_code == 201
    thread.join(30)

    assert responses[0].status_code == 409 and responses[0].json()["errors"]["api_key"][0].startswith(TAKEN)
    assert_nothing_stored_for(slow)
    assert Access.objects.get(user=fast).level == rules.FULL
