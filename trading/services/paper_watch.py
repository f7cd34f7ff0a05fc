"""The paper watcher: the stops and targets of open paper trades, checked on every price update.

Stored tickers (``market.signals.tickers_stored``) queue ``trading.tasks.watch_paper_trades`` on the
``orders`` queue; it reads the fresh last price of every symbol with an open paper trade and applies it
to each trade as one update, with the paper engine's rules (``trading.engine.paper``: the backtester's).
A ticker price is the update ``(p, p, p)``; a caller holding whole bars (the parity test, a replay) passes
them as ``PriceUpdate(open, high, low)``, which is exactly how the backtester walks a bar.

Each trade is updated under its row lock, so two watchers (or the watcher and a "close now") never
record the same exit twice; exits go through the ledger (which pushes the trade to its owner), under
deterministic client order ids (``paper-<trade id>-<tp1|tp2|stop|breakeven>``). After TP1 with a second
target the trade's ``stop_loss`` becomes its entry price (break-even).

``paper_watch_tickers`` (the ticker refresh's path, not ``paper_watch``) first counts the funding settled
since the last update on those exchanges' open paper trades (``trading.services.paper_funding``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from market.selectors.prices import fresh_last_price
from trading.engine.paper import (
    BREAKEVEN,
    COSTS,
    STOP,
    TP1,
    TP2,
    Exit,
    PaperCosts,
    Position,
    PriceUpdate,
    position_update,
)
from trading.models import Mode, Trade, TradeOrder
from trading.models.fields import AMOUNT, PRICE, SIZE, to_decimal
from trading.services.brokers.paper import side_sign
from trading.services.ledger import trade_record_exit
from trading.services.paper_funding import paper_funding_count

logger = logging.getLogger(__name__)

_REASON = {
    STOP: Trade.CloseReason.STOP_LOSS,
    BREAKEVEN: Trade.CloseReason.BREAKEVEN,
    TP1: Trade.CloseReason.TAKE_PROFIT,
    TP2: Trade.CloseReason.TAKE_PROFIT,
}
_ROLE = {
    STOP: TradeOrder.Role.STOP,
    BREAKEVEN: TradeOrder.Role.STOP,
    TP1: TradeOrder.Role.TP1,
    TP2: TradeOrder.Role.TP2,
}
_SIZE_STEP = Decimal(1).scaleb(-SIZE["decimal_places"])


def _open_paper_trades():
    return Trade.objects.filter(mode=Mode.PAPER, status=Trade.Status.OPEN)


def paper_watch_tickers(exchanges: Iterable[str]) -> int:
    """Apply each followed symbol's fresh last price to the open paper trades on ``exchanges``; returns
    the number of exits recorded. A symbol without a fresh price is left alone until the next update."""
    pairs = list(_open_paper_trades().filter(exchange__in=list(exchanges)).values_list("exchange", "symbol").distinct())
    for exchange in sorted({exchange for exchange, _ in pairs}):
        try:  # funding settled since the last update first: a trade closing on this update still pays it
            paper_funding_count(exchange)
        except Exception:
            logger.exception("funding on the paper trades of %s not counted now", exchange)
    by_exchange: dict[str, dict[str, PriceUpdate]] = {}
    for exchange, symbol in pairs:
        price = fresh_last_price(exchange, symbol)
        if price is not None:
            by_exchange.setdefault(exchange, {})[symbol] = PriceUpdate.tick(float(price))
    return sum(len(paper_watch(exchange, updates)) for exchange, updates in by_exchange.items())


def paper_watch(
    exchange: str, updates: Mapping[str, PriceUpdate], *, costs: PaperCosts = COSTS, at: datetime | None = None
) -> list[Exit]:
    """Apply ``updates`` (symbol -> update) to every open paper trade of those symbols; the exits made."""
    exits: list[Exit] = []
    trades = _open_paper_trades().filter(exchange=exchange, symbol__in=list(updates)).order_by("id")
    for trade in trades:
        if trade.entry_price is None or not _acts(trade, updates[trade.symbol], costs):
            continue  # most updates touch no level: no row lock, no write
        try:
            exits += paper_trade_update(trade, updates[trade.symbol], costs=costs, at=at)
        except Exception:
            # One trade's failure must not leave the others unwatched; it is retried on the next update.
            logger.exception("paper trade %s not updated", trade.pk)
    return exits


def _acts(trade: Trade, update: PriceUpdate, costs: PaperCosts) -> bool:
    before = _position(trade)
    after, exits = position_update(before, update, costs)
    return bool(exits) or after != before


def _position(trade: Trade) -> Position:
    return Position(
        side=side_sign(trade.side),
        entry=float(trade.entry_price),
        stop=float(trade.stop_loss),
        tp1=float(trade.take_profit),
        tp2=None if trade.take_profit_2 is None else float(trade.take_profit_2),
        tp1_done=trade.remaining < trade.size,
    )


def paper_trade_update(
    trade: Trade, update: PriceUpdate, *, costs: PaperCosts = COSTS, at: datetime | None = None
) -> list[Exit]:
    """One price update for one open paper trade: its exits recorded, its stop moved to break-even after TP1."""
    with transaction.atomic():
        locked = Trade.objects.select_for_update().get(pk=trade.pk)
        if locked.status != Trade.Status.OPEN or locked.entry_price is None or locked.remaining <= 0:
            return []
        before = _position(locked)
        after, exits = position_update(before, update, costs)
        if after.stop != before.stop and not _closes(exits):
            # The only stop move is to break-even (the entry fill, exactly as stored), written before the
            # TP1 exit so the ledger's push already shows it.
            Trade.objects.filter(pk=locked.pk).update(stop_loss=locked.entry_price)
        for exit_ in exits:
            _record(locked, exit_, at)
    trade.refresh_from_db()
    return exits


def _closes(exits: list[Exit]) -> bool:
    return any(e.reason != TP1 or e.fraction >= 1.0 for e in exits)


def _record(trade: Trade, exit_: Exit, at: datetime | None) -> None:
    if exit_.reason == TP1 and exit_.fraction < 1.0:
        size = (trade.size * Decimal(repr(exit_.fraction))).quantize(_SIZE_STEP)
    else:
        size = trade.remaining  # the last exit takes all that is left
    price = to_decimal(exit_.price, PRICE["decimal_places"])
    fee = to_decimal(exit_.fee_rate * float(price) * float(size), AMOUNT["decimal_places"])
    trade_record_exit(
        trade,
        size,
        price,
        fee,
        _REASON[exit_.reason],
        at,
        client_order_id=f"paper-{trade.pk}-{exit_.reason}",
        exchange_order_id=f"paper-{trade.pk}-{exit_.reason}",
        role=_ROLE[exit_.reason],
    )
