"""Order API and page tests: a FULL user in paper mode on the priced replay market; live traders on the fake BingX."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tests.trading.execution.conftest import account, trader  # noqa: F401  (live: the fake BingX)
from tests.trading.paper.conftest import market  # noqa: F401  (paper: prices the test sets)
from trading.models import SniperAlert

BTC = "BTC/USDT:USDT"


def sniper_alert(*, minutes_ago: float = 1, **fields) -> SniperAlert:
    values = dict(
        exchange="bingx", symbol=BTC, time=timezone.now() - timedelta(minutes=minutes_ago), move="DUMP",
        change_pct=D("-4"), cleared_pct=D("80"), direction="LONG", entry=D("65000"), stop_loss=D("64000"),
        take_profit=D("67000"), origin_price=D("68000"),
    )  # fmt: skip
    values.update(fields)
    return SniperAlert.objects.create(**values)


@pytest.fixture
def priced(market):  # noqa: F811
    """BTC at 65,000 on the paper market."""
    market.set(BTC, "65000")
    return market
