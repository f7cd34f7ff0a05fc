"""USD value of credited deposits: stablecoins 1:1, other coins at their price when credited (else now)."""

from __future__ import annotations

from datetime import timedelta

from gatekeeper.rules import STABLECOINS, CountedDeposit
from market import exchanges

_PRICE_EXCHANGE = "bingx"


def _symbol(currency: str) -> str:
    return f"{currency}/USDT:USDT"


def _price_at(currency: str, moment) -> exchanges.Candle | None:
    candles = exchanges.ohlcv(_PRICE_EXCHANGE, _symbol(currency), "1m", since=moment - timedelta(minutes=1), limit=2)
    return candles[-1] if candles else None


def deposit_counted(deposit: exchanges.Deposit) -> CountedDeposit:
    """Price one deposit. Transient exchange errors propagate: a check must never decide on a guess."""
    currency = deposit.currency.upper()
    if currency in STABLECOINS:
        return CountedDeposit(currency, deposit.amount, deposit.amount, deposit.credited_at, "stablecoin")
    try:
        candle = _price_at(currency, deposit.credited_at)
        if candle is not None:
            return CountedDeposit(
                currency, deposit.amount, deposit.amount * candle.close, deposit.credited_at, "at_deposit"
            )
        ticker = exchanges.tickers(_PRICE_EXCHANGE, [_symbol(currency)]).get(_symbol(currency))
    except exchanges.InvalidRequest:  # no such market: the coin cannot be priced here
        ticker = None
    if ticker is not None and ticker.last is not None:
        return CountedDeposit(currency, deposit.amount, deposit.amount * ticker.last, deposit.credited_at, "current")
    return CountedDeposit(currency, deposit.amount, None, deposit.credited_at, "unpriced")
