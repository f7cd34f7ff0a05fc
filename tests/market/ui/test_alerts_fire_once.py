"""A price alert fires once — however many checks or workers see it — and tells its owner three ways:
an in-app notification, a websocket event to their private group, and an email."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.models import Notification
from market.models import PriceAlert
from market.services.alerts import Trigger, price_alert_fire, price_alerts_check
from market.tasks.alerts import check_price_alerts
from tests.factories import UserFactory

from .conftest import BTC, ETH, last_price

pytestmark = pytest.mark.django_db


def make_alert(user, condition="above", price=None, symbol=BTC, **fields) -> PriceAlert:
    return PriceAlert.objects.create(
        user=user, exchange="bingx", symbol=symbol, condition=condition, price=price, **fields
    )


def test_an_alert_fires_once_over_repeated_checks_and_notifies_three_ways(
    user, market, pushes, django_capture_on_commit_callbacks
):
    group = f"user.{user.pk}"
    pushes.watch(group)
    price = last_price()
    alert = make_alert(user, "above", price - 100, note="take profit")
    untouched = make_alert(user, "above", price * 2)

    with django_capture_on_commit_callbacks(execute=True):
        first = price_alerts_check()
    with django_capture_on_commit_callbacks(execute=True):
        second = price_alerts_check()

    assert first == [alert.pk] and second == []
    alert.refresh_from_db()
    assert alert.fired_at is not None and alert.fired_price == price and not alert.is_active
    assert PriceAlert.objects.get(pk=untouched.pk).is_active

    notes = Notification.objects.filter(user=user, kind="price_alert")
    assert notes.count() == 1
    assert "BTC/USDT perp" in notes[0].title and notes[0].link == "/markets/alerts/"

    events = [e for e in pushes.events(group) if e["type"] == "price_alert"]
    assert len(events) == 1
    assert events[0]["data"]["id"] == alert.pk and events[0]["data"]["price"] == str(price)
    assert any(e["type"] == "notification" for e in pushes.events(group))  # the in-app one, live

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email] and "BTC/USDT perp" in message.subject
    assert "take profit" in message.body and "/markets/alerts/" in message.body


def test_below_alerts_fire_at_or_under_their_level(user, market):
    price = last_price()
    hit = make_alert(user, "below", price)
    miss = make_alert(user, "below", price - 1)
    assert price_alerts_check() == [hit.pk]
    assert PriceAlert.objects.get(pk=miss.pk).is_active


@pytest.fixture
def concurrent_db(transactional_db):
    """Threads need committed rows (their own connections)."""


def test_two_workers_firing_the_same_alert_tell_the_user_once(concurrent_db):
    user = UserFactory()
    alert = make_alert(user, "above", Decimal(1))
    trigger = Trigger(price=Decimal(2))
    start, results = threading.Barrier(2), []

    def worker():
        try:
            start.wait(5)
            results.append(price_alert_fire(alert=PriceAlert.objects.get(pk=alert.pk), trigger=trigger))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert sorted(results) == [False, True]
    assert Notification.objects.filter(user=user, kind="price_alert").count() == 1
    assert len(mail.outbox) == 1


def test_two_concurrent_checks_fire_each_alert_once(concurrent_db):
    from market.services.snapshots import snapshots_refresh_all

    snapshots_refresh_all()
    owner = UserFactory()
    alert = make_alert(owner, "above", Decimal(1))
    start, fired = threading.Barrier(2), []

    def worker():
        try:
            start.wait(5)
            fired.extend(price_alerts_check())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert fired == [alert.pk]
    assert Notification.objects.filter(user=owner, kind="price_alert").count() == 1


def test_a_stale_price_never_fires_an_alert(user, market, settings):
    make_alert(user, "above", Decimal(1))
    settings.FLAXU_TTL_PRICES = 0  # every ticker snapshot is now past its TTL
    assert price_alerts_check(now=timezone.now() + timedelta(seconds=1)) == []


def test_the_task_checks_alerts_and_does_nothing_without_any(user, market):
    assert check_price_alerts() == []
    alert = make_alert(user, "above", Decimal(1), symbol=ETH)
    assert check_price_alerts() == [alert.pk]
    assert check_price_alerts() == []


def test_a_ticker_refresh_task_is_followed_by_a_check(user, market):
    from market.tasks.refresh import refresh_tickers

    alert = make_alert(user, "above", Decimal(1))
    refresh_tickers.apply()  # as a worker runs it: Celery's task_postrun follows
    assert not PriceAlert.objects.get(pk=alert.pk).is_active
