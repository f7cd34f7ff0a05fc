"""What the back office keeps: staff actions (who did what to whom, and why) and recent server errors."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StaffAction(models.Model):
    """One staff action on a user (or on the platform): an audit trail nobody edits."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="staff_actions_taken"
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff_actions"
    )
    action = models.CharField(max_length=40, db_index=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} on {self.target_id}"


class ErrorRecord(models.Model):
    """A server error or failed task, with context and no secret; kept for settings.STAFF_ERROR_RETENTION_DAYS."""

    class Kind(models.TextChoices):
        REQUEST = "request", "Server error"
        TASK = "task", "Failed task"
        LOG = "log", "Logged error"

    kind = models.CharField(max_length=10, choices=Kind.choices, db_index=True)
    logger = models.CharField(max_length=200, blank=True)
    message = models.TextField()
    exception_type = models.CharField(max_length=200, blank=True)
    traceback = models.TextField(blank=True)
    context = models.JSONField(default=dict, blank=True)  # path, method, status, task name and id, user id…
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message[:80]}"


class TradesOpenedDay(models.Model):
    """Trades executed (entry filled) opened on one UTC day, per mode: the staff overview's rollup of closed
    days (adminpanel.services.trading_rollup), read only below TradingRollupMark.computed_until."""

    day = models.DateTimeField(help_text="The day's first instant (UTC).")
    mode = models.CharField(max_length=5)
    executed = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "mode"], name="adminpanel_opened_day_once")]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.mode}: {self.executed} opened"


class TradesClosedDay(models.Model):
    """Trades closed with a PnL on one UTC day, per mode and strategy: how many, the wins, the net PnL sum."""

    day = models.DateTimeField(help_text="The day's first instant (UTC).")
    mode = models.CharField(max_length=5)
    signal_type = models.CharField(max_length=6)
    closed = models.PositiveIntegerField()
    wins = models.PositiveIntegerField()
    # Wider than Trade.pnl (28, 8): a sum of many of them.
    pnl = models.DecimalField(max_digits=36, decimal_places=8)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "mode", "signal_type"], name="adminpanel_closed_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.mode} {self.signal_type}: {self.closed} closed"


class TradingRollupMark(models.Model):
    """One row: the rollup holds every day before ``computed_until`` (None: nothing yet); later days are
    counted live."""

    computed_until = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"trading rollup until {self.computed_until}"
