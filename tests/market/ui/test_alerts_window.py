"""Rise/fall alerts: a move of at least N % within the window, measured from the window's low (high),
counting only what traded after the alert was created."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from market.exchanges.types import Candle as CandleRow
from market.models import PriceAlert
from market.services.alerts import price_alerts_check
from market.services.candles import candles_upsert

from .conftest import BTC

pytestmark = pytest.mark.django_db


def minute(moment):
    return moment.replace(second=0, microsecond=0)


def store_minutes(start, lows_highs):
    """1-minute candles on bingx from ``start``, one per (low, high)."""
    rows = []
    for i, (low, high) in enumerate(lows_highs):
        mid = (Decimal(low) + Decimal(high)) / 2
        rows.append(
            CandleRow(
                time=start + timedelta(minutes=i),
                open=mid,
                high=Decimal(high),
                low=Decimal(low),
                close=mid,
                volume=Decimal(1),
            )
        )
    candles_upsert("bingx", BTC, "1m", rows)


def window_alert(user, condition, percent, minutes, created_ago):
    return PriceAlert.objects.create(
        user=user,
        exchange="bingx",
        symbol=BTC,
        condition=condition,
        percent=Decimal(percent),
        window_minutes=minutes,
        created_at=timezone.now() - created_ago,
    )


@pytest.fixture
def now():
    return minute(timezone.now())


def test_a_rise_of_five_percent_within_the_hour_fires_from_the_windows_low(user, now):
    alert = window_alert(user, "rise", 5, 60, timedelta(hours=3))
    store_minutes(now - timedelta(minutes=90), [(90, 91)] * 20)  # before the window: ignored
    store_minutes(now - timedelta(minutes=50), [(100, 101)] + [(102, 103)] * 40)

    assert price_alerts_check(prices={("bingx", BTC): Decimal("104.9")}, now=now) == []
    assert price_alerts_check(prices={("bingx", BTC): Decimal("105")}, now=now) == [alert.pk]
    alert.refresh_from_db()
    assert alert.reference_price == Decimal(100) and alert.fired_price == Decimal(105)
    assert "rises 5% within 1 h" in alert.describe()


def test_a_fall_alert_measures_from_the_windows_high(user, now):
    alert = window_alert(user, "fall", Decimal("2.5"), 15, timedelta(hours=1))
    store_minutes(now - timedelta(minutes=10), [(199, 200)] + [(196, 198)] * 9)

    assert price_alerts_check(prices={("bingx", BTC): Decimal("195.1")}, now=now) == []
    assert price_alerts_check(prices={("bingx", BTC): Decimal("195")}, now=now) == [alert.pk]
    alert.refresh_from_db()
    assert alert.reference_price == Decimal(200)


def test_moves_before_the_alert_was_created_do_not_count(user, now):
    alert = window_alert(user, "rise", 5, 60, timedelta(minutes=30))
    store_minutes(now - timedelta(minutes=50), [(100, 101)] * 15 + [(103, 104)] * 35)

    # 105.5 is 5.5 % above the hour's low (100), but only 2.4 % above the low since creation (103).
    assert price_alerts_check(prices={("bingx", BTC): Decimal("105.5")}, now=now) == []
    assert price_alerts_check(prices={("bingx", BTC): Decimal("108.2")}, now=now) == [alert.pk]


def test_without_candles_in_the_window_a_move_alert_waits(user, now):
    window_alert(user, "rise", 1, 60, timedelta(hours=2))
    assert price_alerts_check(prices={("bingx", BTC): Decimal("1000000")}, now=now) == []
