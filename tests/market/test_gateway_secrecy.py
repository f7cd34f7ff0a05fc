"""A key and secret never leave the gateway: not in logs (every logger at DEBUG), exception messages or
tracebacks, health records or reprs, over a credential's whole life including faults. Request signatures
(derived from the secret) never appear either."""

from __future__ import annotations

import logging
import secrets
import string
import traceback
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache

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
