"""Portfolio tests: Trade rows written directly (as the execution service records them), cached tickers
written the way the market refresh stores them, users with FULL access and (for live) a BingX key."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services.credentials import credential_create
from market.exchanges.types import Ticker
from market.selectors.snapshots import cache_key
from tests.factories import UserFactory
from tests.trading.factories import BTC, grant_full

_ids = itertools.count(1)


def make_trade(
    user,
    *,
    mode="paper",
    status="CLOSED",
    side="LONG",
    symbol=BTC,
    signal_type="MANUAL",
    pnl=None,
    r=None,
    entry="100",
    size="1",
    closed_at=None,
    created_at=None,
    **fields,
):
    """One Trade row; CLOSED ones get a close time and PnL, OPEN ones their remaining size."""
    from trading.models import Trade

    now = timezone.now()
    trade = Trade.objects.create(
        user=user, mode=mode, status=status, side=side, symbol=symbol, signal_type=signal_type,
        reward_target="1:2", entry_price=Decimal(entry), stop_loss=Decimal(entry) * Decimal("0.9"),
        take_profit=Decimal(entry) * Decimal("1.2"), size=Decimal(size),
        remaining=Decimal(size) if status == "OPEN" else Decimal(0), leverage=fields.pop("leverage", 2),
        risk_amount=fields.pop("risk_amount", Decimal("10")),
        pnl=Decimal(str(pnl)) if pnl is not None else None,
        r_multiple=Decimal(str(r)) if r is not None else None,
        opened_at=now - timedelta(hours=2),
        closed_at=(closed_at or now - timedelta(hours=1)) if status == "CLOSED" else None,
        client_order_id=f"flx-test-{next(_ids)}", **fields,
    )  # fmt: skip
    if created_at is not None:
        Trade.objects.filter(pk=trade.pk).update(created_at=created_at)
        trade.refresh_from_db()
    return trade


def set_tickers(prices: dict[str, str], *, exchange: str = "bingx", age: timedelta = timedelta(0)) -> None:
    """Cached tickers as market.services.snapshots stores them (``age``: how long ago they were refreshed)."""
    now = datetime.now(UTC)
    data = {
        symbol: Ticker(exchange, symbol, Decimal(last), None, None, None, None, None, now - age)
        for symbol, last in prices.items()
    }
    cache.set(
        cache_key("tickers", exchange),
        {"data": data, "updated_at": now - age, "source_time": now - age, "error": None, "failed_at": None},
        timeout=3600,
    )


@pytest.fixture
def trader(db):
    user = UserFactory()
    grant_full(user)
    return user


@pytest.fixture
def other(db):
    user = UserFactory()
    grant_full(user)
    return user


@pytest.fixture
def trader_client(client, trader):
    client.force_login(trader)
    return client


@pytest.fixture
def live_trader(gateway, trader, settings):
    """The trader with a BingX account on the fake (1,000 USDT) and its key stored in the vault."""
    settings.FLAXU_EXCHANGE_RETRIES = 0  # an outage shows at once
    account = gateway.add_account(uid="3001", balances={"USDT": Decimal("1000")})
    credential_create(user=trader, exchange="bingx", label="BingX", api_key=account.api_key,
                      api_secret=account.secret)  # fmt: skip
    trader.bingx_account = account
    return trader


@pytest.fixture
def live_api(live_trader) -> APIClient:
    """An API client signed in as ``live_trader``."""
    client = APIClient()
    client.force_authenticate(live_trader)
    return client
