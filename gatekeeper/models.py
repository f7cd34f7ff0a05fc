"""Access levels: the current decision per user (`Access`) and every decision ever made (`AccessCheck`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gatekeeper import rules


class Level(models.TextChoices):
    LIMITED = rules.LIMITED, "Limited"
    FULL = rules.FULL, "Full"
    SUSPENDED = rules.SUSPENDED, "Suspended"


class Access(models.Model):
    """A user's current access: the last decision, plus a staff override that wins until it expires."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access")
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.LIMITED)
    reason = models.TextField(blank=True, help_text="Why, in plain words, as shown to the user.")
    code = models.CharField(max_length=32, blank=True, help_text="Machine-readable reason (rules.Decision.code).")
    decided_at = models.DateTimeField(null=True, blank=True)
    qualified_at = models.DateTimeField(null=True, blank=True, help_text="First time FULL was earned.")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="Set while the last check could not reach BingX.")
    bingx_uid = models.CharField(
        "BingX UID",
        max_length=32,
        blank=True,
        help_text="The BingX account of the connected key. One BingX account unlocks one FLAXU account; "
        "removing the key frees it.",
    )
    recheck_allowed_at = models.DateTimeField(
        null=True, blank=True, help_text="“Check again” is refused until then (FLAXU_RECHECK_THROTTLE_SECONDS)."
    )
    override_level = models.CharField(max_length=10, choices=Level.choices, blank=True)
    override_reason = models.TextField(blank=True)
    override_expires_at = models.DateTimeField(null=True, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "access"
        constraints = [
            # The database settles two simultaneous connects of the same BingX account: one of them fails.
            models.UniqueConstraint(fields=["bingx_uid"], condition=~Q(bingx_uid=""), name="one_account_per_bingx_uid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.effective_level()}"

    def override_active(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(self.override_level) and (self.override_expires_at is None or self.override_expires_at > now)

    def effective_level(self, now=None) -> str:
        return self.override_level if self.override_active(now) else self.level

    def effective_reason(self, now=None) -> str:
        return self.override_reason if self.override_active(now) else self.reason


class AccessCheck(models.Model):
    """One decision (or one failed attempt): its inputs, outcome, reasons, policy and source."""

    class Source(models.TextChoices):
        CONNECT = "connect", "Key connected"
        RECHECK = "recheck", "User asked to check again"
        SCHEDULE = "schedule", "Scheduled re-validation"
        STAFF_RECHECK = "staff_recheck", "Staff re-check"
        OVERRIDE = "override", "Staff override"
        OVERRIDE_EXPIRED = "override_expired", "Staff override expired"
        KEY_REMOVED = "key_removed", "Key removed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_checks")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    policy = models.CharField(max_length=20)
    previous_level = models.CharField(max_length=10, choices=Level.choices)
    outcome = models.CharField(max_length=10, choices=Level.choices)
    code = models.CharField(max_length=32, blank=True)
    reasons = models.JSONField(default=list)
    inputs = models.JSONField(default=dict, help_text="Referral answer, deposits counted with USD values, window.")
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    transient = models.BooleanField(default=False, help_text="BingX could not be asked; access was left as it was.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_source_display()} · {self.previous_level}→{self.outcome}"

    @property
    def changed(self) -> bool:
        return self.previous_level != self.outcome
