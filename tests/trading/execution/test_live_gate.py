"""Live orders need, when they are placed, what switching to live needed: 2FA and a connected key."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ExchangeCredential
from tests.trading.paper.conftest import market  # noqa: F401  (the replay market with prices the test sets)
from trading.models import Trade
from trading.services.execution import AccessRefused, ManualOrder, signal_execute

from .conftest import fresh_signal, live_profile

pytestmark = pytest.mark.django_db

BTC = "BTC/USDT:USDT"


def manual(key="k") -> ManualOrder:
    return ManualOrder(symbol=BTC, side="LONG", stop_loss=D("64000"), take_profit=D("67000"), idempotency_key=key)


def test_a_live_user_who_turned_2fa_off_cannot_trade_live(gateway, trader):
    TOTPDevice.objects.filter(user=trader).delete()
    with pytest.raises(AccessRefused, match="two-factor") as refused:
        signal_execute(trader, manual=manual())
    assert refused.value.status_code == 403
    with pytest.raises(AccessRefused, match="two-factor"):
        signal_execute(trader, signal=fresh_signal())
    assert not Trade.objects.exists() and gateway.orders("1001") == []


def test_a_live_user_who_removed_the_key_cannot_trade_live(gateway, trader):
    ExchangeCredential.objects.filter(user=trader).delete()
    with pytest.raises(AccessRefused, match="Connect your BingX API key"):
        signal_execute(trader, manual=manual())
    assert not Trade.objects.exists() and gateway.orders("1001") == []


def test_the_same_user_in_paper_mode_still_trades(gateway, trader, market):  # noqa: F811
    market.set(BTC, "65000")
    TOTPDevice.objects.filter(user=trader).delete()
    live_profile(trader, mode="paper", live_acknowledged_at=None)
    trade = signal_execute(trader, manual=manual())
    assert trade.mode == "paper" and trade.status == Trade.Status.OPEN
    assert gateway.orders("1001") == []
