"""Price alerts (XACHE): a user asks to be told once when a perpetual's price crosses a level or moves fast."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from market.formatting import format_level
from market.models.candles import PRICE


class PriceAlert(models.Model):
    """One alert of one user; it fires at most once (``fired_at`` is set exactly once, atomically).

    ``above``/``below`` compare the exchange's last price with ``price``. ``rise``/``fall`` fire when the
    last price is ``percent`` % above the lowest (below the highest) price traded within the last
    ``window_minutes``, counting only time since the alert was created (so an old move never fires a new
    alert). Checked by ``market.services.alerts.price_alerts_check``.
    """

    class Condition(models.TextChoices):
        ABOVE = "above", "Price at or above"
        BELOW = "below", "Price at or below"
        RISE = "rise", "Rises by % within a window"
        FALL = "fall", "Falls by % within a window"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="price_alerts")
    exchange = models.CharField(max_length=20, help_text="Whose last price is watched (ccxt id).")
    symbol = models.CharField(max_length=40, help_text="ccxt perpetual symbol, e.g. BTC/USDT:USDT.")
    condition = models.CharField(max_length=8, choices=Condition.choices)
    price = models.DecimalField(**PRICE, null=True, blank=True, help_text="Level for above/below.")
    percent = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, help_text="Move size for rise/fall (positive)."
    )
    window_minutes = models.PositiveIntegerField(null=True, blank=True, help_text="Window for rise/fall.")
    note = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    fired_at = models.DateTimeField(null=True, blank=True)
    fired_price = models.DecimalField(**PRICE, null=True, blank=True)
    reference_price = models.DecimalField(
        **PRICE, null=True, blank=True, help_text="Rise/fall: the window's low/high the move was measured from."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(condition__in=["above", "below"], price__gt=0)
                | Q(condition__in=["rise", "fall"], percent__gt=0, window_minutes__gt=0),
                name="market_pricealert_complete",
            ),
        ]
        indexes = [
            # The checker reads only active alerts, by symbol.
            models.Index(
                fields=["exchange", "symbol"], condition=Q(fired_at__isnull=True), name="market_pricealert_active"
            ),
            models.Index(fields=["user", "created_at"], name="market_pricealert_user"),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} {self.describe()}"

    @property
    def is_active(self) -> bool:
        return self.fired_at is None

    @property
    def is_window(self) -> bool:
        return self.condition in (self.Condition.RISE, self.Condition.FALL)

    def describe(self) -> str:
        """``at or above 100,000.00`` / ``rises 5% within 1 h``: the condition in words."""
        if self.condition == self.Condition.ABOVE:
            return f"at or above {_level(self.price)}"
        if self.condition == self.Condition.BELOW:
            return f"at or below {_level(self.price)}"
        verb = "rises" if self.condition == self.Condition.RISE else "falls"
        return f"{verb} {_plain(self.percent)}% within {_duration(self.window_minutes)}"


def _level(value) -> str:
    """A price level grouped as traders read it, never rounded (``200,000.00``)."""
    return "?" if value is None else format_level(value)


def _plain(value) -> str:
    """A Decimal without exponent or trailing zeros (``1E+5`` → ``100000``)."""
    if value is None:
        return "?"
    text = format(value.normalize(), "f")
    return text


def _duration(minutes: int | None) -> str:
    if not minutes:
        return "?"
    if minutes % 1440 == 0:
        days = minutes // 1440
        return f"{days} day" + ("s" if days > 1 else "")
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} h"
    return f"{minutes} min"
