"""Execution tests: a FULL user with a BingX key on the fake BingX (real ccxt over HTTP), live mode."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ExchangeCredential
from accounts.services.credentials import credential_create
from tests.factories import UserFactory
from tests.trading.factories import BTC, grant_full, make_signal
from trading import conf
from trading.models import TradingProfile

ORDER = "/openApi/swap/v2/trade/order"
MARK = Decimal("65000")


def connect(user, account) -> None:
    credential_create(
        user=user,
        exchange=ExchangeCredential.Exchange.BINGX,
        label="BingX",
        api_key=account.api_key,
        api_secret=account.secret,
    )


def live_profile(user, **fields) -> TradingProfile:
    """Trading settings (live by default); a live user also gets what live mode needs: a confirmed 2FA device."""
    values = dict(
        mode="live",
        live_acknowledged_at=timezone.now(),
        automation_enabled=True,
        min_confidence=conf.signal_min_confidence() + 1,
        risk_pct=Decimal("1"),
        reward_target="1:2",
        max_leverage=5,
        max_positions=3,
    )
    values.update(fields)
    if values["mode"] == "live":
        TOTPDevice.objects.get_or_create(user=user, name="app", defaults={"confirmed": True})
    profile, _ = TradingProfile.objects.update_or_create(user=user, defaults=values)
    return profile


@pytest.fixture
def account(gateway):
    """A funded BingX account (hedge mode, the default of new accounts)."""
    return gateway.add_account(uid="1001", balances={"USDT": Decimal("1000")})


@pytest.fixture
def trader(db, account):
    user = UserFactory()
    grant_full(user)
    connect(user, account)
    live_profile(user)
    return user


def fresh_signal(direction="LONG", *, entry="65000", stop="64000", tp1="67000", tp2="68000", **fields):
    """An auto-executable signal that became known just now (a 5m candle that has just closed)."""
    now = timezone.now()
    values = dict(
        confidence=conf.signal_min_confidence() + 5,
        evidence_n=conf.evidence_config().min_samples + 10,
        evidence_rate=0.6,
        evidence_mean_r=0.4,
        evidence_class="test",
    )
    values.update(fields)
    return make_signal(
        bar_time=now - timedelta(minutes=5, seconds=1),
        symbol=BTC,
        direction=direction,
        entry=entry,
        stop_loss=stop,
        take_profit_1=tp1,
        take_profit_2=tp2,
        **values,
    )
