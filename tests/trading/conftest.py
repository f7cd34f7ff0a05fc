"""Trading tests: stored synthetic candles, FULL and LIMITED users, pushes recorded (outbox or Redis)."""

from __future__ import annotations

import pytest

from market.sources import reset_source
from tests.factories import UserFactory
from tests.trading.factories import BTC, grant_full


@pytest.fixture(autouse=True)
def _trading_settings(settings):
    """One followed series (BTC 5m) on the default replay source; the source rebuilt per test."""
    settings.FLAXU_SIGNAL_SYMBOLS = [BTC]
    settings.FLAXU_SIGNAL_TIMEFRAMES = ["5m"]
    reset_source()
    yield
    reset_source()


@pytest.fixture
def full_user(db):
    user = UserFactory()
    grant_full(user)
    return user


@pytest.fixture
def limited_user(db):
    return UserFactory()


@pytest.fixture
def full_client(client, full_user):
    client.force_login(full_user)
    return client


@pytest.fixture
def limited_client(client, limited_user):
    client.force_login(limited_user)
    return client
