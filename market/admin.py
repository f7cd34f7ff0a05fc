"""Staff screens for the market app: price alerts (who watches what, and what fired) and stored candles."""

from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from core.admin_bases import RecordAdmin
from market.models import Candle, PriceAlert


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


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows (a bounded subquery) instead of the whole table: the last pages are not offered."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.CAP].count()


@admin.register(Candle)
class CandleAdmin(RecordAdmin):
    """Stored candles, read-only (written by the candle service from the exchange). A huge table: no full
    count, no date drill-down, filters only on short choice lists, and a search that matches a symbol exactly."""

    list_display = ("open_time", "exchange", "symbol", "timeframe", "open", "high", "low", "close", "volume")
    list_filter = ("timeframe",)
    search_fields = ("=symbol",)
    show_full_result_count = False
    paginator = CappedCountPaginator
    list_per_page = 50
    sortable_by = ()  # the unique index's order (exchange, symbol, timeframe, open_time) is the only cheap one
