"""The access pages (status, Connect BingX, check again, remove key), the dashboard and the locked page,
against the fake BingX through the real gateway and ccxt."""

from __future__ import annotations

import html as html_lib
import logging
import re
import secrets
import string
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.http import HttpResponse
from django.urls import include, path
from django.utils import timezone

from accounts.models import ExchangeCredential
from gatekeeper import rules
from gatekeeper.models import Access, AccessCheck
from gatekeeper.permissions import full_access_required
from gatekeeper.services.overrides import access_override
from tests.gatekeeper.conftest import ago

pytestmark = pytest.mark.django_db

STATUS, CONNECT, RECHECK, REMOVE = "/access/", "/access/connect/", "/access/recheck/", "/access/key/remove/"
UID_PATH = "/openApi/account/v1/uid"
REFERRAL_PATH = "/openApi/agent/v1/account/inviteRelationCheck"


@full_access_required
def full_only_page(request):
    return HttpResponse("the FULL-only page")


# This module is also the URLconf of the tests marked @pytest.mark.urls(__name__): the site plus one FULL-only page.
urlpatterns = [path("test/full-only/", full_only_page), path("", include("flaxu.urls"))]


def alnum(n: int = 64) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def submit_key(client, account, follow=True):
    return client.post(CONNECT, {"api_key": account.api_key, "api_secret": account.secret}, follow=follow)


def text(response) -> str:
    """The page with entities decoded, so sentences read as the user sees them."""
    return html_lib.unescape(response.content.decode())


def assert_never_shown(response, *values: str) -> None:
    body = response.content.decode() + text(response) + "".join(str(v) for v in response.headers.values())
    for value in values:
        assert value not in body


# --- Connect BingX -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, db):
    for url in (STATUS, CONNECT):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post(RECHECK)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_connect_page_teaches_how_to_create_a_safe_key_and_never_prefills(signed_in):
    html = text(signed_in.get(CONNECT))
    for step in ("API Management", "Create API", "Read", "Perpetual Futures", "Never enable Withdraw or Transfer"):
        assert step in html
    assert "IP allow-list" in html and "expire" in html
    assert "Secret Key" in html and "shown only once" in html
    assert 'type="password" name="api_secret"' in html and 'for="id_api_key"' in html
    assert 'autocomplete="off"' in html


def test_a_referred_trader_with_a_250_deposit_gets_full_access_and_the_tour(bingx, signed_in, user):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(days=1))])
    response = submit_key(signed_in, trader)
    assert response.redirect_chain == [(STATUS, 302)]
    html = text(response)
    assert "Your BingX key is connected. You have FULL access." in html
    assert 'data-level="FULL"' in html
    assert "What FULL access opens" in html
    for feature in ("Signals", "Sniper", "Trading", "Backtests", "Portfolio"):
        assert feature in html
    assert "Direct referral confirmed and $250.00 deposited since" in html
    credential = ExchangeCredential.objects.get(user=user)
    assert credential.api_key_masked in html
    assert_never_shown(response, trader.api_key, trader.secret)


def test_a_trader_not_referred_is_shown_the_referral_link_and_the_move_guide(bingx, signed_in, settings):
    settings.FLAXU_REFERRAL_LINK = "https://bingx.com/invite/FLAXU42"
    stranger = bingx.trader(referred=False, deposits=[(1000, "USDT", 1, ago(hours=1))])
    html = text(submit_key(signed_in, stranger))
    assert "Your access is LIMITED: Your BingX account was not referred by FLAXU's partner account." in html
    assert 'data-level="LIMITED"' in html
    assert 'href="https://bingx.com/invite/FLAXU42"' in html
    for step in (
        "Open a new BingX account through FLAXU's link",
        "(KYC)",
        "Move your funds",
        "Connect the new account's key",
    ):
        assert step in html


def test_an_indirect_referral_is_explained(bingx, signed_in, settings):
    settings.FLAXU_REFERRAL_LINK = "https://bingx.com/invite/FLAXU42"
    indirect = bingx.trader(direct=False, deposits=[(1000, "USDT", 1, ago(hours=1))])
    html = text(submit_key(signed_in, indirect))
    assert "referred through another person's link" in html
    assert "referred through someone else's link" in html and "FULL access needs a direct referral" in html
    assert 'href="https://bingx.com/invite/FLAXU42"' in html


def test_199_99_is_limited_with_the_exact_shortfall_sentence(bingx, signed_in, user):
    trader = bingx.trader(deposits=[("199.99", "USDT", 1, ago(hours=3))])
    html = text(submit_key(signed_in, trader))
    check = AccessCheck.objects.get(user=user)
    start = datetime.fromisoformat(check.inputs["window"]["start"])
    credited = datetime.fromisoformat(check.inputs["deposits"][0]["credited_at"])
    sentence = (
        f"You deposited $199.99 of $200.00 since {rules.when(start)}; "
        f"deposit $0.01 more before {rules.when(credited + timedelta(days=5))}."
    )
    assert check.reasons == [sentence]
    assert f"Your access is LIMITED: {sentence}" in html  # the message
    assert f"<strong>{sentence}</strong>" in html  # the next step
    assert "Next: deposit on BingX" in html and "Assets → Deposit" in html


def test_a_withdraw_enabled_key_is_refused_with_the_reason_and_not_stored(bingx, signed_in, user):
    trader = bingx.trader(permissions={"enableWithdrawals": True})
    response = submit_key(signed_in, trader)
    assert response.status_code == 200 and response.redirect_chain == []
    html = text(response)
    assert 'class="message error" role="alert"' in html
    assert "This API key allows withdrawals. FLAXU never moves funds" in html
    assert not ExchangeCredential.objects.exists() and not AccessCheck.objects.exists()
    assert_never_shown(response, trader.api_key, trader.secret)


def test_an_invalid_key_gets_a_clear_error_and_nothing_is_stored(bingx, signed_in):
    trader = bingx.trader()
    response = signed_in.post(CONNECT, {"api_key": trader.api_key, "api_secret": alnum()})
    assert response.status_code == 200
    assert "BingX does not accept this API key and secret: check both and try again." in text(response)
    assert not ExchangeCredential.objects.exists()
    assert_never_shown(response, trader.api_key)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"api_key": "", "api_secret": ""}, "api_key", "Paste your BingX API key."),
        ({"api_key": "abc123", "api_secret": alnum()}, "api_key", "This is too short for a BingX API key"),
        ({"api_key": alnum(200), "api_secret": alnum()}, "api_key", "This is too long for a BingX API key"),
        ({"api_key": alnum(30) + " " + alnum(30), "api_secret": alnum()}, "api_key", "has only letters and digits"),
        ({"api_key": alnum(), "api_secret": alnum(32) + "\n" + alnum(31)}, "api_secret", "has only letters and digits"),
    ],
    ids=["empty", "short", "long", "space-inside", "line-break-inside"],
)
def test_malformed_input_gets_field_errors_without_asking_bingx(bingx, signed_in, data, field, message):
    response = signed_in.post(CONNECT, data)
    assert response.status_code == 200
    html = text(response)
    assert message in html
    assert f'id="id_{field}_error"' in html  # the error is tied to its field
    assert bingx.fake.requests_to(UID_PATH) == []
    assert not ExchangeCredential.objects.exists()
    assert_never_shown(response, *(v.strip() for v in data.values() if v.strip()))


def test_whitespace_around_pasted_values_is_stripped(bingx, signed_in, user):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    response = signed_in.post(CONNECT, {"api_key": f"  {trader.api_key}\n", "api_secret": f"\t{trader.secret} "})
    assert response.status_code == 302
    assert Access.objects.get(user=user).level == rules.FULL


def test_the_key_pasted_twice_is_caught(bingx, signed_in):
    value = alnum()
    html = text(signed_in.post(CONNECT, {"api_key": value, "api_secret": value}))
    assert "This is the API key again: paste the Secret Key here." in html


@pytest.mark.parametrize(
    ("path", "fault"), [(UID_PATH, "http_500"), (REFERRAL_PATH, "reset")], ids=["uid-500", "referral-reset"]
)
def test_bingx_down_while_connecting_gives_a_clear_error_and_stores_nothing(bingx, signed_in, path, fault):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    bingx.fake.inject(path, fault, count=None)
    response = submit_key(signed_in, trader)
    assert response.status_code == 200
    assert "BingX is not answering right now, so nothing was stored. Please try again in a minute." in text(response)
    assert not ExchangeCredential.objects.exists() and not AccessCheck.objects.exists()
    assert_never_shown(response, trader.api_key, trader.secret)


def test_connecting_again_says_it_replaces_the_current_key(bingx, signed_in, user):
    submit_key(signed_in, bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))]))
    mask = ExchangeCredential.objects.get(user=user).api_key_masked
    assert f'You already have a BingX key connected (<span class="mono">{mask}</span>)' in text(signed_in.get(CONNECT))


def test_while_staff_set_the_level_the_result_message_shows_their_setting(bingx, signed_in, user):
    access_override(user=user, level=rules.LIMITED, reason="Under review", expires_at=None, actor=None)
    html = text(submit_key(signed_in, bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])))
    assert "Your BingX key is connected. FLAXU staff set your access to LIMITED: Under review" in html
    assert 'data-level="LIMITED"' in html and "with no end date" in html


# --- Status page ---------------------------------------------------------------------------------


def test_a_new_user_is_limited_and_told_to_connect(signed_in):
    html = text(signed_in.get(STATUS))
    assert 'data-level="LIMITED"' in html and "Next: connect BingX" in html
    assert 'href="/access/connect/"' in html and "No checks yet." in html


def test_check_again_is_throttled_per_user_with_the_seconds_left(bingx, signed_in, settings):
    settings.FLAXU_RECHECK_THROTTLE_SECONDS = 60
    submit_key(signed_in, bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))]))
    first = text(signed_in.post(RECHECK, follow=True))
    assert "Checked with BingX just now. You have FULL access." in first
    second = text(signed_in.post(RECHECK, follow=True))
    match = re.search(r"You can check once every 60 seconds\. Please try again in (\d+) seconds?\.", second)
    assert match and 1 <= int(match.group(1)) <= 60
    assert AccessCheck.objects.filter(source="recheck").count() == 1


def test_after_a_transient_failure_the_page_says_it_could_not_check(bingx, signed_in, user):
    submit_key(signed_in, bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))]))
    decided = Access.objects.get(user=user).decided_at
    bingx.fake.inject(REFERRAL_PATH, "http_500", count=None)
    html = text(signed_in.post(RECHECK, follow=True))
    assert "BingX could not be reached; your access is unchanged." in html
    attempt = Access.objects.get(user=user).last_attempt_at
    assert (
        f'Could not check BingX at <time datetime="{attempt.isoformat()}">{attempt:%Y-%m-%d %H:%M} UTC</time>;'
    ) in html
    assert f'last decided <time datetime="{decided.isoformat()}">{decided:%Y-%m-%d %H:%M} UTC</time>.' in html
    assert 'data-level="FULL"' in html
    assert '<tr class="transient">' in html and "Not checked: BingX unreachable; stayed FULL" in html


def test_history_lists_each_check_with_source_outcome_and_reasons(
    bingx, signed_in, user, django_capture_on_commit_callbacks
):
    submit_key(signed_in, bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))]))
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(REMOVE)
    html = text(signed_in.get(STATUS))
    history = html[html.index('id="access-history"') :]
    assert "Key connected" in history and "LIMITED → FULL" in history
    assert "Key removed" in history and "FULL → LIMITED" in history
    assert "Direct referral confirmed" in history


def test_an_active_override_is_shown_with_its_reason_and_expiry(signed_in, user):
    expires = timezone.now() + timedelta(days=2)
    access_override(user=user, level=rules.FULL, reason="Beta tester", expires_at=expires, actor=None)
    html = text(signed_in.get(STATUS))
    assert 'data-level="FULL"' in html
    assert f'Set by FLAXU staff: FULL</strong> until <time datetime="{expires.isoformat()}">' in html
    assert "Reason: Beta tester" in html


def test_a_key_that_stopped_working_asks_to_reconnect(bingx, signed_in, user):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    submit_key(signed_in, trader)
    bingx.fake.set_permissions(trader.uid, enableWithdrawals=True)
    html = text(signed_in.post(RECHECK, follow=True))
    assert "Next: reconnect your key" in html and 'href="/access/connect/"' in html


def test_removing_the_key_asks_first_then_limits_access(bingx, signed_in, user, django_capture_on_commit_callbacks):
    submit_key(signed_in, bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))]))
    mask = ExchangeCredential.objects.get(user=user).api_key_masked
    confirm = text(signed_in.get(REMOVE))
    assert "Remove your BingX key?" in confirm and mask in confirm
    assert ExchangeCredential.objects.filter(user=user).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(REMOVE)
    html = text(signed_in.get(response["Location"]))
    assert f"Your BingX key {mask} was removed from FLAXU." in html
    assert not ExchangeCredential.objects.filter(user=user).exists()
    assert 'data-level="LIMITED"' in html and "Next: connect BingX" in html
    assert AccessCheck.objects.filter(user=user, source=AccessCheck.Source.KEY_REMOVED).count() == 1


# --- Dashboard, nav, locked page -----------------------------------------------------------------


def test_the_dashboard_leads_a_user_without_a_key_to_connect_bingx(signed_in):
    html = text(signed_in.get("/dashboard/"))
    assert 'id="connect-bingx"' in html and 'href="/access/connect/"' in html
    assert '<a href="/access/">Access</a>' in html  # the main nav


def test_the_dashboard_shows_the_badge_and_why_full_cards_are_locked(bingx, signed_in):
    submit_key(signed_in, bingx.trader(deposits=[(120, "USDT", 1, ago(hours=1))]))
    html = text(signed_in.get("/dashboard/"))
    assert 'id="connect-bingx"' not in html and 'data-level="LIMITED"' in html
    assert html.count("<strong>Needs FULL access.</strong> You deposited $120.00 of $200.00 since") == 3


def test_the_dashboard_of_a_full_user_has_no_locked_cards(bingx, signed_in):
    submit_key(signed_in, bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))]))
    html = text(signed_in.get("/dashboard/"))
    assert 'data-level="FULL"' in html and "Needs FULL access" not in html


@pytest.mark.urls(__name__)
def test_a_full_only_page_shows_a_limited_user_the_reason_and_the_way_out(bingx, signed_in):
    submit_key(signed_in, bingx.trader(deposits=[(120, "USDT", 1, ago(hours=1))]))
    response = signed_in.get("/test/full-only/")
    assert response.status_code == 403
    html = text(response)
    assert "This needs FULL access. You deposited $120.00 of $200.00 since" in html
    assert 'href="/access/"' in html and "the FULL-only page" not in html


@pytest.mark.urls(__name__)
def test_a_full_only_page_opens_for_full_users(bingx, signed_in):
    submit_key(signed_in, bingx.trader(deposits=[(Decimal("250"), "USDT", 1, ago(hours=1))]))
    response = signed_in.get("/test/full-only/")
    assert response.status_code == 200 and text(response) == "the FULL-only page"


def test_the_keys_page_links_to_connect_bingx(signed_in):
    assert 'href="/access/connect/"' in text(signed_in.get("/account/keys/"))


def test_the_secret_never_appears_in_any_page(bingx, signed_in, caplog):
    caplog.set_level(logging.DEBUG)
    refused = bingx.trader(uid="2001", permissions={"enableWithdrawals": True})
    good = bingx.trader(uid="2002", deposits=[(250, "USDT", 1, ago(hours=1))])
    responses = [
        submit_key(signed_in, refused),
        signed_in.post(CONNECT, {"api_key": good.api_key, "api_secret": good.secret + " x"}),
        submit_key(signed_in, good),
        signed_in.get(STATUS),
        signed_in.get(CONNECT),
        signed_in.get("/dashboard/"),
        signed_in.get("/account/keys/"),
        signed_in.post(RECHECK, follow=True),
        signed_in.get(REMOVE),
    ]
    for response in responses:
        assert response.status_code == 200
        assert_never_shown(response, refused.secret, good.secret, refused.api_key, good.api_key)
    for secret in (refused.secret, good.secret):
        assert secret not in caplog.text  # nor in any log record
