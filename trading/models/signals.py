"""Live signals of the ICT engine, where each series' scan has got to, sniper alerts and calibration."""

from __future__ import annotations

from datetime import datetime

from django.db import models

from trading.engine import outcomes
from trading.engine.evidence import Verdict, execution_verdict
from trading.engine.timeframes import timeframe_to_timedelta
from trading.models.fields import PERCENT, PRICE


class Direction(models.TextChoices):
    LONG = "LONG", "Long"
    SHORT = "SHORT", "Short"


class Outcome(models.TextChoices):
    """What later candles did to a signal (``trading.engine.outcomes``)."""

    OPEN = outcomes.OPEN, "Open"
    TP1 = outcomes.TP1, "TP1"
    TP2 = outcomes.TP2, "TP2"
    STOPPED = outcomes.STOPPED, "Stopped"
    EXPIRED = outcomes.EXPIRED, "Expired"
    VOID = outcomes.VOID, "Not entered"


class Signal(models.Model):
    """A trade idea the ICT engine confirmed at the close of one candle (``bar_time`` is that candle's open).

    Rows are written once by ``trading.services.signals.signals_run``, with the evidence their class had
    then, and never changed except for their outcome (``trading.services.evidence``): a rerun inserts
    nothing it already stored (unique per series, bar and direction). ``reasons`` are sentences;
    ``events`` are the zones, sweeps and breaks behind the signal with prices and times, for the chart.
    """

    exchange = models.CharField(max_length=20)
    symbol = models.CharField(max_length=40)
    timeframe = models.CharField(max_length=4)
    bar_time = models.DateTimeField(help_text="Open time of the closed candle the signal was confirmed on.")
    # Stored (not derived) so lists can sort and page by when a trader could know the signal.
    known_at = models.DateTimeField(help_text="When the signal became known: the close of its candle.")
    # Confirmed on a candle that was not the newest closed one when the run happened (backfill, catch-up).
    historical = models.BooleanField(
        default=False,
        help_text="Found after the fact (backfill or catch-up): never pushed as new, never auto-executable.",
    )
    direction = models.CharField(max_length=5, choices=Direction.choices)
    setup = models.CharField(max_length=24)
    entry = models.DecimalField(**PRICE)
    stop_loss = models.DecimalField(**PRICE)
    take_profit_1 = models.DecimalField(**PRICE)
    take_profit_2 = models.DecimalField(**PRICE)
    confidence = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list, blank=True)
    events = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Evidence at creation (trading.engine.evidence): outcomes of setups like this resolved before known_at.
    evidence_rate = models.FloatField(null=True, blank=True, help_text="Past TP1-before-stop rate of the class.")
    evidence_low = models.FloatField(null=True, blank=True, help_text="Wilson 95 % interval, low end.")
    evidence_high = models.FloatField(null=True, blank=True, help_text="Wilson 95 % interval, high end.")
    evidence_n = models.PositiveIntegerField(default=0, help_text="Past outcomes the evidence counts.")
    evidence_mean_r = models.FloatField(null=True, blank=True, help_text="Their mean R after costs.")
    evidence_class = models.CharField(max_length=80, blank=True, help_text="The class counted, e.g. 'fvg LONG 1h'.")
    evidence_level = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="0: the exact class; higher: coarser."
    )
    # Outcome from later candles (trading.engine.outcomes), updated as they close; final once resolved.
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.OPEN)
    outcome_at = models.DateTimeField(null=True, blank=True, help_text="Close of the candle that resolved it.")
    outcome_r = models.FloatField(null=True, blank=True, help_text="Realised R after fees and slippage.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "symbol", "timeframe", "bar_time", "direction"], name="trading_signal_unique_bar"
            ),
        ]
        indexes = [
            models.Index(fields=["-bar_time", "-id"], name="trading_signal_latest"),
            models.Index(fields=["-known_at", "-id"], name="trading_signal_known"),
            models.Index(fields=["symbol", "timeframe", "-bar_time"], name="trading_signal_series"),
            models.Index(fields=["outcome", "outcome_at"], name="trading_signal_outcome"),
        ]
        ordering = ["-known_at", "-id"]

    def __str__(self) -> str:
        return f"{self.direction} {self.symbol} {self.timeframe} {self.bar_time:%Y-%m-%d %H:%M} ({self.confidence})"

    @staticmethod
    def close_of(bar_time: datetime, timeframe: str) -> datetime:
        """The close of the candle opening at ``bar_time``: when a signal on it became known."""
        return bar_time + timeframe_to_timedelta(timeframe).to_pytimedelta()

    @property
    def auto_executable(self) -> bool:
        """Confidence above FLAXU_SIGNAL_MIN_CONFIDENCE and positive out-of-sample evidence (see ``verdict``)."""
        return self.verdict.auto_executable

    @property
    def verdict(self) -> Verdict:
        """Whether it may be executed automatically and why, in words: strictly above the confidence
        threshold, and its class's mean R after costs positive over FLAXU_EVIDENCE_MIN_SAMPLES outcomes."""
        from trading.conf import evidence_config, signal_min_confidence

        if self.historical:  # a signal found after the fact is never executed
            return Verdict(False, "Informational: found after the fact (backfill or catch-up), never executed.")
        return execution_verdict(
            confidence=self.confidence,
            threshold=signal_min_confidence(),
            n=self.evidence_n,
            mean_r=self.evidence_mean_r,
            min_samples=evidence_config().min_samples,
            label=self.evidence_class,
        )

    def is_fresh_for_execution(self, now: datetime) -> bool:
        """A live signal not older than one bar of its timeframe at ``now``: later, the entry is stale."""
        step = timeframe_to_timedelta(self.timeframe).to_pytimedelta()
        return not self.historical and self.known_at <= now <= self.known_at + step

    @property
    def risk_reward(self) -> tuple[float, float]:
        """Reward over risk of each target (2.0 and 3.0 by default), to two decimals."""
        risk = abs(self.entry - self.stop_loss)
        if not risk:
            return (0.0, 0.0)
        return tuple(round(float(abs(tp - self.entry) / risk), 2) for tp in (self.take_profit_1, self.take_profit_2))


class SignalScan(models.Model):
    """How far the engine has looked at one series: signals are saved only for bars after ``analysed_until``."""

    exchange = models.CharField(max_length=20)
    symbol = models.CharField(max_length=40)
    timeframe = models.CharField(max_length=4)
    analysed_until = models.DateTimeField(null=True, help_text="Open time of the newest closed candle analysed.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "symbol", "timeframe"], name="trading_signalscan_unique_series"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exchange} {self.symbol} {self.timeframe} up to {self.analysed_until}"


class SniperAlert(models.Model):
    """A violent 5-minute move that swept most estimated liquidations, with a one-click trade suggestion."""

    class Move(models.TextChoices):
        PUMP = "PUMP", "Pump"
        DUMP = "DUMP", "Dump"

    exchange = models.CharField(max_length=20)
    symbol = models.CharField(max_length=40)
    time = models.DateTimeField(help_text="Open time of the 1-minute candle whose close triggered the alert.")
    move = models.CharField(max_length=4, choices=Move.choices)
    change_pct = models.DecimalField(**PERCENT)
    cleared_pct = models.DecimalField(**PERCENT)
    direction = models.CharField(max_length=5, choices=Direction.choices)
    entry = models.DecimalField(**PRICE)
    stop_loss = models.DecimalField(**PRICE)
    take_profit = models.DecimalField(**PRICE)
    origin_price = models.DecimalField(**PRICE, help_text="Where the move started (the window's low or high).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["exchange", "symbol", "time"], name="trading_sniperalert_unique_time"),
        ]
        indexes = [models.Index(fields=["-time", "-id"], name="trading_sniper_latest")]
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.move} {self.symbol} {self.change_pct:+.2f} % at {self.time:%Y-%m-%d %H:%M}"


class Calibration(models.Model):
    """A snapshot of how often backtested signals reached TP1, per setup and confidence bucket.

    ``table`` rows: ``{"setup", "bucket", "low", "high", "cases", "tp1_hits", "hit_rate"}``
    (``trading.engine.backtest.calibration``). Live signals quote the newest snapshot.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    table = models.JSONField(default=list)
    series = models.JSONField(default=list, help_text="The (exchange, symbol, timeframe) series backtested.")
    candles = models.PositiveIntegerField(default=0)
    signals = models.PositiveIntegerField(default=0)
    cases = models.PositiveIntegerField(default=0)

    class Meta:
        get_latest_by = "created_at"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Calibration of {self.created_at:%Y-%m-%d %H:%M} ({self.cases} cases)"
