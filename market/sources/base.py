"""The market-data interface every FLAXU feature reads through: live exchanges or the replay.

``get_source()`` (``market.sources``) returns the configured one. Both answer with the gateway's frozen
dataclasses (``market.exchanges.types``: Decimal money, aware UTC datetimes) and raise the gateway's
errors (``market.exchanges.NotOffered``, ``InvalidRequest``, ``ExchangeUnavailable``, ...), so a caller
never knows which one it has, except through ``name``/``is_demo`` (the UI shows a DEMO badge).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol, runtime_checkable

from market.exchanges.types import Candle, FundingRate, LongShortRatio, Market, OpenInterest, OrderBook, Ticker


@dataclass(frozen=True, slots=True)
class Liquidation:
    """A forced close: ``side`` is the side of the position that was liquidated."""

    exchange: str
    symbol: str
    side: Literal["long", "short"]
    price: Decimal
    amount: Decimal  # base units
    value: Decimal  # quote (USDT)
    time: datetime


@runtime_checkable
class MarketSource(Protocol):
    name: str  # "live" | "replay"
    is_demo: bool  # True: show the DEMO badge

    def now(self) -> datetime:
        """The source's clock (aware UTC): wall time when live, replay time in the replay."""
        ...

    def exchanges(self) -> list[str]:
        """The exchanges this source serves (ccxt ids, FLAXU_MARKET_EXCHANGES)."""
        ...

    def universe(self) -> list[str]:
        """The perpetuals FLAXU follows (candles, snapshots), as ccxt symbols (``BTC/USDT:USDT``)."""
        ...

    def tickers(self, exchange: str) -> dict[str, Ticker]: ...

    def order_book(self, exchange: str, symbol: str, depth: int = 20) -> OrderBook: ...

    def ohlcv(
        self, exchange: str, symbol: str, timeframe: str, since: datetime | None = None, limit: int | None = None
    ) -> list[Candle]:
        """Candles from ``since`` (or the latest ``limit``), oldest first; the last one may still be forming."""
        ...

    def funding_rates(self, exchange: str) -> dict[str, FundingRate]: ...

    def open_interest(self, exchange: str, symbol: str) -> OpenInterest: ...

    def long_short_ratio(self, exchange: str, symbol: str) -> LongShortRatio:
        """The latest account long/short ratio; raises ``market.exchanges.NotOffered`` (BingX)."""
        ...

    def markets(self, exchange: str) -> dict[str, Market]:
        """The exchange's linear perpetuals by symbol (steps, limits, fees)."""
        ...

    def taker_fee(self, exchange: str, symbol: str) -> Decimal: ...

    def liquidations(self, since: datetime, until: datetime | None = None) -> list[Liquidation]:
        """Liquidation events in [since, until), oldest first; ``NotOffered`` where the source has none
        (live: the exchanges' liquidation streams are read by ``market.providers``)."""
        ...
