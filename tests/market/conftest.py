"""Gateway tests run real ccxt over HTTP against the fake BingX (tests/fakes/bingx); nothing is mocked.

``fake_bingx`` comes from tests.fakes.bingx.fixtures, registered in tests/conftest.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from market.exchanges import ApiCredentials, reset_process_state

BTC = "BTC/USDT:USDT"


@pytest.fixture
def gateway(fake_bingx, settings):
    """The fake BingX with the gateway pointed at it; breakers and buffered health start fresh."""
    settings.FLAXU_BINGX_URL = fake_bingx.api_root
    settings.FLAXU_EXCHANGE_TIMEOUT_MS = 3000
    settings.FLAXU_EXCHANGE_RETRIES = 3
    settings.FLAXU_BREAKER_FAIL_MAX = 5
    settings.FLAXU_BREAKER_RESET_SECONDS = 30
    reset_process_state()
    yield fake_bingx
    reset_process_state()


@pytest.fixture
def account(gateway):
    """A funded hedge-mode BingX account with a Read + Perpetual Futures key."""
    return gateway.add_account(uid="1001", balances={"USDT": Decimal("1000")})


@pytest.fixture
def creds(account) -> ApiCredentials:
    return ApiCredentials(api_key=account.api_key, secret=account.secret, ref="credential 1")
