"""Staff screens for the market app: price alerts (who watches what, and what fired)."""

from __future__ import annotations

from django.contrib import admin

from market.models import PriceAlert


class FiredFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("fired", "Fired")]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(fired_at__isnull=True)
        if self.value() == "fired":
            return queryset.filter(fired_at__isnull=False)
        return queryset


@admin.register(PriceAlert)
class PriceAlertAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "symbol", "exchange", "condition_text", "created_at", "fired_at", "fired_price")
    list_filter = (FiredFilter, "condition", "exchange")
    search_fields = ("user__email", "symbol", "note")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    raw_id_fields = ("user",)
    # Firing is the checker's job (once, atomically): staff see its result but do not edit it.
    readonly_fields = ("created_at", "fired_at", "fired_price", "reference_price")
    fields = (
        "user",
        "exchange",
        "symbol",
        "condition",
        "price",
        "percent",
        "window_minutes",
        "note",
        "created_at",
        "fired_at",
        "fired_price",
        "reference_price",
    )

    @admin.display(description="Condition")
    def condition_text(self, alert: PriceAlert) -> str:
        return alert.describe()
