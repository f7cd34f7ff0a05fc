"""The live broker: one user's BingX USDT-margined perpetual account, through the exchange gateway.

The user's key is decrypted for each call into local variables only (never kept on the broker, in
Celery arguments, caches or logs). The gateway places every order exactly once by its client order id
(``market.exchanges.orders``); this broker only maps FLAXU's requests onto it:

- hedge or one-way: read from the account once per entry, or reused when read within the last minute
  (BingX accounts start in hedge mode); leverage is set for the entry's side (``long``/``short``) in hedge
  mode and ``both`` in one-way mode, and not sent again when the same was set within the last minute
  (``market.exchanges.settings_cache``: each call costs rate-limit budget; a refused order drops both);
- the entry is a market order with its stop-loss attached (a STOP_MARKET on the mark price for the whole
  size) and one take-profit attached: the only target, or TP2 for the partial plan;
- the partial plan (half at TP1, the rest at TP2, the stop to break-even after TP1) is, on BingX: the
  attached TP at TP2 for the whole size (BingX/the fake clip a reduce-only trigger to what is left), a
  separate reduce-only TAKE_PROFIT_MARKET for half at TP1 (``protect``), and, once TP1 has filled, a new
  STOP_MARKET at the entry for the rest, after which the first stop is cancelled
  (``trading.services.monitoring`` does the last two; until then the original stop still protects all).
"""

from __future__ import annotations

from decimal import Decimal

from django.views.decorators.debug import sensitive_variables

from accounts.models import User
from accounts.services.credentials import credential_reveal
from core.errors import Refused
from gatekeeper.services.access import bingx_credential
from market import exchanges
from trading.services.brokers.base import BrokerPosition, EntryRequest, Fill, Funds, MarketRules, Side

EXCHANGE = "bingx"
_STATUS = {"closed": "filled", "open": "open", "canceled": "canceled", "rejected": "canceled", "expired": "canceled"}
PROTECTIVE_TYPES = ("stop_market", "take_profit_market")


def order_side(side: Side) -> str:
    """The order side that opens a ``side`` position."""
    return "buy" if side == "LONG" else "sell"


def fill_from(order: exchanges.Order, taker_fee: Decimal | None = None) -> Fill:
    """A gateway order as the broker reports it; ``unknown`` status when BingX did not say.

    BingX reports the fee as a negative commission (ccxt hands back its size); when the order answer
    carries none, the taker fee on the filled notional stands in.
    """
    filled = order.filled or Decimal(0)
    fee = abs(order.fee) if order.fee is not None else None
    if fee is None or (fee == 0 and filled and taker_fee):
        fee = filled * (order.average_price or Decimal(0)) * (taker_fee or Decimal(0))
    return Fill(
        order_id=order.id,
        client_order_id=order.client_order_id or "",
        status=_STATUS.get(order.status or "", "unknown"),
        filled=filled,
        average_price=order.average_price if filled else None,
        fee=fee,
    )


class LiveBroker:
    """``base.Broker`` over the user's BingX key (raises Refused when the user has none)."""

    mode = "live"

    def __init__(self, user: User) -> None:
        self.user = user
        self._credential = bingx_credential(user)  # ciphertext only; decrypted per call
        if self._credential is None:
            raise Refused("Connect your BingX API key to trade live.")
        self._rules: dict[str, MarketRules] = {}

    @sensitive_variables()
    def _creds(self) -> exchanges.ApiCredentials:
        api_key, secret = credential_reveal(self._credential)
        return exchanges.ApiCredentials(
            api_key=api_key, secret=secret, sandbox=self._credential.sandbox, ref=f"credential {self._credential.pk}"
        )

    # --- Account and market -----------------------------------------------------------------------
    def equity(self) -> Decimal:
        return exchanges.equity(self._creds())

    def funds(self) -> Funds:
        balance = exchanges.balances(self._creds())  # one read: equity and BingX's available margin
        return Funds(equity=balance.equity, free_margin=balance.available)

    def rules(self, symbol: str) -> MarketRules:
        if symbol not in self._rules:
            market = next((m for m in exchanges.markets(EXCHANGE) if m.symbol == symbol), None)
            if market is None or market.active is False:
                raise Refused(f"{symbol} is not tradable on BingX.")
            self._rules[symbol] = MarketRules(
                symbol=symbol,
                amount_step=market.amount_step,
                price_step=market.price_step,
                min_amount=market.min_amount,
                min_cost=market.min_cost,
                max_leverage=int(market.max_leverage) if market.max_leverage else None,
                taker_fee=market.taker_fee if market.taker_fee is not None else Decimal("0.0005"),
                maker_fee=market.maker_fee if market.maker_fee is not None else Decimal("0.0002"),
            )
        return self._rules[symbol]

    def mark_price(self, symbol: str) -> Decimal:
        rate = exchanges.funding_rates(EXCHANGE, [symbol]).get(symbol)
        if rate is None or not rate.mark_price:
            raise exchanges.ExchangeUnavailable(f"BingX gave no mark price for {symbol}.")
        return rate.mark_price

    def position_mode(self) -> str:
        return exchanges.position_mode(self._creds())

    # --- Orders -----------------------------------------------------------------------------------
    def open(self, request: EntryRequest) -> Fill:
        creds = self._creds()
        mode = exchanges.position_mode(creds, cached=True)
        side = request.side.lower() if mode == "hedge" else "both"
        exchanges.set_leverage(creds, request.symbol, request.leverage, side, cached=True)
        order = exchanges.place_market_order(
            creds,
            request.symbol,
            order_side(request.side),
            request.size,
            stop_loss=request.stop_loss,
            take_profit=request.take_profit_2 or request.take_profit,
            client_order_id=request.client_order_id,
            mode=mode,
        )
        return fill_from(order, self.rules(request.symbol).taker_fee)

    def find_entry(self, symbol: str, client_order_id: str) -> Fill | None:
        order = exchanges.fetch_order(self._creds(), symbol, client_order_id=client_order_id)
        return None if order is None else fill_from(order, self.rules(symbol).taker_fee)

    def order(self, symbol: str, order_id: str) -> Fill | None:
        """Any order by its exchange id (the attached stops carry no client id); None if unknown."""
        order = exchanges.fetch_order(self._creds(), symbol, order_id=order_id)
        return None if order is None else fill_from(order, self.rules(symbol).taker_fee)

    def protective_orders(self, symbol: str, side: Side) -> list[exchanges.Order]:
        """The open stop-loss / take-profit orders guarding the ``side`` position."""
        closing = "sell" if side == "LONG" else "buy"
        return [
            o
            for o in exchanges.open_orders(self._creds(), symbol)
            if o.type in PROTECTIVE_TYPES
            and (o.position_side == side.lower() or (o.position_side in (None, "both") and o.side == closing))
        ]

    def protect(
        self, symbol: str, side: Side, size: Decimal, trigger: Decimal, kind: str, client_order_id: str
    ) -> Fill:
        """A reduce-only stop-loss or take-profit (``kind``) for ``size`` of the position, placed once."""
        order = exchanges.place_protective_order(
            self._creds(), symbol, side.lower(), size, trigger, kind, client_order_id=client_order_id
        )
        return fill_from(order)

    def cancel(self, symbol: str, order_id: str) -> None:
        exchanges.cancel_order(self._creds(), symbol, order_id=order_id)

    def close(self, symbol: str, side: Side, size: Decimal, client_order_id: str) -> Fill:
        """Close ``size`` of the position (reduce-only market order); then, if none is left, cancel its
        stops. A position already gone answers a ``canceled`` fill of nothing."""
        creds = self._creds()
        order = exchanges.close_position(creds, symbol, side.lower(), size, client_order_id=client_order_id)
        if not any(p.side == side.lower() for p in exchanges.positions(creds, symbol)):
            for o in self.protective_orders(symbol, side):
                exchanges.cancel_order(creds, symbol, order_id=o.id)
        if order is None:
            return Fill(
                order_id="",
                client_order_id=client_order_id,
                status="canceled",
                filled=Decimal(0),
                average_price=None,
                fee=Decimal(0),
            )
        return fill_from(order, self.rules(symbol).taker_fee)

    def funding_payments(self, symbol: str, since) -> list[exchanges.FundingPayment]:
        """Funding settled on ``symbol`` from ``since`` on (received; negative: paid), oldest first."""
        return exchanges.funding_payments(self._creds(), symbol, since)

    def positions(self) -> list[BrokerPosition]:
        return [
            BrokerPosition(
                symbol=p.symbol,
                side="LONG" if p.side == "long" else "SHORT",
                size=p.contracts,
                entry_price=p.entry_price,
                mark_price=p.mark_price,
                unrealized_pnl=p.unrealized_pnl,
            )
            for p in exchanges.positions(self._creds())
        ]
