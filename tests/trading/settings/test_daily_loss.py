"""A loss of the daily limit pauses automation until the next 00:00 UTC and tells the user once (in-app, push, mail)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from accounts.models import ActivityLog, Notification
from core.realtime.push import user_group
from tests.trading.settings.conftest import trade
from trading.models import DailyEquity
from trading.services.profile import profile_update
from trading.services.risk import DAILY_LOSS_PAUSE, automation_refusal, daily_loss_candidates, daily_loss_check

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 5, 15, 30, tzinfo=UTC)
MIDNIGHT = datetime(2026, 12, 6, tzinfo=UTC)


@pytest.fixture
def trader(full_user):
    profile_update(full_user, {"automation_enabled": True})
    DailyEquity.objects.create(user=full_user, mode="paper", day=NOW.date(), equity=Decimal("1000"))
    return full_user


def test_a_loss_short_of_the_limit_changes_nothing(trader):
    trade(trader, pnl="-30", closed_at=NOW - timedelta(hours=2))
    trade(trader, pnl="-19.99", closed_at=NOW - timedelta(hours=1))
    loss = daily_loss_check(trader, "paper", now=NOW)
    assert loss.pnl == Decimal("-49.99") and loss.limit == Decimal("50") and not loss.breached
    assert automation_refusal(trader) is None


def test_reaching_the_limit_pauses_until_the_next_utc_midnight_and_tells_once(
    trader, django_capture_on_commit_callbacks, pushes
):
    pushes.watch(user_group(trader.pk))
    trade(trader, pnl="-60", closed_at=NOW - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        loss = daily_loss_check(trader, "paper", now=NOW)
    assert loss.breached and loss.paused
    profile = trader.trading_profile
    profile.refresh_from_db()
    assert profile.paused_until == MIDNIGHT and "daily loss limit" in profile.pause_reason
    assert "paused until 2026-12-06 00:00 UTC" in automation_refusal(trader)
    [note] = Notification.objects.filter(user=trader, kind="trading_paused")
    assert note.title == "Automation paused: daily loss limit reached" and note.link == "/trading/"
    assert len(mail.outbox) == 1 and "daily loss limit" in mail.outbox[0].subject.lower()
    assert [e for e in pushes.events(user_group(trader.pk)) if e["type"] == "notification"]
    assert ActivityLog.objects.filter(user=trader, action=DAILY_LOSS_PAUSE).count() == 1

    trade(trader, pnl="-10", closed_at=NOW)  # checked again, more lost: still told only once
    with django_capture_on_commit_callbacks(execute=True):
        again = daily_loss_check(trader, "paper", now=NOW + timedelta(minutes=5))
    assert again.breached and not again.paused
    assert Notification.objects.filter(user=trader, kind="trading_paused").count() == 1 and len(mail.outbox) == 1


def test_the_pause_ends_at_midnight_utc(trader, monkeypatch):
    trade(trader, pnl="-60", closed_at=NOW)
    daily_loss_check(trader, "paper", now=NOW)
    profile = trader.trading_profile
    profile.refresh_from_db()
    profile.paused_until = datetime(2020, 1, 1, tzinfo=UTC)  # as if the next day had come
    profile.save()
    assert automation_refusal(trader) is None


def test_yesterdays_losses_and_the_other_mode_do_not_count(trader):
    trade(trader, pnl="-500", closed_at=MIDNIGHT - timedelta(days=1, seconds=1))
    trade(trader, pnl="-500", closed_at=NOW, mode="live")
    loss = daily_loss_check(trader, "paper", now=NOW)
    assert loss.pnl == 0 and not loss.breached


def test_open_trades_count_what_they_already_realised(trader):
    # An open trade's pnl (ledger) holds its fees and partial exits; with nothing left open, no price is read.
    trade(trader, status="OPEN", pnl="-45", remaining="0", closed_at=None)
    trade(trader, pnl="-5", closed_at=NOW)
    assert daily_loss_check(trader, "paper", now=NOW).breached


def test_the_limit_follows_the_users_setting(trader):
    profile_update(trader, {"daily_loss_limit_pct": "10"})
    trade(trader, pnl="-60", closed_at=NOW)
    assert not daily_loss_check(trader, "paper", now=NOW).breached


def test_candidates_are_users_with_automation_on_who_traded_today(trader, other_user):
    profile_update(other_user, {"automation_enabled": True})  # no trades: nothing to lose today
    assert daily_loss_candidates() == []
    trade(trader, pnl="-1", closed_at=datetime.now(UTC))
    assert daily_loss_candidates() == [(trader.pk, "paper")]
