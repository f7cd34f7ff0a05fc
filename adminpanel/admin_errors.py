"""ErrorRecord in the admin: read-only (the errors are evidence; retention removes them), searchable, in UTC.

Imported by adminpanel.admin, which Django's admin autodiscovery loads."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from adminpanel.models import ErrorRecord
from core.admin_bases import RecordAdmin


@admin.register(ErrorRecord)
class ErrorRecordAdmin(RecordAdmin):
    list_display = ("when", "kind", "exception_type", "short_message", "times", "staff_page")
    list_filter = ("kind", "created_at")
    search_fields = ("message", "exception_type", "logger")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    fields = ("kind", "logger", "when", "exception_type", "message", "context", "traceback")
    readonly_fields = fields
    list_per_page = 50

    @admin.display(description="When (UTC)", ordering="created_at")
    def when(self, record: ErrorRecord) -> str:
        return record.created_at.strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description="Message")
    def short_message(self, record: ErrorRecord) -> str:
        return record.message if len(record.message) <= 120 else record.message[:119] + "…"

    @admin.display(description="Times")
    def times(self, record: ErrorRecord) -> int:
        return int(record.context.get("count", 1))

    @admin.display(description="Staff page")
    def staff_page(self, record: ErrorRecord) -> str:
        return format_html('<a href="{}">view</a>', reverse("staff_error_detail", args=[record.pk]))
