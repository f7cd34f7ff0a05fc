"""The fake BingX checks signatures, keys, timestamps and permissions as BingX does, through real ccxt."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.request

import ccxt
import pytest

from tests.fakes.bingx import ccxt_client


def raw_get(fake, path, params, api_key, secret, sign_payload=None):
    """A signed GET built by hand (no ccxt), returning BingX's decoded answer."""
    query = "&".join(f"{k}={v}" for k, v in params.items())
    signature = hmac.new(secret.encode(), (sign_payload or query).encode(), hashlib.sha256).hexdigest()
    req = urllib.request.Request(f"{fake.url}{path}?{query}&signature={signature}", headers={"X-BX-APIKEY": api_key})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


def test_good_key_loads_markets_and_balance(fake_bingx):
    acct = fake_bingx.add_account(uid="1001", balances={"USDT": "1000"})
    ex = ccxt_client(fake_bingx, acct)
    ex.load_markets()
    assert "BTC/USDT:USDT" in ex.markets
    btc = ex.market("BTC/USDT:USDT")
    assert btc["precision"] == {"amount": 0.0001, "price": 0.1}
    assert btc["limits"]["amount"]["min"] == 0.0001
    assert btc["taker"] == 0.0005
    balance = ex.fetch_balance()
    assert balance["USDT"]["free"] == 1000.0
    assert balance["USDT"]["total"] == 1000.0
    paths = [p for _, p, _ in fake_bingx.requests]
    assert "/openApi/wallets/v1/capital/config/getall" in paths
    assert "/openApi/swap/v3/user/balance" in paths


def test_wrong_secret_fails_at_load_markets(fake_bingx):
    acct = fake_bingx.add_account(uid="1001")
    ex = ccxt_client(fake_bingx, acct)
    ex.secret = "x" * 64
    with pytest.raises(ccxt.AuthenticationError, match="100001"):
        ex.load_markets()


def test_unknown_key_is_refused(fake_bingx):
    fake_bingx.add_account(uid="1001")
    ex = ccxt_client(fake_bingx)
    ex.apiKey, ex.secret = "k" * 64, "s" * 64
    with pytest.raises(ccxt.AuthenticationError, match="100413"):
        ex.load_markets()


def test_stale_timestamp_answers_100421(fake_bingx):
    acct = fake_bingx.add_account(uid="1001")
    stale = int(time.time() * 1000) - 6000
    answer = raw_get(fake_bingx, "/openApi/account/v1/uid", {"timestamp": stale}, acct.api_key, acct.secret)
    assert answer["code"] == 100421
    # ccxt maps 100421 to BadSymbol (a quirk of its table): a skewed clock looks like a symbol problem
    ex = ccxt_client(fake_bingx, acct)
    fake_bingx.set_clock_skew(10_000)
    with pytest.raises(ccxt.BadSymbol, match="100421"):
        ex.accountV1PrivateGetUid()


def test_recv_window_widens_the_window(fake_bingx):
    acct = fake_bingx.add_account(uid="1001")
    stale = int(time.time() * 1000) - 6000
    answer = raw_get(
        fake_bingx, "/openApi/account/v1/uid", {"recvWindow": 10000, "timestamp": stale}, acct.api_key, acct.secret
    )
    assert answer["code"] == 0
    assert answer["data"]["uid"] == 1001


def test_signature_covers_parameters_in_sent_order(fake_bingx):
    acct = fake_bingx.add_account(uid="1001")
    ts = int(time.time() * 1000)
    params = {"timestamp": ts, "recvWindow": 5000}  # not sorted
    assert raw_get(fake_bingx, "/openApi/account/v1/uid", params, acct.api_key, acct.secret)["code"] == 0
    sorted_payload = f"recvWindow=5000&timestamp={ts}"
    answer = raw_get(fake_bingx, "/openApi/account/v1/uid", params, acct.api_key, acct.secret, sorted_payload)
    assert answer["code"] == 100001


def test_missing_key_header_and_signature(fake_bingx):
    acct = fake_bingx.add_account(uid="1001")
    ts = int(time.time() * 1000)
    with urllib.request.urlopen(f"{fake_bingx.url}/openApi/account/v1/uid?timestamp={ts}", timeout=5) as resp:
        assert json.loads(resp.read())["code"] == 100413
    req = urllib.request.Request(
        f"{fake_bingx.url}/openApi/account/v1/uid?timestamp={ts}", headers={"X-BX-APIKEY": acct.api_key}
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert json.loads(resp.read())["code"] == 100412


def test_permissions_uid_and_restrictions(fake_bingx):
    acct = fake_bingx.add_account(uid="1001", permissions={"enableWithdrawals": True})
    ex = ccxt_client(fake_bingx, acct)
    answer = ex.accountV1PrivateGetAccountApiPermissions()
    # BingX's documented shape: permission numbers (1 spot, 2 read, 3 perpetual futures, 4 universal transfer,
    # 5 withdraw, 7 sub-account transfer), not Binance-style enable* flags
    assert answer["data"]["apiKey"] == acct.api_key
    assert answer["data"]["permissions"] == [2, 3, 5]
    assert answer["data"]["ipAddresses"] == []
    assert ex.accountV1PrivateGetUid()["data"]["uid"] == 1001
    restrictions = ex.accountV1PrivateGetAccountApiRestrictions()["data"]
    assert restrictions["enableReading"] is True and restrictions["enableFutures"] is True
    fake_bingx.set_permissions(
        "1001", enableWithdrawals=False, permitsUniversalTransfer=True, enableInternalTransfer=True
    )
    assert ex.accountV1PrivateGetAccountApiPermissions()["data"]["permissions"] == [2, 3, 4, 7]


def test_ip_restricted_key_from_another_ip_is_refused(fake_bingx):
    acct = fake_bingx.add_account(uid="1001", permissions={"ipRestrict": True})
    ex = ccxt_client(fake_bingx, acct)
    assert ex.accountV1PrivateGetAccountApiPermissions()["data"]["ipAddresses"] == ["127.0.0.1"]
    fake_bingx.set_permissions("1001", ip_addresses=["203.0.113.7"])
    with pytest.raises(ccxt.PermissionDenied, match="100419"):
        ex.accountV1PrivateGetUid()


def test_read_only_key_cannot_trade(fake_bingx):
    acct = fake_bingx.add_account(uid="1001", balances={"USDT": 1000}, permissions={"enableFutures": False})
    ex = ccxt_client(fake_bingx, acct)
    with pytest.raises(ccxt.PermissionDenied, match="100004"):
        ex.create_order("BTC/USDT:USDT", "market", "buy", 0.001, None, {"hedged": True})
    with pytest.raises(ccxt.PermissionDenied, match="100004"):
        ex.set_leverage(3, "BTC/USDT:USDT", {"side": "LONG"})
    assert fake_bingx.orders("1001") == []
