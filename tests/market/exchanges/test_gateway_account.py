"""Balance, deposits, withdrawals and the owner's referral check, read from the fake BingX."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from market import exchanges
from market.exchanges import ApiCredentials


def _ago(**delta) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)


def test_balance_and_equity_of_the_usdt_futures_account(creds):
    balance = exchanges.balances(creds)

    assert balance.currency == "USDT"
    assert balance.balance == Decimal("1000")
    assert balance.equity == Decimal("1000")
    assert balance.available == Decimal("1000")
    assert exchanges.equity(creds) == Decimal("1000")


def _coins(accounts) -> dict:
    return {(c.account, c.coin): (c.free, c.used, c.total) for a in accounts for c in a.coins}


def test_coin_balances_read_every_non_zero_coin_of_swap_spot_and_funding(gateway, creds):
    gateway.set_balance("1001", "BTC", "0.25", wallet="spot", locked="0.05")
    gateway.set_balance("1001", "USDT", "40.5", wallet="spot")
    gateway.set_balance("1001", "ETH", "0", wallet="spot")  # zero: left out
    gateway.set_balance("1001", "USDC", "75", wallet="fund")

    accounts = exchanges.coin_balances(creds)

    assert [(a.account, a.available) for a in accounts] == [("swap", True), ("spot", True), ("funding", True)]
    assert _coins(accounts) == {
        ("swap", "USDT"): (Decimal("1000"), Decimal("0"), Decimal("1000")),
        ("spot", "BTC"): (Decimal("0.25"), Decimal("0.05"), Decimal("0.30")),
        ("spot", "USDT"): (Decimal("40.5"), Decimal("0"), Decimal("40.5")),
        ("funding", "USDC"): (Decimal("75"), Decimal("0"), Decimal("75")),
    }
    assert accounts[0].futures == exchanges.balances(creds)  # the wallet, from the same swap answer


def test_an_account_bingx_refuses_is_unavailable_and_the_others_still_read(gateway, creds):
    gateway.set_balance("1001", "USDC", "75", wallet="fund")
    gateway.inject("/openApi/spot/v1/account/balance", "permission_denied", count=None)

    swap, spot, funding = exchanges.coin_balances(creds)

    assert spot.available is False and spot.refused is True and spot.coins == ()
    assert "Permission denied" in spot.reason and creds.api_key.reveal() not in spot.reason
    assert swap.available and [c.coin for c in swap.coins] == ["USDT"]
    assert funding.available and [c.coin for c in funding.coins] == ["USDC"]


def test_an_account_bingx_cannot_answer_for_is_unavailable_not_empty(gateway, creds, settings):
    settings.FLAXU_EXCHANGE_RETRIES = 0
    gateway.inject("/openApi/fund/v1/account/balance", "bad_json", count=None)

    swap, spot, funding = exchanges.coin_balances(creds)

    assert funding.available is False and funding.refused is False and funding.reason
    assert swap.available and spot.available


def test_deposits_since_lists_credited_deposits_in_the_window_only(gateway, creds):
    gateway.add_deposit("1001", "250", time=_ago(days=1))
    gateway.add_deposit("1001", "0.01", coin="BTC", time=_ago(days=2))
    gateway.add_deposit("1001", "500", status=0, time=_ago(hours=1))  # pending
    gateway.add_deposit("1001", "300", status=6, time=_ago(hours=2))  # on chain, not credited
    gateway.add_deposit("1001", "400", status=7, time=_ago(hours=3))  # failed
    gateway.add_deposit("1001", "999", time=_ago(days=9))  # before the window

    deposits = exchanges.deposits_since(creds, _ago(days=5))

    assert [(d.currency, d.amount) for d in deposits] == [("BTC", Decimal("0.01")), ("USDT", Decimal("250"))]
    usdt = deposits[1]
    assert usdt.usd_value == Decimal("250")
    assert deposits[0].usd_value is None  # not a stablecoin: no price guessed
    assert usdt.tx_id and usdt.network == "TRC20"
    assert usdt.credited_at.tzinfo is not None


def test_deposits_since_honours_until(gateway, creds):
    gateway.add_deposit("1001", "100", time=_ago(days=3))
    gateway.add_deposit("1001", "200", time=_ago(hours=1))

    deposits = exchanges.deposits_since(creds, _ago(days=5), until=_ago(days=1))

    assert [d.amount for d in deposits] == [Decimal("100")]


def test_deposits_since_needs_aware_datetimes(creds):
    with pytest.raises(exchanges.InvalidRequest):
        exchanges.deposits_since(creds, datetime.now())


def test_withdrawals_are_read(gateway, creds):
    gateway.add_withdrawal("1001", "40", time=_ago(days=1))

    withdrawals = exchanges.withdrawals(creds, _ago(days=5))

    assert len(withdrawals) == 1
    assert withdrawals[0].amount == Decimal("40")
    assert withdrawals[0].currency == "USDT"
    assert withdrawals[0].status == "ok"


@pytest.fixture
def owner(gateway, settings):
    agent = gateway.add_agent(uid="9000")
    settings.FLAXU_REFERRER_AGENT_API_KEY = agent.api_key
    settings.FLAXU_REFERRER_AGENT_SECRET = agent.secret
    settings.FLAXU_REFERRER_UID = "9000"
    return agent


def test_referral_check_confirms_a_user_the_owner_invited(gateway, owner):
    gateway.add_account(uid="2001", referrer_uid="9000", kyc=True)
    gateway.add_deposit("2001", "300")

    check = exchanges.referral_check("2001")

    assert check.uid == "2001"
    assert check.invited and check.direct and check.kyc and check.deposited_ever
    assert check.raw["inviteResult"] is True


def test_referral_check_reports_a_stranger_as_not_invited(gateway, owner):
    gateway.add_account(uid="2002")

    check = exchanges.referral_check("2002")

    assert not check.invited and not check.direct


def test_referral_check_uses_the_owners_agent_key_not_the_users(gateway, owner):
    gateway.add_account(uid="2003", referrer_uid="9000")

    exchanges.referral_check("2003")

    [request] = gateway.requests_to("/openApi/agent/v1/account/inviteRelationCheck")
    assert request["uid"] == "2003"


def test_referral_check_refuses_an_agent_key_of_another_account(gateway, owner, settings):
    settings.FLAXU_REFERRER_UID = "9999"

    with pytest.raises(exchanges.InvalidRequest, match="belongs to BingX uid 9000"):
        exchanges.referral_check("2001")
    assert gateway.requests_to("/openApi/agent/v1/account/inviteRelationCheck") == []


def test_referral_check_without_agent_keys_is_a_configuration_error(gateway, settings):
    settings.FLAXU_REFERRER_AGENT_API_KEY = ""

    with pytest.raises(exchanges.InvalidRequest, match="FLAXU_REFERRER_AGENT_API_KEY"):
        exchanges.referral_check("2001")
    assert gateway.requests == []


def test_referral_check_with_a_key_lacking_the_agent_role_is_a_misconfiguration(gateway, settings):
    plain = gateway.add_account(uid="9001")
    settings.FLAXU_REFERRER_AGENT_API_KEY = plain.api_key
    settings.FLAXU_REFERRER_AGENT_SECRET = plain.secret

    with pytest.raises(exchanges.Misconfigured, match="agent role"):
        exchanges.referral_check("2001")


def test_referral_check_with_a_rotated_agent_secret_is_a_misconfiguration(owner, settings):
    settings.FLAXU_REFERRER_AGENT_SECRET = "rotated" + settings.FLAXU_REFERRER_AGENT_SECRET[7:]

    with pytest.raises(exchanges.Misconfigured, match="FLAXU_REFERRER_AGENT_SECRET") as refused:
        exchanges.referral_check("2001")
    assert settings.FLAXU_REFERRER_AGENT_SECRET[7:] not in str(refused.value)


def test_referral_check_rejects_a_uid_that_is_not_a_number(owner):
    with pytest.raises(exchanges.InvalidRequest):
        exchanges.referral_check("12; drop")


def test_demo_credentials_use_their_own_breaker_and_health_name(gateway, account):
    demo = ApiCredentials(api_key=account.api_key, secret=account.secret, sandbox=True)

    assert exchanges.balances(demo).equity == Decimal("1000")  # FLAXU_BINGX_URL still wins
    assert exchanges.operation_health("bingx-demo", "balance") is not None
