"""Failed logins are limited per account and per IP separately, and the refusal says how long to wait."""

import re

from allauth.core.internal.ratelimit import parse_rates
from django.conf import settings
from django.test import Client

from tests.factories import UserFactory


def _limit(per: str) -> int:
    """The configured number of failures allowed per `per` ("key" = account, "ip") in the window."""
    rates = parse_rates(settings.ACCOUNT_RATE_LIMITS["login_failed"])
    return next(rate.amount for rate in rates if rate.per == per)


def _wait_minutes(page: str) -> int:
    match = re.search(r"try again in (\d+) minutes?", page)
    assert match, page
    return int(match.group(1))


def test_failures_on_an_unknown_address_do_not_lock_a_real_account_from_the_same_ip(client, user, password):
    for _ in range(_limit("key")):
        client.post("/accounts/login/", {"login": "nobody@example.com", "password": "guess-123456"})

    response = client.post("/accounts/login/", {"login": user.email, "password": password})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"


def test_a_locked_account_is_told_how_long_to_wait(client, user, password):
    for _ in range(_limit("key")):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong-password"})

    page = client.post("/accounts/login/", {"login": user.email, "password": password}).content.decode()
    assert "Too many failed login attempts for this account" in page
    assert 14 <= _wait_minutes(page) <= 15
    assert client.get("/dashboard/").status_code == 302
    # Another account from the same address still logs in.
    other = UserFactory()
    assert client.post("/accounts/login/", {"login": other.email, "password": password}).status_code == 302


def test_the_per_ip_limit_stops_spraying_across_many_addresses_and_says_how_long(client, user, password):
    assert _limit("ip") > _limit("key")
    for n in range(_limit("ip")):
        client.post("/accounts/login/", {"login": f"sprayed{n}@example.com", "password": "guess-123456"})

    page = client.post("/accounts/login/", {"login": user.email, "password": password}).content.decode()
    assert "Too many failed login attempts from your network" in page
    assert 1 <= _wait_minutes(page) <= 15
    assert client.get("/dashboard/").status_code == 302


def test_tries_refused_by_the_ip_limit_do_not_spend_the_accounts_budget(client, user, password):
    for n in range(_limit("ip")):
        client.post("/accounts/login/", {"login": f"sprayed{n}@example.com", "password": "guess-123456"})
    for _ in range(_limit("key") + 2):  # refused at the IP: the password is never checked
        client.post("/accounts/login/", {"login": user.email, "password": "wrong-password"})

    elsewhere = Client(REMOTE_ADDR="198.51.100.9")
    assert elsewhere.post("/accounts/login/", {"login": user.email, "password": password})["Location"] == "/dashboard/"
