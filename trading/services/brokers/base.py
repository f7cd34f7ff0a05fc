"""What every broker offers the execution service: the paper broker and BingX (live) are interchangeable.

A broker acts for one user in one mode. It never decides anything (sizing, limits, duplicates: the
execution service does); it places what it is told under the client order id it is given, and answers
``find_entry`` by that id so a timeout or a crash can be settled without placing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

Side = Literal["LONG", "SHORT"]


@dataclass(frozen=True, slots=True)
class MarketRules:
    """What the market allows an order to be: steps, minimums, leverage cap and fees (as fractions)."""

    symbol: str
    amount_step: Decimal | None
    price_step: Decimal | None
    min_amount: Decimal | None
    min_cost: Decimal | None
    max_leverage: int | None
    taker_fee: Decimal
    maker_fee: Decimal


@dataclass(frozen=True, slots=True)
class Fill:
    """An order as the broker reports it. ``status``: ``filled``, ``open`` (accepted, unfilled) or ``canceled``."""

    order_id: str
    client_order_id: str
    status: str
    filled: Decimal
    average_price: Decimal | None
    fee: Decimal


@dataclass(frozen=True, slots=True)
class BrokerPosition:
    """An open position on the broker's side, for monitoring (compared with the OPEN trades)."""

    symbol: str
    side: Side
    size: Decimal
    entry_price: Decimal | None
    mark_price: Decimal | None
    unrealized_pnl: Decimal | None


@dataclass(frozen=True, slots=True)
class Funds:
    equity: Decimal
    free_margin: Decimal


@dataclass(frozen=True, slots=True)
class EntryRequest:
    """A market entry with its protective orders, exactly as the execution service sized it."""

    symbol: str
    side: Side
    size: Decimal
    leverage: int
    stop_loss: Decimal
    take_profit: Decimal  # the first (or only) target
    take_profit_2: Decimal | None  # set: half at take_profit, the rest here, stop to entry after TP1
    client_order_id: str


class Broker(Protocol):
    mode: str  # "paper" | "live"

    def equity(self) -> Decimal:
        """The account's equity in USDT (cash plus open positions' unrealised PnL)."""

    def funds(self) -> Funds:
        """Equity and free margin (what a new position's margin and fee must fit in), read together."""

    def rules(self, symbol: str) -> MarketRules:
        """The market's order rules; raises when the symbol is not tradable."""

    def mark_price(self, symbol: str) -> Decimal:
        """The price an entry would fill near now; raises when there is no fresh price."""

    def open(self, request: EntryRequest) -> Fill:
        """Place the entry (and its stop and targets) under ``request.client_order_id``; never places twice."""

    def find_entry(self, symbol: str, client_order_id: str) -> Fill | None:
        """The entry placed under ``client_order_id``; None when the broker proves it absent."""

    def close(self, symbol: str, side: Side, size: Decimal, client_order_id: str) -> Fill:
        """Close ``size`` of the ``side`` position with a reduce-only market order (and cancel its open orders)."""

    def positions(self) -> list[BrokerPosition]:
        """Open positions; a malformed answer raises, never reads as 'none'."""
