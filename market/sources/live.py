"""The live source: public data from the exchanges, through the gateway (``market.exchanges``) only."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal

from market import exchanges as gateway
from market.exchanges import errors
from market.exchanges.types import Candle, FundingRate, LongShortRatio, Market, OpenInterest, OrderBook, Ticker
from market.simulator.instruments import UNIVERSE
from market.simulator.venues import venue
from market.sources.base import Liquidation

logger = logging.getLogger(__name__)

LONG_SHORT_TIMEFRAME = "5m"


class LiveSource:
    """``MarketSource`` over the exchange gateway; ``now()`` is the wall clock."""

    name = "live"
    is_demo = False
    detail = "Live exchange data"

    def __init__(self, *, exchanges: tuple[str, ...] | list[str] = ("bingx", "binanceusdm", "okx", "bybit")):
        self._exchanges = tuple(exchanges)
        if not self._exchanges:
            raise ValueError("at least one exchange")

    def __repr__(self) -> str:
        return f"<LiveSource {','.join(self._exchanges)}>"

    def now(self) -> datetime:
        return datetime.now(UTC)

    def exchanges(self) -> list[str]:
        return list(self._exchanges)

    def universe(self) -> list[str]:
        """The followed perpetuals (the simulator's list) that the first exchange lists.

        A fixed list rather than "top N by volume" so candle history does not churn; if the exchange's
        markets cannot be loaded, the whole list.
        """
        wanted = [i.symbol for i in UNIVERSE]
        try:
            listed = {m.symbol for m in gateway.markets(self._exchanges[0]) if m.active is not False}
        except errors.GatewayError as exc:
            logger.warning("market universe: %s markets unavailable (%s); using the full list", self._exchanges[0], exc)
            return wanted
        return [s for s in wanted if s in listed]

    def _check(self, exchange: str) -> None:
        if exchange not in self._exchanges:
            raise errors.InvalidRequest(f"Unknown exchange {exchange!r}; expected one of {', '.join(self._exchanges)}.")

    def tickers(self, exchange: str) -> dict[str, Ticker]:
        self._check(exchange)
        return gateway.tickers(exchange)

    def order_book(self, exchange: str, symbol: str, depth: int = 20) -> OrderBook:
        self._check(exchange)
        return gateway.order_book(exchange, symbol, depth)

    def ohlcv(
        self, exchange: str, symbol: str, timeframe: str, since: datetime | None = None, limit: int | None = None
    ) -> list[Candle]:
        self._check(exchange)
        return gateway.ohlcv(exchange, symbol, timeframe, since=since, limit=limit)

    def funding_rates(self, exchange: str) -> dict[str, FundingRate]:
        self._check(exchange)
        return gateway.funding_rates(exchange)

    def open_interest(self, exchange: str, symbol: str) -> OpenInterest:
        self._check(exchange)
        return gateway.open_interest(exchange, symbol)

    def long_short_ratio(self, exchange: str, symbol: str) -> LongShortRatio:
        self._check(exchange)
        rows = gateway.long_short_ratio(exchange, symbol, LONG_SHORT_TIMEFRAME, limit=1)
        if not rows:
            raise errors.ExchangeUnavailable(f"{exchange} sent no long/short ratio for {symbol}.")
        return max(rows, key=lambda r: r.time)

    def markets(self, exchange: str) -> dict[str, Market]:
        self._check(exchange)
        return {m.symbol: m for m in gateway.markets(exchange)}

    def taker_fee(self, exchange: str, symbol: str) -> Decimal:
        """ccxt's taker fee for the market; the exchange's published base rate if ccxt has none."""
        market = self.markets(exchange).get(symbol)
        if market is None:
            raise errors.InvalidRequest(f"{exchange} has no market {symbol!r}.")
        return market.taker_fee if market.taker_fee is not None else Decimal(repr(venue(exchange).taker_fee))

    def liquidations(self, since: datetime, until: datetime | None = None) -> list[Liquidation]:
        raise errors.NotOffered("Live liquidation events come from the exchanges' streams (market.providers).")
