"""Connecting a key and re-checking it, against the fake BingX through the real gateway and ccxt."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import ActivityLog, ExchangeCredential, Notification
from gatekeeper import rules
from gatekeeper.models import AccessCheck
from gatekeeper.selectors import effective_level
from gatekeeper.services.access import CheckUnavailable, KeyRefused, access_recheck, key_connect, key_remove
from tests.gatekeeper.conftest import ago

pytestmark = pytest.mark.django_db


def connect(user, account, **kw):
    return key_connect(user=user, api_key=account.api_key, api_secret=account.secret, **kw)


def test_referred_trader_with_enough_deposits_gets_full_access_and_is_told(
    bingx, user, django_capture_on_commit_callbacks
):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(days=1))])
    with django_capture_on_commit_callbacks(execute=True):
        check = connect(user, trader)
    assert check.outcome == rules.FULL and check.source == "connect" and check.previous_level == rules.LIMITED
    assert check.inputs["referral"] == {"invited": True, "direct": True, "kyc": True}
    assert check.inputs["deposits"][0]["usd_value"] == "250.00"
    assert effective_level(user) == rules.FULL
    assert ExchangeCredential.objects.filter(user=user, exchange="bingx").count() == 1
    assert Notification.objects.get(user=user).title.startswith("FULL access is open")
    assert mail.outbox and "FULL access" in mail.outbox[-1].subject
    assert ActivityLog.objects.filter(user=user, action="access_changed").exists()


@pytest.mark.parametrize(
    ("amount", "level"), [("199.99", rules.LIMITED), ("200.00", rules.FULL)], ids=["one-cent-short", "exactly"]
)
def test_threshold(bingx, user, amount, level):
    trader = bingx.trader(deposits=[(amount, "USDT", 1, ago(hours=3))])
    assert connect(user, trader).outcome == level


def test_shortfall_is_explained_in_plain_words(bingx, user):
    trader = bingx.trader(deposits=[(120, "USDT", 1, ago(days=1))])
    check = connect(user, trader)
    assert check.outcome == rules.LIMITED
    assert (
        "You deposited $120.00 of $200.00 since" in check.reasons[0]
        and "deposit $80.00 more before" in check.reasons[0]
    )


def test_deposit_just_inside_and_just_outside_the_window(bingx, user):
    trader = bingx.trader(deposits=[(300, "USDT", 1, ago(days=4, hours=23))])
    assert connect(user, trader).outcome == rules.FULL
    # Two hours later the same deposit is older than 5 days: a rolling re-check downgrades.
    later = timezone.now() + timedelta(hours=2)
    check = access_recheck(user=user, source="schedule", now=later)
    assert check.outcome == rules.LIMITED and check.previous_level == rules.FULL
    assert "You deposited $0.00 of $200.00" in check.reasons[0]


def test_pending_and_failed_deposits_are_ignored(bingx, user):
    trader = bingx.trader(
        deposits=[(500, "USDT", 0, ago(hours=1)), (500, "USDT", 6, ago(hours=1)), (500, "USDT", 7, ago(hours=1))]
    )
    check = connect(user, trader)
    assert check.outcome == rules.LIMITED and check.inputs["deposits"] == []


def test_a_non_stable_coin_is_valued_at_its_price(bingx, user):
    bingx.fake.set_mark_price("ETH-USDT", Decimal("2500"))
    trader = bingx.trader(deposits=[(Decimal("0.1"), "ETH", 1, ago(hours=2))])
    check = connect(user, trader)
    deposit = check.inputs["deposits"][0]
    assert deposit["currency"] == "ETH" and deposit["price_source"] in ("at_deposit", "current")
    assert Decimal(deposit["usd_value"]) > 0
    assert check.outcome == (rules.FULL if Decimal(deposit["usd_value"]) >= 200 else rules.LIMITED)


def test_not_referred_and_indirect_referrals_stay_limited(bingx, user):
    stranger = bingx.trader(uid="3001", referred=False, deposits=[(1000, "USDT", 1, ago(hours=1))])
    check = connect(user, stranger)
    assert (check.outcome, check.code) == (rules.LIMITED, "not_referred")

    other = type(user).objects.create_user("other@example.com", "pass-long-enough-1")
    indirect = bingx.trader(uid="3002", direct=False, deposits=[(1000, "USDT", 1, ago(hours=1))])
    assert connect(other, indirect).code == "indirect_referral"


def test_withdraw_enabled_key_is_refused_and_not_stored(bingx, user):
    trader = bingx.trader(permissions={"enableWithdrawals": True})
    with pytest.raises(KeyRefused) as refused:
        connect(user, trader)
    assert "withdraw" in str(refused.value).lower()
    assert not ExchangeCredential.objects.exists() and not AccessCheck.objects.exists()


def test_invalid_key_is_refused_and_not_stored(bingx, user):
    trader = bingx.trader()
    with pytest.raises(KeyRefused):
        key_connect(user=user, api_key=trader.api_key, api_secret="x" * 64)
    assert not ExchangeCredential.objects.exists()


def test_bingx_down_while_connecting_stores_nothing(bingx, user):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    bingx.fake.inject("/openApi/api/v3/capital/deposit/hisrec", "http_500", count=5)
    with pytest.raises(CheckUnavailable) as unavailable:
        connect(user, trader)
    assert "nothing was stored" in str(unavailable.value)
    assert not ExchangeCredential.objects.exists() and not AccessCheck.objects.exists()


def test_bingx_down_at_recheck_never_flips_access(bingx, user):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    connect(user, trader)
    bingx.fake.inject("/openApi/agent/v1/account/inviteRelationCheck", "http_500", count=5)
    with pytest.raises(CheckUnavailable):
        access_recheck(user=user, source="schedule")
    assert effective_level(user) == rules.FULL
    transient = AccessCheck.objects.filter(user=user).first()
    assert transient.transient and transient.outcome == rules.FULL and transient.error
    user.access.refresh_from_db()
    assert user.access.last_error


def test_revoked_key_downgrades_with_reconnect_advice(bingx, user):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    connect(user, trader)
    bingx.fake.set_permissions(trader.uid, enableWithdrawals=True)  # the user changed the key's rights on BingX
    check = access_recheck(user=user)
    assert check.outcome == rules.LIMITED and check.code == "key_invalid" and "Reconnect" in check.reasons[0]


def test_qualify_once_keeps_full_after_the_window(bingx, user, settings):
    settings.FLAXU_ACCESS_POLICY = rules.QUALIFY_ONCE
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(days=4))])
    connect(user, trader)
    check = access_recheck(user=user, now=timezone.now() + timedelta(days=3))
    assert check.outcome == rules.FULL and check.code == "qualified_before"


def test_reconnecting_replaces_the_key_and_removing_it_limits_access(bingx, user, django_capture_on_commit_callbacks):
    first = bingx.trader(uid="2001", deposits=[(250, "USDT", 1, ago(hours=1))])
    second = bingx.trader(uid="2002", deposits=[(250, "USDT", 1, ago(hours=1))])
    with django_capture_on_commit_callbacks(execute=True):
        connect(user, first)
        connect(user, second)
    assert ExchangeCredential.objects.filter(user=user).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        key_remove(user=user)
    assert effective_level(user) == rules.LIMITED and not ExchangeCredential.objects.exists()
    assert list(AccessCheck.objects.values_list("source", flat=True)) == ["key_removed", "connect", "connect"]


def test_misconfigured_agent_keys_never_crash_or_flip_access(bingx, user, settings, caplog):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    connect(user, trader)
    settings.FLAXU_REFERRER_UID = "123456"  # not the agent key's owner
    from market.exchanges import reset_process_state

    reset_process_state()
    with pytest.raises(CheckUnavailable):
        access_recheck(user=user)
    assert effective_level(user) == rules.FULL
    assert "FLAXU_REFERRER" in caplog.text
