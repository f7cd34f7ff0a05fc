"""Test data for trading: synthetic candles stored the way the market app stores them, FULL users."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from gatekeeper.services.overrides import access_override
from market.exchanges.types import Candle as CandleRow
from market.services.candles import candles_upsert
from trading.engine.synthetic import generate_candles

EXCHANGE = "bingx"
BTC = "BTC/USDT:USDT"
ETH = "ETH/USDT:USDT"
START = "2024-01-01"


def _decimal(value: float) -> Decimal:
    return Decimal(f"{value:.8f}")


def store_candles(frame: pd.DataFrame, *, symbol: str = BTC, timeframe: str = "5m", exchange: str = EXCHANGE) -> int:
    """Store a float OHLCV frame (UTC index of open times) as Candle rows with 8-decimal prices."""
    rows = [
        CandleRow(
            time=t.to_pydatetime(),
            open=_decimal(o),
            high=_decimal(h),
            low=_decimal(lo),
            close=_decimal(c),
            volume=_decimal(v),
        )
        for t, o, h, lo, c, v in zip(
            frame.index, frame["open"], frame["high"], frame["low"], frame["close"], frame["volume"], strict=True
        )
    ]
    return candles_upsert(exchange, symbol, timeframe, rows)


def synthetic(n: int, *, seed: int = 3, timeframe: str = "5m", start: str = START, **kwargs) -> pd.DataFrame:
    return generate_candles(n, seed=seed, timeframe=timeframe, start=start, **kwargs)


def seed_candles(
    n: int = 2000, *, seed: int = 3, symbol: str = BTC, timeframe: str = "5m", start: str = START, **kwargs
) -> pd.DataFrame:
    """Generate and store ``n`` synthetic candles; returns the generated (float) frame."""
    frame = synthetic(n, seed=seed, timeframe=timeframe, start=start, **kwargs)
    store_candles(frame, symbol=symbol, timeframe=timeframe)
    return frame


def grant_full(user) -> None:
    access_override(user=user, level="FULL", reason="test", expires_at=None, actor=None)


def make_signal(
    *,
    bar_time,
    timeframe: str = "5m",
    symbol: str = BTC,
    direction: str = "LONG",
    confidence: int = 80,
    entry: str = "97000.5",
    stop_loss: str = "96500",
    take_profit_1: str = "98000.25",
    take_profit_2: str = "98500",
    **fields,
):
    """One stored Signal (as ``signals_run`` writes it) with plain levels, for list and page tests;
    ``fields``: more columns (evidence, outcome, historical)."""
    from trading.models import Signal

    return Signal.objects.create(
        exchange=EXCHANGE, symbol=symbol, timeframe=timeframe, bar_time=bar_time,
        known_at=Signal.close_of(bar_time, timeframe), direction=direction, setup="swing_ob",
        entry=Decimal(entry), stop_loss=Decimal(stop_loss), take_profit_1=Decimal(take_profit_1),
        take_profit_2=Decimal(take_profit_2), confidence=confidence, reasons=["test"], **fields,
    )  # fmt: skip
