"""Balances per wallet, deposits, withdrawals and the agent's referral check on the fake BingX, through real ccxt."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import ccxt
import pytest

from tests.fakes.bingx import ccxt_client

DAY = 86_400_000


def test_deposits_with_statuses_and_time_window(fake_bingx):
    acct = fake_bingx.add_account(uid="1001")
    now = int(time.time() * 1000)
    fake_bingx.add_deposit("1001", 150, status=1, time=now - 2 * DAY, network="TRC20")
    fake_bingx.add_deposit("1001", 60, status=6, time=now - DAY)
    fake_bingx.add_deposit("1001", 40, status=0, time=now - 3_600_000)
    fake_bingx.add_deposit("1001", 500, status=7, time=datetime.now(UTC) - timedelta(hours=2))
    fake_bingx.add_deposit("1001", 999, status=1, time=now - 30 * DAY)
    fake_bingx.add_deposit("1001", "0.01", coin="BTC", status=1, time=now - DAY, network="BTC")
    ex = ccxt_client(fake_bingx, acct)

    deposits = ex.fetch_deposits("USDT", now - 5 * DAY, None, {"until": now})
    assert sorted((d["amount"], d["status"]) for d in deposits) == [
        (40.0, "pending"),
        (60.0, "pending"),
        (150.0, "ok"),
        (500.0, "7"),
    ]
    assert all(d["type"] == "deposit" and d["currency"] == "USDT" for d in deposits)
    [credited] = [d for d in deposits if d["status"] == "ok"]
    assert credited["timestamp"] == now - 2 * DAY and credited["txid"].startswith("0x")
    request = fake_bingx.requests_to("/openApi/api/v3/capital/deposit/hisrec")[-1]
    assert request["coin"] == "USDT" and request["startTime"] == str(now - 5 * DAY)
    assert request["endTime"] == str(now)
    assert len(ex.fetch_deposits()) == 6
    # the answer is a bare list, not BingX's usual envelope
    raw = ex.spotV3PrivateGetCapitalDepositHisrec({"status": 1})
    assert isinstance(raw, list) and {r["status"] for r in raw} == {1}


def test_withdrawals(fake_bingx):
    acct = fake_bingx.add_account(uid="1001")
    fake_bingx.add_withdrawal("1001", 25, status=6)
    fake_bingx.add_withdrawal("1001", 10, status=4)
    ex = ccxt_client(fake_bingx, acct)
    withdrawals = ex.fetch_withdrawals("USDT")
    assert sorted((w["amount"], w["status"], w["type"]) for w in withdrawals) == [
        (10.0, "pending", "withdrawal"),
        (25.0, "ok", "withdrawal"),
    ]


@pytest.fixture
def agent_client(fake_bingx):
    agent = fake_bingx.add_agent(uid="9000")
    fake_bingx.add_account(uid="1001", referrer_uid="9000", kyc=True)
    fake_bingx.add_deposit("1001", 250)
    fake_bingx.add_account(uid="1002", referrer_uid="5555")  # referred by someone else
    fake_bingx.add_account(uid="5555", referrer_uid="9000")
    fake_bingx.add_account(uid="1003", referrer_uid="9000", direct_invitation=False, kyc=False)
    fake_bingx.add_account(uid="1004")  # nobody's referral
    return ccxt_client(fake_bingx, agent)


def check(ex, uid):
    return ex.agentV1PrivateGetAccountInviteRelationCheck({"uid": uid})["data"]


def test_agent_referral_check(agent_client):
    referred = check(agent_client, "1001")
    assert referred["inviteResult"] is True and referred["directInvitation"] is True
    assert referred["deposit"] is True and referred["kycResult"] == "true"
    assert referred["inviterSid"] == 9000 and referred["uid"] == 1001
    # 1002 was invited by 5555, whom the agent invited: an indirect invitation
    indirect = check(agent_client, "1002")
    assert indirect["inviteResult"] is True and indirect["directInvitation"] is False
    assert indirect["deposit"] is False
    flagged_indirect = check(agent_client, "1003")
    assert flagged_indirect["inviteResult"] is True and flagged_indirect["directInvitation"] is False
    assert flagged_indirect["kycResult"] == "false"
    stranger = check(agent_client, "1004")
    assert stranger["inviteResult"] is False and "deposit" not in stranger
    assert check(agent_client, "424242")["inviteResult"] is False


def test_agent_endpoint_refuses_a_key_without_the_agent_role(fake_bingx, agent_client):
    user = ccxt_client(fake_bingx, fake_bingx.account("1001"))
    with pytest.raises(ccxt.PermissionDenied, match="100004"):
        check(user, "1002")


def test_ccxt_has_no_agent_section_by_default(fake_bingx):
    acct = fake_bingx.add_agent(uid="9000")
    ex = ccxt.bingx({"apiKey": acct.api_key, "secret": acct.secret})
    ex.urls["api"] = {k: fake_bingx.api_root for k in ex.urls["api"]}
    with pytest.raises(KeyError, match="agent"):
        ex.agentV1PrivateGetAccountInviteRelationCheck({"uid": "1001"})


def test_spot_and_funding_balances_are_read_by_fetch_balance_type(fake_bingx):
    acct = fake_bingx.add_account(uid="1001", balances={"USDT": 1000})
    fake_bingx.set_balance("1001", "BTC", "0.5", wallet="spot", locked="0.1")
    fake_bingx.set_balance("1001", "USDC", "75", wallet="fund")
    ex = ccxt_client(fake_bingx, acct)

    spot = ex.fetch_balance({"type": "spot"})
    funding = ex.fetch_balance({"type": "funding"})
    swap = ex.fetch_balance({"type": "swap"})

    assert (spot["BTC"]["free"], spot["BTC"]["used"], spot["BTC"]["total"]) == (0.5, 0.1, 0.6)
    assert funding["USDC"]["free"] == 75.0 and "BTC" not in funding
    assert swap["USDT"]["free"] == 1000.0
    assert fake_bingx.requests_to("/openApi/spot/v1/account/balance")
    assert fake_bingx.requests_to("/openApi/fund/v1/account/balance")
    with pytest.raises(ValueError):
        fake_bingx.set_balance("1001", "USDT", "1", wallet="swap", locked="1")
