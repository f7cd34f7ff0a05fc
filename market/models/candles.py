"""Stored candles: one row per (exchange, symbol, timeframe, open time), closed candles only."""

from __future__ import annotations

from django.db import models

# Prices carry 12 decimals (SHIB/PEPE trade near 1e-5) and 12 integer digits; volumes 8 decimals.
PRICE = {"max_digits": 24, "decimal_places": 12}
VOLUME = {"max_digits": 32, "decimal_places": 8}


class Timeframe(models.TextChoices):
    M1 = "1m", "1 minute"
    M5 = "5m", "5 minutes"
    M15 = "15m", "15 minutes"
    H1 = "1h", "1 hour"
    D1 = "1d", "1 day"


class Candle(models.Model):
    """An OHLCV candle as the exchange (or the replay) reported it, once closed.

    ``symbol`` is ccxt's unified perpetual symbol (``BTC/USDT:USDT``); ``open_time`` is the candle's
    start in UTC. Written only by ``market.services.candles`` (idempotent upserts); read in bulk by
    ``market.selectors.candles.candle_frame``.
    """

    exchange = models.CharField(max_length=20)
    symbol = models.CharField(max_length=40)
    timeframe = models.CharField(max_length=4, choices=Timeframe.choices)
    open_time = models.DateTimeField()
    open = models.DecimalField(**PRICE)
    high = models.DecimalField(**PRICE)
    low = models.DecimalField(**PRICE)
    close = models.DecimalField(**PRICE)
    volume = models.DecimalField(**VOLUME)

    class Meta:
        constraints = [
            # Also the index every range read uses (exchange, symbol, timeframe, open_time BETWEEN ...).
            models.UniqueConstraint(
                fields=["exchange", "symbol", "timeframe", "open_time"], name="market_candle_unique_open_time"
            ),
        ]
        indexes = [
            # Retention deletes by timeframe and age across every symbol.
            models.Index(fields=["timeframe", "open_time"], name="market_candle_tf_time"),
        ]
        ordering = ["exchange", "symbol", "timeframe", "open_time"]

    def __str__(self) -> str:
        return f"{self.exchange} {self.symbol} {self.timeframe} {self.open_time:%Y-%m-%d %H:%M}"
