"""The paper broker: ``base.Broker`` on the user's paper wallet and paper trades, filling at the market price.

Orders fill at once at the current price (the ticker snapshot, live or the replay), with the backtester's
costs (``trading.engine.paper``): market fills slip against the trader and pay the taker fee. An entry whose
margin (notional / leverage) and fee exceed the free margin (equity less what the open paper positions hold)
is refused, as BingX would refuse it. The broker
writes nothing: the execution service records each fill through the ledger, in the transaction that
settles the trade, so the Trade/TradeOrder rows *are* the paper "exchange": an entry absent from them was
never placed (``find_entry`` answers None), and placing it again is safe.

Its stops and targets are watched by ``trading.services.paper_watch`` on every price update, which also counts
the funding of the open paper trades (``trading.services.paper_funding``).
"""

from __future__ import annotations

from decimal import Decimal

from core.errors import Refused, Unavailable
from market.formatting import symbol_label
from market.selectors.prices import fresh_last_price
from market.selectors.snapshots import markets_meta
from trading.engine.paper import COSTS, LONG, SHORT, PaperCosts, entry_refusal, market_fill
from trading.models import Mode, PaperWallet, Trade, TradeOrder
from trading.models.fields import AMOUNT, PRICE, to_decimal
from trading.services.brokers.base import BrokerPosition, EntryRequest, Fill, Funds, MarketRules, Side
from trading.services.paper_wallet import paper_wallet

EXCHANGE = Trade._meta.get_field("exchange").default  # paper trades follow the prices of the exchange FLAXU trades on


def side_sign(side: str) -> int:
    return LONG if side == Trade.Side.LONG else SHORT


def order_id(client_order_id: str) -> str:
    """The paper "exchange's" id of an order: derived from its client order id, so it is the same every time."""
    return f"paper-{client_order_id}"


class PaperBroker:
    mode = Mode.PAPER

    def __init__(self, user, *, exchange: str = EXCHANGE, costs: PaperCosts = COSTS):
        self.user = user
        self.exchange = exchange
        self.costs = costs

    # --- reads -------------------------------------------------------------------------------------
    def _open_trades(self):
        return Trade.objects.filter(user=self.user, mode=Mode.PAPER, status=Trade.Status.OPEN)

    def equity(self) -> Decimal:
        """The wallet's cash plus every open paper trade's PnL so far (fees paid, TP1 taken) and the rest
        of it marked to the current price; no fresh price for one of them: Unavailable."""
        return self._equity(list(self._open_trades()))

    def _equity(self, trades: list[Trade]) -> Decimal:
        wallet: PaperWallet = paper_wallet(self.user)
        so_far = sum((t.pnl or Decimal(0) for t in trades), Decimal(0))
        marked = sum((self._unrealized(t, self.mark_price(t.symbol)) for t in trades), Decimal(0))
        return wallet.balance + so_far + marked

    def funds(self) -> Funds:
        """Equity, and equity less the margin the open paper trades hold (entry x remaining / leverage): what
        BingX calls available margin, and what a new position's margin and fee must fit in."""
        trades = list(self._open_trades())
        used = sum((t.entry_price * t.remaining / max(t.leverage, 1) for t in trades if t.entry_price), Decimal(0))
        equity = self._equity(trades)
        return Funds(equity=equity, free_margin=equity - used)

    def _unrealized(self, trade: Trade, mark: Decimal) -> Decimal:
        if trade.entry_price is None:
            return Decimal(0)
        move = mark - trade.entry_price if trade.side == Trade.Side.LONG else trade.entry_price - mark
        return move * trade.remaining

    def rules(self, symbol: str) -> MarketRules:
        snap = markets_meta(self.exchange)
        if not snap.data:
            raise Unavailable("The market list is not loaded yet; try again in a minute.")
        market = snap.data.get(symbol)
        if market is None or market.active is False:
            raise Refused(f"{symbol_label(symbol)} is not tradable on {self.exchange}.", field="symbol")
        return MarketRules(
            symbol=symbol,
            amount_step=market.amount_step,
            price_step=market.price_step,
            min_amount=market.min_amount,
            min_cost=market.min_cost,
            max_leverage=int(market.max_leverage) if market.max_leverage else None,
            # Paper fills pay the backtester's fees, whatever the venue charges.
            taker_fee=Decimal(repr(self.costs.taker_fee)),
            maker_fee=Decimal(repr(self.costs.maker_fee)),
        )

    def mark_price(self, symbol: str) -> Decimal:
        price = fresh_last_price(self.exchange, symbol)
        if price is None:
            raise Unavailable(f"No fresh price for {symbol_label(symbol)} right now; try again in a few seconds.")
        return price

    def find_entry(self, symbol: str, client_order_id: str) -> Fill | None:
        entry = (
            TradeOrder.objects.filter(
                client_order_id=client_order_id,
                role=TradeOrder.Role.ENTRY,
                trade__user=self.user,
                trade__mode=Mode.PAPER,
                trade__symbol=symbol,
            )
            .exclude(average_price=None)
            .first()
        )
        if entry is None:
            return None
        return Fill(
            order_id=entry.exchange_order_id or order_id(client_order_id),
            client_order_id=client_order_id,
            status="filled",
            filled=entry.filled,
            average_price=entry.average_price,
            fee=entry.fee,
        )

    def positions(self) -> list[BrokerPosition]:
        out = []
        for trade in self._open_trades().order_by("opened_at", "id"):
            price = fresh_last_price(self.exchange, trade.symbol)
            out.append(
                BrokerPosition(
                    symbol=trade.symbol,
                    side=trade.side,
                    size=trade.remaining,
                    entry_price=trade.entry_price,
                    mark_price=price,
                    unrealized_pnl=None if price is None else self._unrealized(trade, price),
                )
            )
        return out

    # --- orders ------------------------------------------------------------------------------------
    def _fill(self, client_order_id: str, side: int, size: Decimal, opening: bool, symbol: str) -> Fill:
        price = market_fill(side, float(self.mark_price(symbol)), opening=opening, costs=self.costs)
        average = to_decimal(price, PRICE["decimal_places"])
        fee = to_decimal(self.costs.taker_fee * float(average) * float(size), AMOUNT["decimal_places"])
        return Fill(
            order_id=order_id(client_order_id),
            client_order_id=client_order_id,
            status="filled",
            filled=size,
            average_price=average,
            fee=fee,
        )

    def open(self, request: EntryRequest) -> Fill:
        """Fill the entry at the current price (slippage against the trader, taker fee). Refused when that
        price is already at/through the stop or the first target: the backtester skips such a signal."""
        placed = self.find_entry(request.symbol, request.client_order_id)
        if placed is not None:
            return placed
        if request.size <= 0:
            raise Refused("The size must be positive.", field="size")
        side = side_sign(request.side)
        price = self.mark_price(request.symbol)
        refusal = entry_refusal(side, float(price), float(request.stop_loss), float(request.take_profit))
        if refusal:
            raise Refused(f"{symbol_label(request.symbol)} at {price}: {refusal}")
        # As BingX refuses an order its free margin cannot hold: paper must not trade what live could not.
        notional = price * request.size
        needed = notional / max(request.leverage, 1) + notional * Decimal(repr(self.costs.taker_fee))
        free = self.funds().free_margin
        if needed > free:
            raise Refused(
                f"Not enough free margin in your paper wallet: this order needs {needed:.2f} USDT at "
                f"{request.leverage}x and {max(free, Decimal(0)):.2f} USDT is free (your open positions hold the rest)."
            )
        return self._fill(request.client_order_id, side, request.size, True, request.symbol)

    def close(self, symbol: str, side: Side, size: Decimal, client_order_id: str) -> Fill:
        """Close at the current price (slippage against the trader, taker fee); the ledger records it."""
        if size <= 0:
            raise Refused("The size must be positive.", field="size")
        return self._fill(client_order_id, side_sign(side), size, False, symbol)
