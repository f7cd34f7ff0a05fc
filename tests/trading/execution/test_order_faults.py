"""Faults on the order path: whatever BingX does, exactly one entry order exists and the trade is settled
(OPEN with the real fill, or FAILED with the reason), at once or by reconciliation."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from market.exchanges import reset_process_state
from trading.models import Trade
from trading.services.execution import ManualOrder, signal_execute
from trading.services.reconciliation import trade_reconcile, trades_reconcile

from .conftest import ORDER, fresh_signal

pytestmark = pytest.mark.django_db


def entry_orders(fake, trade) -> list[dict]:
    return [o for o in fake.orders("1001") if o["clientOrderId"] == trade.client_order_id]


@pytest.mark.parametrize(
    ("fault", "options", "status"),
    [
        ("timeout_after_accept", {"delay": 1.0}, Trade.Status.OPEN),  # placed; the answer came too late
        ("http_500", {}, Trade.Status.OPEN),  # not placed; proven absent, placed once more
        ("reset", {}, Trade.Status.OPEN),
        ("bad_json", {}, Trade.Status.OPEN),  # placed; the answer unreadable, found by its id
        ("http_429", {"retry_after": 0.1}, Trade.Status.FAILED),  # refused before processing
    ],
)
def test_one_order_and_a_settled_trade(gateway, trader, settings, fault, options, status):
    settings.FLAXU_EXCHANGE_TIMEOUT_MS = 500
    gateway.inject(ORDER, fault, count=1, method="POST", **options)

    trade = signal_execute(trader, signal=fresh_signal())

    assert trade.status == status, trade.failure_reason
    assert len(entry_orders(gateway, trade)) == (1 if status == Trade.Status.OPEN else 0)
    if status == Trade.Status.OPEN:
        assert trade.entry_price is not None and trade.remaining == trade.size
    else:
        assert trade.failure_reason
    trades_reconcile()  # changes nothing
    trade.refresh_from_db()
    assert trade.status == status and len(entry_orders(gateway, trade)) == (status == Trade.Status.OPEN)


def test_an_outage_on_both_attempts_stays_pending_and_fails_after_the_window(gateway, trader, settings):
    gateway.inject(ORDER, "http_500", count=2, method="POST")  # both attempts refused; lookups prove absence

    trade = signal_execute(trader, signal=fresh_signal())

    assert trade.status == Trade.Status.PENDING  # an order late in BingX's queue could still land
    later = timezone.now() + timedelta(seconds=settings.FLAXU_ORDER_VISIBILITY_SECONDS + 1)
    assert trade_reconcile(trade, now=later).status == Trade.Status.FAILED
    assert entry_orders(gateway, trade) == []


def test_a_refused_retry_leaves_the_trade_pending_while_the_first_request_may_still_fill(gateway, trader, settings):
    # The first request is held past the client's timeout (BingX still has it), the lookup finds nothing
    # yet, the retry is refused with 429: the refusal proves nothing about the first request, which lands.
    settings.FLAXU_EXCHANGE_TIMEOUT_MS = 300
    settings.FLAXU_EXCHANGE_RETRIES = 1
    gateway.inject(ORDER, "latency", count=1, method="POST", delay=0.8)
    gateway.inject(ORDER, "http_429", count=1, method="POST", retry_after=0.05)

    trade = signal_execute(trader, signal=fresh_signal())

    assert trade.status == Trade.Status.PENDING, trade.failure_reason  # not FAILED: a position may be coming
    deadline = timezone.now() + timedelta(seconds=5)
    while not entry_orders(gateway, trade) and timezone.now() < deadline:
        time.sleep(0.05)
    later = timezone.now() + timedelta(seconds=settings.FLAXU_ORDER_VISIBILITY_SECONDS + 1)
    trade = trade_reconcile(trade, now=later)
    assert trade.status == Trade.Status.OPEN and trade.remaining == trade.size
    assert len(entry_orders(gateway, trade)) == 1


def test_an_unknown_outcome_stays_pending_until_reconciliation_finds_the_fill(gateway, trader, settings):
    settings.FLAXU_EXCHANGE_TIMEOUT_MS = 500
    settings.FLAXU_EXCHANGE_RETRIES = 1
    gateway.inject(ORDER, "timeout_after_accept", count=1, method="POST", delay=1.0)
    gateway.inject(ORDER, "http_500", count=None, method="GET")  # the lookup fails too

    trade = signal_execute(trader, signal=fresh_signal())
    assert trade.status == Trade.Status.PENDING
    assert trades_reconcile() == {"PENDING": 1}  # still cannot look it up: stays PENDING

    gateway.clear_faults()
    reset_process_state()  # BingX answers again: its circuit breaker closes (here at once)
    trades_reconcile()
    trade.refresh_from_db()
    assert trade.status == Trade.Status.OPEN and trade.entry_price is not None
    assert len(entry_orders(gateway, trade)) == 1


def test_an_order_never_placed_fails_only_after_the_visibility_window(gateway, trader, settings):
    settings.FLAXU_EXCHANGE_TIMEOUT_MS = 500
    settings.FLAXU_EXCHANGE_RETRIES = 1
    gateway.inject(ORDER, "http_500", count=None)  # neither placing nor looking up works
    trade = signal_execute(trader, signal=fresh_signal())
    assert trade.status == Trade.Status.PENDING
    gateway.clear_faults()
    reset_process_state()

    assert trade_reconcile(trade).status == Trade.Status.PENDING  # absent, but may still be on its way
    later = timezone.now() + timedelta(seconds=settings.FLAXU_ORDER_VISIBILITY_SECONDS + 1)
    trade = trade_reconcile(trade, now=later)

    assert trade.status == Trade.Status.FAILED and "never placed" in trade.failure_reason
    assert entry_orders(gateway, trade) == []


def test_a_tight_stop_is_held_to_the_leverage_cap_leaving_room_for_the_fee(gateway, trader):
    trade = signal_execute(
        trader,
        manual=ManualOrder("BTC/USDT:USDT", "LONG", D("64990"), D("66000"), idempotency_key="k1", risk_pct=D("2")),
    )

    assert trade.status == Trade.Status.OPEN, trade.failure_reason  # BingX's margin check passed
    assert trade.leverage == 5 and trade.size * trade.entry_price <= D("5000")
    assert len(entry_orders(gateway, trade)) == 1


def test_a_worker_killed_between_placing_and_recording_is_settled_by_reconciliation(gateway, trader):
    """The crash's aftermath: the order is on BingX, the trade row still PENDING with nothing recorded.
    Sending the entry again under the trade's client order id places nothing new (the gateway returns the
    existing order), and the reconciliation pass records the real fill. (A redelivered execution task
    meets the trade row and is refused as a duplicate: only reconciliation settles it.)"""
    from trading.services.brokers.live import LiveBroker
    from trading.services.execution import _place

    trade = signal_execute(trader, signal=fresh_signal())
    placed_by_crashed_worker = Trade.objects.get(pk=trade.pk)
    Trade.objects.filter(pk=trade.pk).update(status=Trade.Status.PENDING, entry_price=None, remaining=0)
    trade.orders.all().delete()

    _place(placed_by_crashed_worker, LiveBroker(trader))  # sent again: BingX's duplicate id, the order found
    trade.refresh_from_db()
    assert trade.status == Trade.Status.OPEN and len(entry_orders(gateway, trade)) == 1

    Trade.objects.filter(pk=trade.pk).update(status=Trade.Status.PENDING, entry_price=None, remaining=0)
    assert trades_reconcile() == {"OPEN": 1}
    trade.refresh_from_db()
    assert trade.entry_price == D("65000") and len(entry_orders(gateway, trade)) == 1
