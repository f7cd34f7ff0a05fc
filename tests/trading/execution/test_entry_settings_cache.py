"""A live entry reads the position mode once, reuses a recent mode and leverage on the same credential,
and reads them again after BingX refuses an order (never retrying the refused order)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from trading.models import Trade
from trading.services.execution import ManualOrder, signal_execute

from .conftest import ORDER, fresh_signal

pytestmark = pytest.mark.django_db

POSITION_MODE = "/openApi/swap/v1/positionSide/dual"
LEVERAGE = "/openApi/swap/v2/trade/leverage"


def manual(key: str) -> ManualOrder:
    return ManualOrder("BTC/USDT:USDT", "LONG", D("60000"), D("67000"), idempotency_key=key)  # small: margin for three


def test_an_entry_reads_the_position_mode_once(gateway, trader):
    trade = signal_execute(trader, signal=fresh_signal())

    assert trade.status == Trade.Status.OPEN, trade.failure_reason
    assert len(gateway.requests_to(POSITION_MODE, "GET")) == 1
    assert len(gateway.requests_to(LEVERAGE, "POST")) == 1


def test_a_second_entry_reuses_the_mode_and_does_not_resend_an_unchanged_leverage(gateway, trader):
    first = signal_execute(trader, manual=manual("k1"))
    second = signal_execute(trader, manual=manual("k2"))

    assert first.status == second.status == Trade.Status.OPEN
    assert first.leverage == second.leverage
    assert len(gateway.requests_to(POSITION_MODE, "GET")) == 1
    assert len(gateway.requests_to(LEVERAGE, "POST")) == 1


def test_a_cached_mode_is_dropped_after_a_position_side_refusal(gateway, trader):
    assert signal_execute(trader, manual=manual("k1")).status == Trade.Status.OPEN
    gateway.account("1001").position_mode = "oneway"  # switched on BingX's site since
    orders_before = len(gateway.requests_to(ORDER, "POST"))

    refused = signal_execute(trader, manual=manual("k2"))

    assert refused.status == Trade.Status.FAILED and "PositionSide" in refused.failure_reason
    assert len(gateway.requests_to(ORDER, "POST")) == orders_before + 1  # refused once, never retried
    assert len(gateway.requests_to(POSITION_MODE, "GET")) == 1  # the cached mode was used

    again = signal_execute(trader, manual=manual("k3"))

    assert again.status == Trade.Status.OPEN, again.failure_reason
    assert len(gateway.requests_to(POSITION_MODE, "GET")) == 2  # read again after the refusal
    assert [o["positionSide"] for o in gateway.orders("1001") if o["clientOrderId"] == again.client_order_id] == [
        "BOTH"
    ]
