from django.db import models
from django.utils import timezone


class OutboxEvent(models.Model):
    """A push waiting to be relayed to websocket groups by the web process (no-Redis mode only)."""

    group = models.CharField(max_length=100)
    type = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.type} → {self.group}"
