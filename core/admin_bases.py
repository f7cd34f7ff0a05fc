"""Admin bases every app's admin shares: what staff may only look at."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff look; nobody adds or edits here (rows come from the app's own services)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class RecordAdmin(ReadOnlyAdmin):
    """A record of what happened (an audit trail, what the exchange did): nobody deletes it here either."""

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
