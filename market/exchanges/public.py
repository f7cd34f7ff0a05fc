"""Public market data from BingX, Binance USDⓈ-M, OKX and Bybit (no credentials)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import ccxt

from market.exchanges import calls, clients, errors
from market.exchanges.types import (
    Candle,
    FundingRate,
    LongShortRatio,
    MalformedValue,
    Market,
    OpenInterest,
    OrderBook,
    Ticker,
    decimal_or_none,
    decimal_required,
    time_from_ms,
)

MAX_DEPTH = 1000


def _known(exchange: str) -> str:
    if exchange not in clients.EXCHANGES:
        raise errors.InvalidRequest(f"Unknown exchange {exchange!r}; expected one of {', '.join(clients.EXCHANGES)}.")
    return exchange


def _ms(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise errors.InvalidRequest("Use timezone-aware datetimes.")
    return int(moment.timestamp() * 1000)


def _step(precision: Any, mode: int) -> Decimal | None:
    """ccxt precision as a step size (0.001), whatever the exchange's precision mode."""
    value = decimal_or_none(precision)
    if value is None or mode == ccxt.SIGNIFICANT_DIGITS:
        return None
    return Decimal(1).scaleb(-int(value)) if mode == ccxt.DECIMAL_PLACES else value


def _market(exchange: str, m: dict, mode: int) -> Market:
    limits, precision = m.get("limits") or {}, m.get("precision") or {}
    leverage = limits.get("leverage") or {}
    return Market(
        exchange=exchange,
        symbol=m["symbol"],
        id=str(m["id"]),
        base=m["base"],
        quote=m["quote"],
        settle=m.get("settle"),
        type=m["type"],
        active=m.get("active"),
        contract_size=decimal_or_none(m.get("contractSize")),
        amount_step=_step(precision.get("amount"), mode),
        price_step=_step(precision.get("price"), mode),
        min_amount=decimal_or_none((limits.get("amount") or {}).get("min")),
        max_amount=decimal_or_none((limits.get("amount") or {}).get("max")),
        min_cost=decimal_or_none((limits.get("cost") or {}).get("min")),
        max_leverage=decimal_or_none(leverage.get("max")),
        maker_fee=decimal_or_none(m.get("maker")),
        taker_fee=decimal_or_none(m.get("taker")),
    )


def markets(exchange: str) -> list[Market]:
    """The exchange's linear perpetual swaps (``BTC/USDT:USDT``), by symbol."""

    def read(c: Any) -> list[Market]:
        swaps = [m for m in c.markets.values() if m.get("swap") and m.get("linear")]
        return sorted((_market(exchange, m, c.precisionMode) for m in swaps), key=lambda m: m.symbol)

    return calls.public(_known(exchange), "markets", read)


def _ticker(exchange: str, t: dict) -> Ticker:
    return Ticker(
        exchange=exchange,
        symbol=t["symbol"],
        last=decimal_or_none(t.get("last")),
        bid=decimal_or_none(t.get("bid")),
        ask=decimal_or_none(t.get("ask")),
        change_percent=decimal_or_none(t.get("percentage")),
        base_volume=decimal_or_none(t.get("baseVolume")),
        quote_volume=decimal_or_none(t.get("quoteVolume")),
        time=time_from_ms(t.get("timestamp")),
    )


def tickers(exchange: str, symbols: list[str] | None = None) -> dict[str, Ticker]:
    """Latest tickers by symbol (all swaps, or ``symbols``)."""

    def read(c: Any) -> dict[str, Ticker]:
        raw = c.fetch_tickers(symbols)
        if not isinstance(raw, dict):
            raise MalformedValue("the tickers answer is not a mapping")
        return {symbol: _ticker(exchange, t) for symbol, t in raw.items()}

    return calls.public(_known(exchange), "tickers", read)


def _levels(rows: Any, name: str) -> tuple[tuple[Decimal, Decimal], ...]:
    if not isinstance(rows, list):
        raise MalformedValue(f"the order book has no {name}")
    return tuple((decimal_required(r[0], "price"), decimal_required(r[1], "amount")) for r in rows)


def order_book(exchange: str, symbol: str, depth: int = 20) -> OrderBook:
    """Best ``depth`` bids and asks."""
    if not 1 <= depth <= MAX_DEPTH:
        raise errors.InvalidRequest(f"depth is between 1 and {MAX_DEPTH}.")

    def read(c: Any) -> OrderBook:
        book = c.fetch_order_book(symbol, depth)
        return OrderBook(
            exchange=exchange,
            symbol=symbol,
            bids=_levels(book.get("bids"), "bids")[:depth],
            asks=_levels(book.get("asks"), "asks")[:depth],
            time=time_from_ms(book.get("timestamp")),
        )

    return calls.public(_known(exchange), "order_book", read)


def ohlcv(
    exchange: str, symbol: str, timeframe: str, since: datetime | None = None, limit: int | None = None
) -> list[Candle]:
    """Candles, oldest first."""

    def read(c: Any) -> list[Candle]:
        if timeframe not in (c.timeframes or {}):
            raise errors.InvalidRequest(f"{exchange} has no {timeframe!r} candles.")
        rows = c.fetch_ohlcv(symbol, timeframe, _ms(since), limit)
        if not isinstance(rows, list):
            raise MalformedValue("the candles answer is not a list")
        return [
            Candle(
                time=time_from_ms(r[0]),
                open=decimal_required(r[1], "open"),
                high=decimal_required(r[2], "high"),
                low=decimal_required(r[3], "low"),
                close=decimal_required(r[4], "close"),
                volume=decimal_required(r[5], "volume"),
            )
            for r in rows
        ]

    return calls.public(_known(exchange), "ohlcv", read)


def _funding(exchange: str, f: dict) -> FundingRate:
    return FundingRate(
        exchange=exchange,
        symbol=f["symbol"],
        rate=decimal_required(f.get("fundingRate"), "fundingRate"),
        next_funding_time=time_from_ms(f.get("fundingTimestamp") or f.get("nextFundingTimestamp")),
        mark_price=decimal_or_none(f.get("markPrice")),
        index_price=decimal_or_none(f.get("indexPrice")),
        interval=f.get("interval"),
    )


def funding_rates(exchange: str, symbols: list[str] | None = None) -> dict[str, FundingRate]:
    """Current funding rates by symbol."""

    def read(c: Any) -> dict[str, FundingRate]:
        raw = c.fetch_funding_rates(symbols)
        if not isinstance(raw, dict):
            raise MalformedValue("the funding rates answer is not a mapping")
        return {symbol: _funding(exchange, f) for symbol, f in raw.items()}

    return calls.public(_known(exchange), "funding_rates", read)


def open_interest(exchange: str, symbol: str) -> OpenInterest:
    """Open interest in contracts and in quote currency where the exchange reports it."""

    def read(c: Any) -> OpenInterest:
        oi = c.fetch_open_interest(symbol)
        amount, value = decimal_or_none(oi.get("openInterestAmount")), decimal_or_none(oi.get("openInterestValue"))
        if amount is None and value is None:
            raise MalformedValue("the open interest answer has no amount or value")
        return OpenInterest(
            exchange=exchange, symbol=symbol, amount=amount, value=value, time=time_from_ms(oi.get("timestamp"))
        )

    return calls.public(_known(exchange), "open_interest", read)


def long_short_ratio(
    exchange: str, symbol: str, timeframe: str, since: datetime | None = None, limit: int | None = None
) -> list[LongShortRatio]:
    """Account long/short ratio history (Binance USDⓈ-M, OKX, Bybit); NotOffered for BingX."""
    if not clients.offers(_known(exchange), "fetchLongShortRatioHistory"):
        raise errors.NotOffered(f"{exchange} does not publish long/short ratios.")

    def read(c: Any) -> list[LongShortRatio]:
        rows = c.fetch_long_short_ratio_history(symbol, timeframe, _ms(since), limit)
        if not isinstance(rows, list):
            raise MalformedValue("the long/short answer is not a list")
        return [
            LongShortRatio(
                exchange=exchange,
                symbol=r.get("symbol") or symbol,
                timeframe=r.get("timeframe") or timeframe,
                ratio=decimal_required(r.get("longShortRatio"), "longShortRatio"),
                time=time_from_ms(r.get("timestamp")),
            )
            for r in rows
        ]

    return calls.public(exchange, "long_short_ratio", read)
