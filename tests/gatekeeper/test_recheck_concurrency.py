"""“Check again” is limited per user atomically: simultaneous requests let exactly one BingX check through.

Threads send real requests (each with its own database connection) while the fake BingX counts the checks
that reached it. A race is a matter of chance, so each test runs several rounds, a new user each. This holds
on the file cache and on Redis, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from gatekeeper.models import AccessCheck
from gatekeeper.services.access import key_connect
from tests.factories import UserFactory
from tests.gatekeeper.conftest import ago

RECHECK = "/api/gatekeeper/recheck"
PAGE_RECHECK = "/access/recheck/"
REFERRAL_PATH = "/openApi/agent/v1/account/inviteRelationCheck"
CALLERS, ROUNDS = 5, 6


@pytest.fixture
def concurrent_db(transactional_db):
    """Threads need committed rows (their own connections)."""


def simultaneously(send) -> list[int]:
    """Run `send()` in CALLERS threads released together; their HTTP status codes, sorted."""
    start, codes, lock = threading.Barrier(CALLERS), [], threading.Lock()

    def caller():
        try:
            start.wait(10)
            code = send()
            with lock:
                codes.append(code)
        finally:
            connection.close()

    threads = [threading.Thread(target=caller) for _ in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return sorted(codes)


def connected_user(bingx, n: int):
    user = UserFactory()
    trader = bingx.trader(uid=str(3000 + n), deposits=[(250, "USDT", 1, ago(hours=1))])
    key_connect(user=user, api_key=trader.api_key, api_secret=trader.secret)
    return user, trader.uid


def checks_reaching_bingx(bingx, uid: str) -> int:
    """Referral checks BingX answered for this UID after the connect (which asked once)."""
    return sum(1 for params in bingx.fake.requests_to(REFERRAL_PATH) if params.get("uid") == uid) - 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_five_simultaneous_api_rechecks_reach_bingx_once(bingx, concurrent_db, settings, round_):
    settings.FLAXU_RECHECK_THROTTLE_SECONDS = 60
    user, uid = connected_user(bingx, round_)

    def send() -> int:
        api = APIClient()
        api.force_authenticate(user)
        return api.post(RECHECK).status_code

    assert simultaneously(send) == [200] + [429] * (CALLERS - 1)
    assert checks_reaching_bingx(bingx, uid) == 1
    assert AccessCheck.objects.filter(user=user, source="recheck").count() == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_five_simultaneous_page_rechecks_reach_bingx_once(bingx, concurrent_db, settings, round_):
    settings.FLAXU_RECHECK_THROTTLE_SECONDS = 60
    user, uid = connected_user(bingx, round_)
    signed_in = Client()
    signed_in.force_login(user)

    def send() -> int:
        browser = Client()
        browser.cookies = signed_in.cookies
        return browser.post(PAGE_RECHECK).status_code

    assert simultaneously(send) == [302] * CALLERS
    assert checks_reaching_bingx(bingx, uid) == 1
    assert AccessCheck.objects.filter(user=user, source="recheck").count() == 1
