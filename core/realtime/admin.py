"""Staff screen for the outbox: pushes waiting for the web process to relay them (no-Redis mode), read-only."""

from __future__ import annotations

from django.contrib import admin

from core.admin_bases import RecordAdmin
from core.realtime.models import OutboxEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(RecordAdmin):
    list_display = ("id", "created_at", "type", "group")
    list_filter = ("type",)
    search_fields = ("=group",)
    date_hierarchy = "created_at"
    show_full_result_count = False
