"""Backtests a user ran from the Backtests page or the API, and the trades each one simulated."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trading.models.fields import AMOUNT, PRICE, SIZE
from trading.models.signals import Direction


class Backtest(models.Model):
    """One run of the ICT engine and the backtester over stored candles of one symbol and timeframe.

    Created ``queued`` by ``backtest_create`` (which validates it), run by a Celery task that moves
    ``progress`` 0-100; ``stats``, ``equity`` (downsampled ``[[epoch seconds, equity], ...]``) and
    ``calibration`` hold the results, ``BacktestTrade`` rows the trades.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="backtests")
    exchange = models.CharField(max_length=20)
    symbol = models.CharField(max_length=40)
    timeframe = models.CharField(max_length=4)
    start = models.DateTimeField()
    end = models.DateTimeField(help_text="Exclusive: candles opening before this time.")
    # The part of [start, end) with stored candles, set when created: what the backtest really covers.
    effective_start = models.DateTimeField(null=True, blank=True, help_text="Open of the first stored candle.")
    effective_end = models.DateTimeField(null=True, blank=True, help_text="Close of the last stored candle.")
    parameters = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    candles = models.PositiveIntegerField(default=0)
    signals = models.PositiveIntegerField(default=0)
    stats = models.JSONField(default=dict, blank=True)
    equity = models.JSONField(default=list, blank=True)
    calibration = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="trading_backtest_user_latest")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Backtest #{self.pk} {self.symbol} {self.timeframe} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def partial(self) -> bool:
        """Stored candles cover only part of the requested period."""
        if self.effective_start is None or self.effective_end is None:
            return False
        return self.effective_start > self.start or self.effective_end < self.end


class BacktestTrade(models.Model):
    """One simulated trade (the backtester's trade table, in Decimal)."""

    backtest = models.ForeignKey(Backtest, on_delete=models.CASCADE, related_name="trades")
    number = models.PositiveIntegerField()
    setup = models.CharField(max_length=24)
    confidence = models.PositiveSmallIntegerField(null=True)
    side = models.CharField(max_length=5, choices=Direction.choices)
    entry_time = models.DateTimeField()
    entry_price = models.DecimalField(**PRICE)
    stop_loss = models.DecimalField(**PRICE)
    take_profit_1 = models.DecimalField(**PRICE)
    take_profit_2 = models.DecimalField(**PRICE, null=True)
    size = models.DecimalField(**SIZE)
    notional = models.DecimalField(**AMOUNT)
    tp1_hit = models.BooleanField(default=False)
    tp1_time = models.DateTimeField(null=True)
    tp1_price = models.DecimalField(**PRICE, null=True)
    exit_time = models.DateTimeField()
    exit_price = models.DecimalField(**PRICE)
    exit_reason = models.CharField(max_length=16)
    gross_pnl = models.DecimalField(**AMOUNT)
    fees = models.DecimalField(**AMOUNT)
    funding = models.DecimalField(**AMOUNT)
    pnl = models.DecimalField(**AMOUNT)
    r_multiple = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    bars_held = models.PositiveIntegerField()
    equity_before = models.DecimalField(**AMOUNT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["backtest", "number"], name="trading_backtesttrade_unique_number"),
        ]
        ordering = ["backtest", "number"]

    def __str__(self) -> str:
        return f"#{self.number} {self.side} {self.entry_time:%Y-%m-%d %H:%M} {self.pnl:+}"
