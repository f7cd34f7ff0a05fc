"""Automation: a new auto-executable signal queues one order task per eligible user; running a user's task
twice still gives one trade and one order."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from flaxu.celery import app
from gatekeeper.services.overrides import access_override
from tests.factories import UserFactory
from tests.trading.factories import grant_full
from trading import tasks
from trading.models import Trade
from trading.services.execution import eligible_users

from .conftest import connect, fresh_signal, live_profile

pytestmark = pytest.mark.django_db


def user_on(gateway, uid: str, **profile):
    account = gateway.add_account(uid=uid, balances={"USDT": D("1000")})
    user = UserFactory()
    grant_full(user)
    connect(user, account)
    live_profile(user, **profile)
    return user


@pytest.fixture
def eager():
    """Queued tasks run at once, in this process (the worker's behaviour is the same code)."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_fan_out_trades_for_each_eligible_user_only(gateway, eager):
    a = user_on(gateway, "1001")
    b = user_on(gateway, "1002", symbols=["BTC/USDT:USDT"])
    off = user_on(gateway, "1003", automation_enabled=False)
    other_symbols = user_on(gateway, "1004", symbols=["ETH/USDT:USDT"])
    suspended = user_on(gateway, "1005")
    access_override(user=suspended, level="SUSPENDED", reason="x", expires_at=None, actor=None)
    signal = fresh_signal()

    assert sorted(eligible_users(signal)) == sorted([a.pk, b.pk])
    assert tasks.fan_out_signal(signal.pk) == 2

    trades = Trade.objects.filter(signal=signal)
    assert sorted(trades.values_list("user_id", flat=True)) == sorted([a.pk, b.pk])
    assert all(t.status == Trade.Status.OPEN for t in trades)
    assert gateway.orders("1003") == gateway.orders("1004") == gateway.orders("1005") == []
    assert eligible_users(signal) == []  # traded: not queued again
    del off, other_symbols


def test_the_same_signal_executed_twice_for_a_user_gives_one_trade_and_one_order(gateway):
    user = user_on(gateway, "1001")
    signal = fresh_signal()

    assert tasks.execute_signal_for_user(signal.pk, user.pk) == "OPEN"
    assert tasks.execute_signal_for_user(signal.pk, user.pk).startswith("refused: ")

    assert Trade.objects.filter(user=user, signal=signal).count() == 1
    assert len([o for o in gateway.orders("1001") if o["type"] == "MARKET"]) == 1


def test_a_stored_live_signal_queues_the_fan_out_after_commit(gateway, django_capture_on_commit_callbacks, eager):
    from trading.services.execution import signal_fan_out_on_commit

    user = user_on(gateway, "1001")
    signal = fresh_signal()
    historical = fresh_signal(direction="SHORT", stop="66000", tp1="63000", tp2="62000", historical=True)
    with django_capture_on_commit_callbacks(execute=True):
        signal_fan_out_on_commit(historical)  # never executed
        signal_fan_out_on_commit(signal)
    assert Trade.objects.get(user=user).signal == signal
