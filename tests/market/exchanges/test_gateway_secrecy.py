"""A key and secret never leave the gateway: not in logs (every logger at DEBUG), exception messages or
tracebacks, health records or reprs, over a credential's whole life including faults. Request signatures
(derived from the secret) never appear either."""

from __future__ import annotations

import base64
import logging
import secrets
import string
import sys
import traceback
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import RequestFactory
from django.views.debug import technical_500_response

from market import exchanges
from market.exchanges import ApiCredentials, health

from .conftest import BTC

FRAGMENT = 12  # any run this long from a secret counts as a leak
ORDER = "/openApi/swap/v2/trade/order"


def _value() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(64))


class Leaks:
    def __init__(self, *values: str) -> None:
        self.fragments = {v[i : i + FRAGMENT] for v in values for i in range(len(v) - FRAGMENT + 1)}
        self.texts: list[tuple[str, str]] = []

    def add(self, where: str, text: str) -> None:
        self.texts.append((where, text))

    def add_error(self, where: str, exc: BaseException) -> None:
        self.add(where, str(exc) + repr(exc) + "".join(traceback.format_exception(exc)))

    def assert_clean(self, signatures: list[str]) -> None:
        for where, text in self.texts:
            leaked = [f for f in self.fragments if f in text]
            assert not leaked, f"key or secret found in {where}"
            signed = [s for s in signatures if s in text]
            assert not signed, f"a request signature found in {where}"


@pytest.fixture
def all_logs(caplog):
    """Every logger at DEBUG; loggers that do not propagate wired to caplog too."""
    caplog.set_level(logging.DEBUG)
    detached = []
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            caplog.set_level(logging.DEBUG, logger=name)
            if not logger.propagate:
                logger.addHandler(caplog.handler)
                detached.append(logger)
    yield caplog
    for logger in detached:
        logger.removeHandler(caplog.handler)


def _expect(leaks: Leaks, where: str, error: type[BaseException], call, *args, **kwargs) -> None:
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    leaks.add_error(where, caught.value)


def test_key_secret_and_signatures_never_leave_the_gateway(all_logs, gateway, settings):
    api_key, secret, wrong_secret = _value(), _value(), _value()
    gateway.add_account(uid="1001", api_key=api_key, secret=secret, balances={"USDT": Decimal("1000")})
    creds = ApiCredentials(api_key=api_key, secret=secret, ref="credential 7")
    leaks = Leaks(api_key, secret, wrong_secret)
    settings.FLAXU_EXCHANGE_TIMEOUT_MS = 500
    settings.FLAXU_EXCHANGE_RETRIES = 1

    # A healthy life.
    results = [
        exchanges.credentials_check(creds),
        exchanges.balances(creds),
        exchanges.deposits_since(creds, datetime.now(UTC) - timedelta(days=5)),
        exchanges.withdrawals(creds, datetime.now(UTC) - timedelta(days=5)),
        exchanges.position_mode(creds),
        exchanges.set_leverage(creds, BTC, 5, "long"),
    ]
    gateway.inject(ORDER, "timeout_after_accept", count=1, method="POST", delay=1.5)
    order = exchanges.place_market_order(creds, BTC, "buy", Decimal("0.01"), stop_loss=Decimal("60000"))
    stops = exchanges.open_orders(creds, BTC)
    results += [order, stops, exchanges.fetch_order(creds, BTC, client_order_id=order.client_order_id)]
    results += [exchanges.cancel_order(creds, BTC, order_id=stops[0].id), exchanges.positions(creds)]
    results.append(exchanges.close_position(creds, BTC, "long"))

    # Refusals and faults.
    wrong = ApiCredentials(api_key=api_key, secret=wrong_secret)
    results.append(exchanges.credentials_check(wrong))
    _expect(leaks, "invalid credentials", exchanges.InvalidCredentials, exchanges.balances, wrong)
    gateway.inject("/openApi/swap/v3/user/balance", "http_500", count=None)
    _expect(leaks, "5xx", exchanges.ExchangeUnavailable, exchanges.balances, creds)
    gateway.inject("/openApi/v1/account/apiPermissions", "bad_json", count=None)
    _expect(leaks, "bad json", exchanges.ExchangeUnavailable, exchanges.credentials_check, creds)
    gateway.inject("/openApi/swap/v2/user/positions", "http_429", count=None, retry_after=0)
    _expect(leaks, "429", exchanges.RateLimited, exchanges.positions, creds)
    gateway.inject(ORDER, "reset", count=None, method="POST")
    gateway.inject(ORDER, "maintenance", count=None, method="GET")
    _expect(
        leaks,
        "unknown order",
        exchanges.OrderStateUnknown,
        exchanges.place_market_order,
        creds,
        BTC,
        "buy",
        Decimal("0.01"),
    )
    settings.FLAXU_BREAKER_FAIL_MAX = 1
    _expect(leaks, "5xx before the breaker", exchanges.ExchangeUnavailable, exchanges.balances, creds)
    _expect(leaks, "open breaker", exchanges.CircuitOpen, exchanges.balances, creds)
    health.flush()

    for index, result in enumerate(results):
        leaks.add(f"result {index}", repr(result) + str(result))
    leaks.add("credentials", repr(creds) + str(creds) + repr(wrong) + f"{creds!s}")
    for record in exchanges.exchange_health("bingx"):
        leaks.add(f"health {record.operation}", repr(record))
        leaks.add(
            f"cached health {record.operation}", repr(cache.get(f"market:exchanges:health:bingx:{record.operation}"))
        )
    for record in all_logs.records:
        leaks.add(f"log from {record.name}", record.getMessage() + repr(vars(record)))
    leaks.add("formatted logs", all_logs.text)

    assert any(r.name.startswith("urllib3") for r in all_logs.records)  # the request lines were logged...
    signatures = [params["signature"] for _, _, params in gateway.requests if params.get("signature")]
    assert len(signatures) > 20
    leaks.assert_clean(signatures)  # ...but not with a signature, a key or a secret


# --- Error pages: Django's technical 500 page (DEBUG=True) for a failure inside every operation -------------
AGENT_UID = "9000"
# Each operation that takes credentials, with the request (method, path) it fails on.
OPERATIONS = {
    "credentials_check": ("GET", "/openApi/account/v1/uid", lambda c: exchanges.credentials_check(c)),
    "balances": ("GET", "/openApi/swap/v3/user/balance", lambda c: exchanges.balances(c)),
    "equity": ("GET", "/openApi/swap/v3/user/balance", lambda c: exchanges.equity(c)),
    "deposits_since": (
        "GET",
        "/openApi/api/v3/capital/deposit/hisrec",
        lambda c: exchanges.deposits_since(c, datetime.now(UTC) - timedelta(days=5)),
    ),
    "withdrawals": (
        "GET",
        "/openApi/api/v3/capital/withdraw/history",
        lambda c: exchanges.withdrawals(c, datetime.now(UTC) - timedelta(days=5)),
    ),
    "referral_check": (
        "GET",
        "/openApi/agent/v1/account/inviteRelationCheck",
        lambda c: exchanges.referral_check("1001"),  # signed with the owner's agent key
    ),
    "position_mode": ("GET", "/openApi/swap/v1/positionSide/dual", lambda c: exchanges.position_mode(c)),
    "set_position_mode": (
        "POST",
        "/openApi/swap/v1/positionSide/dual",
        lambda c: exchanges.set_position_mode(c, "one-way"),
    ),
    "set_leverage": ("POST", "/openApi/swap/v2/trade/leverage", lambda c: exchanges.set_leverage(c, BTC, 5, "long")),
    "set_margin_mode": (
        "POST",
        "/openApi/swap/v2/trade/marginType",
        lambda c: exchanges.set_margin_mode(c, BTC, "isolated"),
    ),
    "positions": ("GET", "/openApi/swap/v2/user/positions", lambda c: exchanges.positions(c)),
    "open_orders": ("GET", "/openApi/swap/v2/trade/openOrders", lambda c: exchanges.open_orders(c, BTC)),
    "fetch_order": ("GET", ORDER, lambda c: exchanges.fetch_order(c, BTC, order_id="1234567890")),
    "cancel_order": ("DELETE", ORDER, lambda c: exchanges.cancel_order(c, BTC, order_id="1234567890")),
    "place_market_order": (
        "POST",
        ORDER,
        lambda c: exchanges.place_market_order(c, BTC, "buy", Decimal("0.01"), stop_loss=Decimal("60000")),
    ),
    "close_position": ("POST", ORDER, lambda c: exchanges.close_position(c, BTC, "long")),
}


class Encoded(Leaks):
    """Leaks that also count the values' obvious encodings (hex, base64; a bytes repr holds the text)."""

    def __init__(self, *values: str) -> None:
        super().__init__(
            *values, *(v.encode().hex() for v in values), *(base64.b64encode(v.encode()).decode() for v in values)
        )


def _error_page(call) -> str:
    """Django's DEBUG page for the exception ``call`` raises, as the browser would get it.

    The traceback starts in this frame, so nothing here may hold a plain key: the values stay inside
    objects whose repr shows none (Leaks, ApiCredentials).
    """
    request = RequestFactory().post("/api/credentials/", {"note": "a form post"})
    request.user = AnonymousUser()
    try:
        call()
    except Exception:
        response = technical_500_response(request, *sys.exc_info())
        assert response.status_code == 500
        return response.content.decode()
    raise AssertionError("the operation did not fail")


@pytest.fixture
def life(gateway, settings):
    """A funded account with a long position, the owner's agent key, markets loaded and clients warm."""
    settings.DEBUG = True
    settings.FLAXU_EXCHANGE_RETRIES = 0
    user = gateway.add_account(uid="1001", balances={"USDT": Decimal("1000")}, referrer_uid=AGENT_UID)
    agent = gateway.add_agent(uid=AGENT_UID)
    settings.FLAXU_REFERRER_AGENT_API_KEY, settings.FLAXU_REFERRER_AGENT_SECRET = agent.api_key, agent.secret
    settings.FLAXU_REFERRER_UID = AGENT_UID
    creds = ApiCredentials(api_key=user.api_key, secret=user.secret, ref="credential 7")
    exchanges.place_market_order(creds, BTC, "buy", Decimal("0.01"))
    exchanges.referral_check("1001")
    return creds, Encoded(user.api_key, user.secret, agent.api_key, agent.secret)


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_the_debug_error_page_of_a_failure_inside_any_operation_shows_no_key_or_secret(
    life, gateway, network_boundary, operation
):
    creds, leaks = life
    method, path, call = OPERATIONS[operation]

    # An unexpected error deep in the network stack, under ccxt (which holds the key, secret and signed URL).
    network_boundary.failing = (method, path)
    page = _error_page(lambda: call(creds))
    assert "BoundaryFailure" in page and "ccxt/base/exchange.py" in page and "market/exchanges/resilience.py" in page
    assert "********************" in page  # variables were there, and hidden
    leaks.add(f"{operation}: DEBUG page of an error under ccxt", page)
    network_boundary.failing = None

    # BingX failing (HTTP 500): the gateway's own error, raised through its frames.
    gateway.inject(path, "http_500", count=None, method=method)
    page = _error_page(lambda: call(creds))
    assert "market/exchanges/resilience.py" in page
    leaks.add(f"{operation}: DEBUG page of a gateway error", page)

    assert network_boundary.signatures
    signatures = [params["signature"] for _, _, params in gateway.requests if params.get("signature")]
    leaks.assert_clean(network_boundary.signatures + signatures)
