"""A broken owner agent key (no agent role, or a rotated secret) is FLAXU's problem, not the user's: every
check answers "could not check" (503 / a plain message), records a transient check, alerts staff in the
log without secrets, and leaves access as it was."""

from __future__ import annotations

import html as html_lib
import logging
import secrets
import string

import pytest
from rest_framework.test import APIClient

from accounts.models import ExchangeCredential
from gatekeeper import rules
from gatekeeper.models import Access, AccessCheck
from gatekeeper.services.access import CheckUnavailable, key_connect
from gatekeeper.tasks import revalidate_user
from tests.gatekeeper.conftest import ago

pytestmark = pytest.mark.django_db

STAFF_ALERTED = "staff have been alerted"


def alnum(n: int = 64) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


def _no_agent_role(bingx, settings) -> None:
    bingx.fake.exchange.account(bingx.agent.uid).is_agent = False  # BingX answers 100004


def _rotated_secret(bingx, settings) -> None:
    settings.FLAXU_REFERRER_AGENT_SECRET = alnum()  # BingX answers 100001 (bad signature)


BREAKAGES = [pytest.param(_no_agent_role, id="no-agent-role"), pytest.param(_rotated_secret, id="rotated-secret")]


@pytest.fixture
def full_user(bingx, user):
    """A user with FULL access from a connected, referred key."""
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    key_connect(user=user, api_key=trader.api_key, api_secret=trader.secret)
    assert Access.objects.get(user=user).level == rules.FULL
    return user


def _owner_and_user_secrets(bingx, settings, *accounts) -> list[str]:
    values = [settings.FLAXU_REFERRER_AGENT_API_KEY, settings.FLAXU_REFERRER_AGENT_SECRET, bingx.agent.secret]
    for account in accounts:
        values += [account.api_key, account.secret]
    return values


def _assert_staff_alerted(caplog, values) -> None:
    alerts = [r for r in caplog.records if r.levelno >= logging.ERROR and "FLAXU_REFERRER" in r.getMessage()]
    assert alerts, "staff were not alerted in the log"
    for value in values:
        assert value not in caplog.text


def _assert_unchanged_with_transient_record(user) -> None:
    access = Access.objects.get(user=user)
    assert access.effective_level() == rules.FULL
    latest = AccessCheck.objects.filter(user=user).first()
    assert latest.transient and latest.code == "unavailable" and latest.outcome == rules.FULL
    assert access.last_error


@pytest.mark.parametrize("break_owner_key", BREAKAGES)
def test_check_again_by_api_is_a_503_with_a_plain_message(bingx, full_user, settings, caplog, break_owner_key):
    break_owner_key(bingx, settings)
    api = APIClient()
    api.force_authenticate(full_user)
    response = api.post("/api/gatekeeper/recheck")
    assert response.status_code == 503
    body = response.json()
    assert set(body) == {"detail", "errors"} and STAFF_ALERTED in body["detail"]
    _assert_unchanged_with_transient_record(full_user)
    status = api.get("/api/gatekeeper/status").json()
    assert STAFF_ALERTED in status["last_error"] and "http" not in status["last_error"].lower()
    values = _owner_and_user_secrets(bingx, settings)
    _assert_staff_alerted(caplog, values)
    for value in values:
        assert value not in response.content.decode()


@pytest.mark.parametrize("break_owner_key", BREAKAGES)
def test_check_again_on_the_page_says_so_plainly(bingx, full_user, client, settings, caplog, break_owner_key):
    break_owner_key(bingx, settings)
    client.force_login(full_user)
    response = client.post("/access/recheck/", follow=True)
    assert response.status_code == 200
    page = html_lib.unescape(response.content.decode())
    assert STAFF_ALERTED in page
    _assert_unchanged_with_transient_record(full_user)
    _assert_staff_alerted(caplog, _owner_and_user_secrets(bingx, settings))


@pytest.mark.parametrize("break_owner_key", BREAKAGES)
def test_connecting_a_key_by_api_is_a_503_and_stores_nothing(bingx, user, settings, caplog, break_owner_key):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    break_owner_key(bingx, settings)
    api = APIClient()
    api.force_authenticate(user)
    response = api.post("/api/credentials/", {"api_key": trader.api_key, "api_secret": trader.secret}, format="json")
    assert response.status_code == 503
    assert set(response.json()) == {"detail", "errors"} and STAFF_ALERTED in response.json()["detail"]
    assert not ExchangeCredential.objects.exists()
    values = _owner_and_user_secrets(bingx, settings, trader)
    _assert_staff_alerted(caplog, values)
    for value in values:
        assert value not in response.content.decode()


@pytest.mark.parametrize("break_owner_key", BREAKAGES)
def test_connecting_a_key_on_the_page_says_so_plainly(bingx, user, client, settings, caplog, break_owner_key):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    break_owner_key(bingx, settings)
    client.force_login(user)
    response = client.post("/access/connect/", {"api_key": trader.api_key, "api_secret": trader.secret})
    assert response.status_code == 200
    assert STAFF_ALERTED in html_lib.unescape(response.content.decode())
    assert not ExchangeCredential.objects.exists()
    _assert_staff_alerted(caplog, _owner_and_user_secrets(bingx, settings, trader))


@pytest.mark.parametrize("break_owner_key", BREAKAGES)
def test_scheduled_revalidation_records_it_and_is_retried(bingx, full_user, settings, caplog, break_owner_key):
    break_owner_key(bingx, settings)
    # Called directly, Celery re-raises what autoretry_for would retry in a worker.
    assert CheckUnavailable in revalidate_user.autoretry_for
    with pytest.raises(CheckUnavailable):
        revalidate_user(full_user.pk)
    _assert_unchanged_with_transient_record(full_user)
    assert AccessCheck.objects.filter(user=full_user).first().source == AccessCheck.Source.SCHEDULE
    _assert_staff_alerted(caplog, _owner_and_user_secrets(bingx, settings))


REFERRAL_PATH = "/openApi/agent/v1/account/inviteRelationCheck"
INTERNALS = ("http", "127.0.0.1", "openApi", "<", "code", "HTTP 5")


@pytest.mark.parametrize(
    ("fault", "options", "plain"),
    [
        ("http_500", {}, "BingX could not be reached; we'll try again."),
        ("timeout_after_accept", {"delay": 1.0}, "BingX could not be reached; we'll try again."),
        ("http_429", {"retry_after": 60}, "BingX asked FLAXU to slow down; we'll try again."),
    ],
)
def test_users_read_a_plain_last_error_and_staff_keep_the_detail(
    bingx, full_user, client, settings, fault, options, plain
):
    settings.FLAXU_EXCHANGE_TIMEOUT_MS = 300
    bingx.fake.inject(REFERRAL_PATH, fault, count=None, **options)
    api = APIClient()
    api.force_authenticate(full_user)
    assert api.post("/api/gatekeeper/recheck").status_code == 503

    status = api.get("/api/gatekeeper/status").json()
    assert status["last_error"] == plain
    assert status["history"][0]["reasons"] == [f"{plain} The last decision stands."]
    client.force_login(full_user)
    page = html_lib.unescape(client.get("/access/").content.decode())
    assert f"Your access did not change. {plain}</p>" in page
    for shown in (status["last_error"], *status["history"][0]["reasons"]):
        assert not any(internal in shown for internal in INTERNALS)
    assert "bingx" in AccessCheck.objects.filter(user=full_user).first().error  # the detail, for staff
