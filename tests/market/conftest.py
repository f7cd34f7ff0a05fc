"""Gateway tests run real ccxt over HTTP against the fake BingX (tests/fakes/bingx); nothing is mocked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from market.exchanges import ApiCredentials, clients, health, resilience
from tests.fakes.bingx.fixtures import fake_bingx, fake_bingx_server  # noqa: F401 (fixtures)

BTC = "BTC/USDT:USDT"


@pytest.fixture
def gateway(fake_bingx, settings):  # noqa: F811
    """The fake BingX with the gateway pointed at it; breakers and buffered health start fresh."""
    settings.FLAXU_BINGX_URL = fake_bingx.api_root
    settings.FLAXU_EXCHANGE_TIMEOUT_MS = 3000
    settings.FLAXU_EXCHANGE_RETRIES = 3
    settings.FLAXU_BREAKER_FAIL_MAX = 5
    settings.FLAXU_BREAKER_RESET_SECONDS = 30
    resilience.reset_breakers()
    health.forget_pending()
    yield fake_bingx
    resilience.reset_breakers()
    health.forget_pending()


@pytest.fixture
def account(gateway):
    """A funded hedge-mode BingX account with a Read + Perpetual Futures key."""
    return gateway.add_account(uid="1001", balances={"USDT": Decimal("1000")})


@pytest.fixture
def creds(account) -> ApiCredentials:
    return ApiCredentials(api_key=account.api_key, secret=account.secret, ref="credential 1")


def requests_to(fake, path: str, method: str | None = None) -> list[dict]:
    """What the fake received on ``path`` (``/openApi/...``)."""
    return fake.requests_to(path, method)


@pytest.fixture(autouse=True)
def _forget_clients():
    """Cached ccxt clients are per thread; markets stay loaded across tests (same fake URL)."""
    yield
    clients.forget_clients()
