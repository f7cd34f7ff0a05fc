"""Trading settings tests: FULL users with (or without) 2FA and a BingX key; the replay market's symbols."""

from __future__ import annotations

from decimal import Decimal
from itertools import count

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services.credentials import credential_create
from gatekeeper import rules
from gatekeeper.services.overrides import access_override
from tests.accounts.otp_helpers import sign_in_past_2fa
from tests.factories import UserFactory
from tests.trading.factories import grant_full

_ids = count(1)


def with_2fa(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def with_key(user) -> None:
    credential_create(user=user, exchange="bingx", label="Main", api_key="k" * 64, api_secret="s" * 64)


def suspend(user) -> None:
    access_override(user=user, level=rules.SUSPENDED, reason="Chargeback under review", expires_at=None, actor=None)


def trade(
    user,
    *,
    mode="paper",
    status="CLOSED",
    pnl="0",
    symbol="BTC/USDT:USDT",
    side="LONG",
    closed_at=None,
    entry="100",
    remaining="0",
    size="1",
    fees="0",
):
    """One stored Trade as the ledger leaves it (PnL net of fees), for the daily loss and page tests."""
    from trading.models import Trade

    return Trade.objects.create(
        user=user, mode=mode, signal_type="MANUAL", symbol=symbol, side=side, status=status, reward_target="1:2",
        entry_price=Decimal(entry), stop_loss=Decimal(entry) * Decimal("0.9"), take_profit=Decimal(entry) * 2,
        size=Decimal(size), remaining=Decimal(remaining), leverage=2, risk_amount=Decimal("10"),
        pnl=Decimal(pnl) if pnl is not None else None, fees=Decimal(fees), closed_at=closed_at,
        client_order_id=f"test-settings-{next(_ids)}",
    )  # fmt: skip


@pytest.fixture
def other_user(db):
    user = UserFactory()
    grant_full(user)
    return user


@pytest.fixture
def live_ready_user(full_user):
    with_2fa(full_user)
    with_key(full_user)
    return full_user


@pytest.fixture
def live_ready_client(client, live_ready_user):
    """Signed in past the second factor (a user with 2FA must be, to reach any page or the API)."""
    sign_in_past_2fa(client, live_ready_user, TOTPDevice.objects.get(user=live_ready_user))
    return client


@pytest.fixture
def market(db, django_capture_on_commit_callbacks):
    """The paper helper's priced replay market (tests/trading/paper/conftest.py): ``market.set(symbol, price)``."""
    from flaxu.celery import app as celery_app
    from market.services.snapshots import markets_refresh
    from tests.trading.paper.conftest import EXCHANGE, Market, PricedReplay

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    source = PricedReplay(exchanges=(EXCHANGE,))
    markets_refresh(exchange=EXCHANGE, source=source)
    yield Market(source, django_capture_on_commit_callbacks)
    celery_app.conf.task_always_eager = eager
