"""Funding on open live trades: the position sync counts BingX's funding fees into the trade, each one once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest

from trading.models import Trade
from trading.services.execution import signal_execute
from trading.services.monitoring import positions_sync

from .conftest import fresh_signal

pytestmark = pytest.mark.django_db
INCOME = "/openApi/swap/v2/user/income"


def test_funding_is_counted_once_in_the_pnl_of_an_open_trade(gateway, trader):
    trade = signal_execute(trader, signal=fresh_signal())
    assert trade.status == Trade.Status.OPEN and trade.funding == 0
    pnl_before = trade.pnl
    gateway.add_funding("1001", "BTC-USDT", D("-5"), time=trade.opened_at - timedelta(hours=1))  # before it opened
    gateway.add_funding("1001", "ETH-USDT", D("-7"), time=trade.opened_at + timedelta(seconds=1))  # another symbol
    gateway.add_funding("1001", "BTC-USDT", D("-0.4"), time=trade.opened_at + timedelta(seconds=1))
    gateway.add_funding("1001", "BTC-USDT", D("0.1"), time=trade.opened_at + timedelta(seconds=2))

    positions_sync(trader)
    trade.refresh_from_db()
    assert trade.funding == D("0.3")  # paid 0.4, received 0.1
    assert trade.pnl == pnl_before - D("0.3")
    last = trade.opened_at + timedelta(seconds=2)
    assert trade.funding_until == last.replace(microsecond=last.microsecond // 1000 * 1000)  # BingX: ms

    positions_sync(trader)  # nothing new: nothing counted again
    trade.refresh_from_db()
    assert trade.funding == D("0.3")

    gateway.add_funding("1001", "BTC-USDT", D("-0.05"), time=trade.opened_at + timedelta(seconds=3))
    positions_sync(trader)
    trade.refresh_from_db()
    assert trade.funding == D("0.35") and trade.pnl == pnl_before - D("0.35")
    assert len(gateway.requests_to(INCOME, "GET")) == 3


def test_an_unreadable_funding_answer_counts_nothing_and_the_next_sync_does(gateway, trader, settings):
    settings.FLAXU_EXCHANGE_RETRIES = 0
    trade = signal_execute(trader, signal=fresh_signal())
    gateway.add_funding("1001", "BTC-USDT", D("-0.4"), time=trade.opened_at + timedelta(seconds=1))
    gateway.inject(INCOME, "bad_json", count=1)

    positions_sync(trader)
    trade.refresh_from_db()
    assert trade.funding == 0 and trade.status == Trade.Status.OPEN

    positions_sync(trader)
    trade.refresh_from_db()
    assert trade.funding == D("0.4")
