"""Paper trading tests: the replay market with prices the test sets, stored by the real ticker refresh.

``market.set(symbol, price)`` stores a ticker snapshot where ``symbol`` trades at ``price`` (through
``tickers_refresh``, whose ``tickers_stored`` signal runs the paper watcher: Celery eager, on commit).
``market.fund(symbol, rate, next_funding_time, mark)`` stores a funding snapshot (``funding_refresh``)
announcing that rate for that settlement; without it the market has no funding data.
``open_paper(...)`` opens a paper trade the way the execution service does: a PENDING trade, the paper
broker's fill, the ledger's entry.
"""

from __future__ import annotations

import dataclasses
import itertools
from decimal import Decimal as D

import pytest

from flaxu.celery import app as celery_app
from market.exchanges.types import FundingRate
from market.services.snapshots import funding_refresh, markets_refresh, tickers_refresh
from market.sources.replay import ReplaySource
from trading.models import Trade
from trading.services.brokers.base import EntryRequest
from trading.services.brokers.paper import PaperBroker
from trading.services.ledger import trade_record_entry

EXCHANGE = "bingx"
BTC = "BTC/USDT:USDT"
_ids = itertools.count(1)


class PricedReplay(ReplaySource):
    """The replay market, with the last price (and the funding rates) of some symbols set by the test."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.prices: dict[str, D] = {}
        self.funding: dict[str, FundingRate] = {}

    def funding_rates(self, exchange):
        return {symbol: dataclasses.replace(rate, exchange=exchange) for symbol, rate in self.funding.items()}

    def tickers(self, exchange):
        out = super().tickers(exchange)
        for symbol, price in self.prices.items():
            out[symbol] = dataclasses.replace(out[symbol], last=price, bid=price, ask=price)
        return out


class Market:
    def __init__(self, source: PricedReplay, capture):
        self.source = source
        self._capture = capture

    def set(self, symbol: str, price) -> None:
        self.source.prices[symbol] = D(str(price))
        with self._capture(execute=True):
            tickers_refresh(exchange=EXCHANGE, source=self.source)

    def fund(self, symbol: str, rate, next_funding_time, mark=None) -> None:
        self.source.funding[symbol] = FundingRate(
            EXCHANGE, symbol, D(str(rate)), next_funding_time, None if mark is None else D(str(mark)), None, "8h"
        )
        funding_refresh(exchange=EXCHANGE, source=self.source)


@pytest.fixture
def market(db, django_capture_on_commit_callbacks):
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # the queued watcher runs in the test, as a worker would
    source = PricedReplay(exchanges=(EXCHANGE,))
    markets_refresh(exchange=EXCHANGE, source=source)
    yield Market(source, django_capture_on_commit_callbacks)
    celery_app.conf.task_always_eager = eager


def open_paper(user, *, side="LONG", size="2", stop="95", tp1="110", tp2=None, symbol=BTC, equity="10000") -> Trade:
    cid = f"fxpaper{next(_ids)}"
    trade = Trade.objects.create(
        user=user,
        mode="paper",
        signal_type="MANUAL",
        symbol=symbol,
        side=side,
        reward_target="partial" if tp2 else "1:2",
        stop_loss=D(stop),
        take_profit=D(tp1),
        take_profit_2=None if tp2 is None else D(tp2),
        size=D(size),
        leverage=3,
        risk_amount=D("10"),
        equity_at_entry=D(equity),
        client_order_id=cid,
    )
    request = EntryRequest(
        symbol=symbol,
        side=side,
        size=D(size),
        leverage=3,
        stop_loss=D(stop),
        take_profit=D(tp1),
        take_profit_2=None if tp2 is None else D(tp2),
        client_order_id=cid,
    )
    trade_record_entry(trade, PaperBroker(user).open(request))
    return trade
