"""Each refusal of signal_execute, with its reason and status; duplicates give one trade."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from core.errors import Conflict, Refused
from gatekeeper.services.overrides import access_override
from tests.factories import UserFactory
from trading.models import SniperAlert, Trade, TradingControl
from trading.services.execution import AccessRefused, ManualOrder, signal_execute, trades_close_all

from .conftest import connect, fresh_signal, live_profile

pytestmark = pytest.mark.django_db

BTC = "BTC/USDT:USDT"


def manual(key="k", **kw) -> ManualOrder:
    values = dict(symbol=BTC, side="LONG", stop_loss=D("64000"), take_profit=D("67000"), idempotency_key=key)
    values.update(kw)
    return ManualOrder(**values)


def test_limited_and_suspended_users_are_refused_403(gateway, account):
    limited = UserFactory()
    connect(limited, account)
    live_profile(limited)
    with pytest.raises(AccessRefused, match="FULL access") as refused:
        signal_execute(limited, signal=fresh_signal())
    assert refused.value.status_code == 403
    access_override(user=limited, level="SUSPENDED", reason="abuse", expires_at=None, actor=None)
    with pytest.raises(AccessRefused, match="suspended"):
        signal_execute(limited, manual=manual())
    assert not Trade.objects.exists() and gateway.orders("1001") == []


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"automation_enabled": False}, "automation is off"),
        ({"paused_until": timezone.now() + timedelta(hours=3), "pause_reason": "daily loss"}, "paused until"),
        ({"symbols": ["ETH/USDT:USDT"]}, "not in your allowed symbols"),
        ({"min_confidence": 100}, "below your minimum"),
    ],
)
def test_automation_settings_refuse(gateway, trader, change, words):
    live_profile(trader, **change)
    with pytest.raises(Refused, match=f"(?i){words}"):
        signal_execute(trader, signal=fresh_signal())
    assert gateway.orders("1001") == []


def test_stale_and_informational_signals_are_refused_with_the_reason(gateway, trader):
    stale = fresh_signal()
    with pytest.raises(Refused, match="stale"):
        signal_execute(trader, signal=stale, now=timezone.now() + timedelta(minutes=6))
    weak = fresh_signal(direction="SHORT", stop="66000", tp1="63000", tp2="62000", evidence_mean_r=-0.1)
    with pytest.raises(Refused, match="not executed automatically"):
        signal_execute(trader, signal=weak)
    assert gateway.orders("1001") == []


def test_the_global_pause_holds_for_every_kind_but_closing_works(gateway, trader):
    trade = signal_execute(trader, manual=manual())
    TradingControl.objects.create(paused=True, reason="exchange incident")
    with pytest.raises(Refused, match="paused trading for everyone"):
        signal_execute(trader, manual=manual(key="k2"))
    with pytest.raises(Refused, match="paused"):
        signal_execute(trader, signal=fresh_signal())
    (closed,) = trades_close_all(trader)
    assert closed.pk == trade.pk and closed.status == Trade.Status.CLOSED and closed.close_reason == "KILL"
    assert gateway.positions("1001") == []


def test_max_positions_and_duplicates(gateway, trader):
    live_profile(trader, max_positions=1)
    signal = fresh_signal()
    trade = signal_execute(trader, signal=signal)
    with pytest.raises(Conflict):
        signal_execute(trader, signal=signal)  # the same signal again: 409, no second order
    with pytest.raises(Refused, match="maximum is 1"):
        signal_execute(trader, manual=manual())
    assert Trade.objects.filter(user=trader).count() == 1
    assert [o["clientOrderId"] for o in gateway.orders("1001") if o["type"] == "MARKET"] == [trade.client_order_id]


def test_a_manual_key_trades_once(gateway, trader):
    first = signal_execute(trader, manual=manual(key="abc"))
    with pytest.raises(Conflict):
        signal_execute(trader, manual=manual(key="abc"))
    assert first.status == Trade.Status.OPEN and first.signal_type == "MANUAL"


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"stop_loss": D("66000")}, "stop-loss must be below the price"),
        ({"take_profit": D("64000")}, "already past the take-profit"),
        ({"risk_pct": D("5")}, "0.25-2"),
        ({"stop_loss": D("1")}, None),  # a far stop: sized small, still above the minimum
        ({"side": "UP"}, "LONG or SHORT"),
    ],
)
def test_manual_order_rules(gateway, trader, kw, words):
    if words is None:
        assert signal_execute(trader, manual=manual(**kw)).status == Trade.Status.OPEN
        return
    with pytest.raises(Refused, match=words):
        signal_execute(trader, manual=manual(**kw))


def test_too_small_for_the_market_is_refused_not_rounded_up(gateway, trader):
    gateway.set_balance("1001", "USDT", D("20"))
    with pytest.raises(Refused, match="below the exchange's minimum"):
        signal_execute(trader, manual=manual(stop_loss=D("30000"), risk_pct=D("0.25")))
    assert gateway.orders("1001") == []


def test_a_sniper_alert_trades_once_with_the_one_click_defaults(gateway, trader):
    live_profile(trader, sniper_risk_pct=D("0.5"), sniper_leverage=2)
    alert = SniperAlert.objects.create(
        exchange="bingx",
        symbol=BTC,
        time=timezone.now() - timedelta(minutes=1),
        move="DUMP",
        change_pct=D("-4"),
        cleared_pct=D("80"),
        direction="LONG",
        entry=D("65000"),
        stop_loss=D("64000"),
        take_profit=D("67000"),
        origin_price=D("68000"),
    )
    trade = signal_execute(trader, alert=alert)
    assert trade.status == Trade.Status.OPEN and trade.signal_type == "SNIPER" and trade.risk_amount <= D("5")
    with pytest.raises(Conflict):
        signal_execute(trader, alert=alert)
    with pytest.raises(Refused, match="stale"):
        signal_execute(trader, alert=alert, now=timezone.now() + timedelta(minutes=10))
