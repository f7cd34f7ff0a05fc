"""Staff screen for the outbox: pushes waiting for the web process to relay them (no-Redis mode), read-only."""

from __future__ import annotations

from django.contrib import admin

from core.realtime.models import OutboxEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "type", "group")
    list_filter = ("type",)
    search_fields = ("=group",)
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
