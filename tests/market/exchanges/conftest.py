"""Gateway tests run real ccxt over HTTP against the fake BingX (tests/fakes/bingx); nothing is mocked.

``fake_bingx`` comes from tests.fakes.bingx.fixtures and ``gateway`` from tests/conftest.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from market.exchanges import ApiCredentials

BTC = "BTC/USDT:USDT"


@pytest.fixture
def account(gateway):
    """A funded hedge-mode BingX account with a Read + Perpetual Futures key."""
    return gateway.add_account(uid="1001", balances={"USDT": Decimal("1000")})


@pytest.fixture
def creds(account) -> ApiCredentials:
    return ApiCredentials(api_key=account.api_key, secret=account.secret, ref="credential 1")
