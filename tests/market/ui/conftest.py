"""Markets page, market API and price alerts: on the real replay source (FLAXU_MARKET_SOURCE=replay).

``market`` fills every snapshot once from the replay, as the beat's first refreshes would; the intel
widgets then compute themselves from those snapshots on first read. ``pushes`` records what was pushed
to a group: the outbox table without Redis, a channel that joined the group beforehand with Redis.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from market.services.snapshots import snapshots_refresh_all
from market.sources import get_source, reset_source

BTC = "BTC/USDT:USDT"
ETH = "ETH/USDT:USDT"


@pytest.fixture(autouse=True)
def _fresh_source():
    reset_source()
    yield
    reset_source()


@pytest.fixture
def market(db, django_capture_on_commit_callbacks):
    """Every snapshot refreshed once from the replay; returns the source."""
    source = get_source()
    assert source.is_demo
    with django_capture_on_commit_callbacks(execute=True):
        snapshots_refresh_all(source=source)
    return source


@pytest.fixture
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def last_price(symbol: str = BTC, exchange: str = "bingx") -> Decimal:
    from market.selectors import snapshots

    return snapshots.tickers(exchange).data[symbol].last
