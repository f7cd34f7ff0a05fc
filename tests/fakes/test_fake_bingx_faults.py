"""Fault injection on the fake BingX, and what ccxt 4.5.90 makes of each fault."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import ccxt
import pytest

from tests.fakes.bingx import FakeBingX, ccxt_client

BTC = "BTC/USDT:USDT"
ORDER = "/openApi/swap/v2/trade/order"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def trader(fake_bingx):
    acct = fake_bingx.add_account(uid="1001", balances={"USDT": "1000"})
    ex = ccxt_client(fake_bingx, acct, timeout=600)
    ex.load_markets()
    return ex


def buy(ex, **params):
    return ex.create_order(BTC, "market", "buy", 0.001, None, {"hedged": True, **params})


def test_timeout_after_accept_places_the_order_while_the_client_times_out(fake_bingx, trader):
    fake_bingx.inject(ORDER, "timeout_after_accept", delay=1.5, method="POST")
    with pytest.raises(ccxt.RequestTimeout):  # the client gave up before the answer (1.5 s) came
        buy(trader, clientOrderId="t-1")
    assert [o["clientOrderId"] for o in fake_bingx.orders("1001")] == ["t-1"]
    # the safe retry: same client order id -> refused as a duplicate, the order is looked up instead
    with pytest.raises(ccxt.DuplicateOrderId):
        buy(trader, clientOrderId="t-1")
    found = trader.swapV2PrivateGetTradeOrder({"symbol": "BTC-USDT", "clientOrderId": "t-1"})["data"]["order"]
    assert found["status"] == "FILLED"
    assert len(fake_bingx.orders("1001")) == 1


@pytest.mark.parametrize(
    ("fault", "options", "error"),
    [
        ("http_500", {}, ccxt.ExchangeNotAvailable),
        ("http_429", {"retry_after": 7}, ccxt.RateLimitExceeded),
        ("reset", {}, ccxt.NetworkError),
        ("maintenance", {}, ccxt.ExchangeError),
        ("permission_denied", {}, ccxt.PermissionDenied),
    ],
)
def test_refusing_faults_do_not_execute_the_request(fake_bingx, trader, fault, options, error):
    fake_bingx.inject(ORDER, fault, **options)
    with pytest.raises(error):
        buy(trader)
    assert fake_bingx.orders("1001") == []
    buy(trader)  # count=1: the next request goes through
    assert len(fake_bingx.orders("1001")) == 1


def test_http_429_carries_retry_after(fake_bingx):
    fake_bingx.inject("/openApi/swap/v2/server/time", "http_429", retry_after=7)
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{fake_bingx.url}/openApi/swap/v2/server/time", timeout=5)
    assert info.value.code == 429 and info.value.headers["Retry-After"] == "7"


def test_maintenance_answer(fake_bingx):
    fake_bingx.inject("/openApi/swap/v2/quote", "maintenance", count=2)  # a prefix
    for path in ("/openApi/swap/v2/quote/contracts", "/openApi/swap/v2/quote/ticker"):
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{fake_bingx.url}{path}", timeout=5)
        assert info.value.code == 503 and json.loads(info.value.read())["code"] == 100503
    with urllib.request.urlopen(f"{fake_bingx.url}/openApi/swap/v2/quote/contracts", timeout=5) as resp:
        assert json.loads(resp.read())["code"] == 0


def test_bad_json_is_swallowed_by_ccxt(fake_bingx, trader):
    """ccxt 4.5.90 raises nothing on a malformed body: callers must check the shape themselves."""
    fake_bingx.inject(ORDER, "bad_json")
    created = buy(trader)
    assert created["id"] is None and created["status"] is None  # but the order was placed
    assert len(fake_bingx.orders("1001")) == 1
    fake_bingx.inject("/openApi/swap/v2/user/positions", "bad_json")
    assert trader.fetch_positions() == []  # while a position is open
    assert len(trader.fetch_positions()) == 1
    fake_bingx.inject("/openApi/swap/v3/user/balance", "bad_json")
    assert "USDT" not in trader.fetch_balance()


def test_latency_and_repeating_faults(fake_bingx, trader):
    fake_bingx.inject("/openApi/swap/v2/user/positions", "latency", count=None, delay=0.3)
    for _ in range(2):
        started = time.monotonic()
        trader.fetch_positions()
        assert time.monotonic() - started >= 0.3
    fake_bingx.clear_faults()
    assert fake_bingx.faults() == []
    trader.fetch_positions()
    with pytest.raises(ValueError, match="unknown fault"):
        fake_bingx.inject(ORDER, "explode")


def test_requests_are_recorded(fake_bingx, trader):
    buy(trader, clientOrderId="rec-1")
    method, path, params = fake_bingx.requests[-1]
    assert (method, path) == ("POST", ORDER)
    assert params["clientOrderID"] == "rec-1" and params["positionSide"] == "LONG" and "signature" in params


def post(fake, action, body=None):
    req = urllib.request.Request(
        f"{fake.url}/_fake/{action}",
        data=json.dumps(body or {}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


def test_control_endpoint(fake_bingx):
    keys = post(fake_bingx, "add_account", {"uid": "2001", "balances": {"USDT": "500"}, "referrer_uid": "9000"})
    agent = post(fake_bingx, "add_agent", {"uid": "9000"})
    post(fake_bingx, "add_deposit", {"uid": "2001", "amount": "250", "status": 1})
    ex = ccxt_client(fake_bingx, fake_bingx.account("2001"))
    assert ex.apiKey == keys["api_key"]
    ex.create_order(BTC, "market", "buy", 0.001, None, {"hedged": True, "stopLoss": {"triggerPrice": 64000}})
    triggered = post(fake_bingx, "set_mark_price", {"symbol": "BTC-USDT", "price": "63999"})["triggered"]
    assert [o["type"] for o in triggered] == ["STOP_MARKET"]
    post(fake_bingx, "inject", {"path": "/openApi/account/v1/uid", "fault": "http_500"})
    with pytest.raises(ccxt.ExchangeNotAvailable):
        ex.accountV1PrivateGetUid()
    with urllib.request.urlopen(f"{fake_bingx.url}/_fake/state", timeout=5) as resp:
        state = json.loads(resp.read())
    by_uid = {a["uid"]: a for a in state["accounts"]}
    assert by_uid["9000"]["api_key"] == agent["api_key"] and by_uid["9000"]["is_agent"] is True
    assert [d["amount"] for d in by_uid["2001"]["deposits"]] == ["250.00000000"]
    assert state["marks"]["BTC-USDT"] == "63999.0"
    with pytest.raises(urllib.error.HTTPError) as info:
        post(fake_bingx, "add_account", {"uid": "2001"})
    assert info.value.code == 400
    post(fake_bingx, "reset")
    with urllib.request.urlopen(f"{fake_bingx.url}/_fake/state", timeout=5) as resp:
        assert json.loads(resp.read())["accounts"] == []


def test_reset_keeps_markets_and_restores_marks(fake_bingx):
    fake_bingx.set_mark_price("BTC-USDT", 70000)
    fake_bingx.add_account(uid="1001")
    fake_bingx.inject(ORDER, "reset", count=None)
    fake_bingx.reset()
    assert fake_bingx.mark_price("BTC-USDT") == 65000
    assert fake_bingx.faults() == [] and fake_bingx.requests == []
    with pytest.raises(KeyError):
        fake_bingx.account("1001")


def test_context_manager_and_free_port():
    with FakeBingX(port=0) as fake:
        assert fake.url.startswith("http://127.0.0.1:") and fake.port > 0
        with urllib.request.urlopen(f"{fake.url}/openApi/swap/v2/server/time", timeout=5) as resp:
            assert json.loads(resp.read())["code"] == 0
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{fake.url}/openApi/swap/v2/server/time", timeout=1)


def test_standalone_cli_starts_seeds_and_stops():
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.bingx", "--port", "0", "--seed-demo"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        info = json.loads(proc.stdout.readline())
        demo = info["demo"]
        fake_url = info["url"]
        ex = ccxt.bingx({"apiKey": demo["agent"]["api_key"], "secret": demo["agent"]["secret"]})
        ex.urls["api"] = {k: f"{fake_url}/openApi" for k in [*ex.urls["api"], "agent"]}
        answer = ex.agentV1PrivateGetAccountInviteRelationCheck({"uid": demo["referred"]["uid"]})["data"]
        assert answer["inviteResult"] is True and answer["deposit"] is True
        other = ex.agentV1PrivateGetAccountInviteRelationCheck({"uid": demo["not_referred"]["uid"]})["data"]
        assert other["inviteResult"] is False
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
