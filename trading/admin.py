"""Staff screens: signals, sniper alerts, backtests, trades and orders, read-only (the engines and the exchange
wrote them); the global pause and lifting a user's pause are the only changes made here."""

from __future__ import annotations

from django.contrib import admin

from core.admin_bases import ReadOnlyAdmin, RecordAdmin
from trading.models import (
    Backtest,
    BacktestTrade,
    Calibration,
    DailyEquity,
    PaperWallet,
    Signal,
    SignalScan,
    SniperAlert,
    Trade,
    TradeOrder,
    TradingControl,
    TradingProfile,
)
from trading.services.risk import automation_pause_lift, global_pause_set


class ActedOnByFilter(admin.SimpleListFilter):
    """Signals a user traded (the User admin links here with ?acted_on_by=<user id>)."""

    title = "acted on by user"
    parameter_name = "acted_on_by"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, f"user #{value}")] if value and value.isdigit() else []

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(pk__in=Trade.objects.filter(user_id=int(value)).values("signal_id"))


@admin.register(Signal)
class SignalAdmin(ReadOnlyAdmin):
    list_display = (
        "bar_time",
        "symbol",
        "timeframe",
        "direction",
        "setup",
        "confidence",
        "entry",
        "stop_loss",
        "take_profit_1",
        "created_at",
    )
    list_filter = (ActedOnByFilter, "timeframe", "direction", "setup", "exchange")
    search_fields = ("symbol",)
    date_hierarchy = "bar_time"


@admin.register(SignalScan)
class SignalScanAdmin(admin.ModelAdmin):
    """Where each series' live scan has got to; deleting a row makes the next run backfill that series."""

    list_display = ("exchange", "symbol", "timeframe", "analysed_until", "updated_at")
    list_filter = ("timeframe", "exchange")
    search_fields = ("symbol",)
    readonly_fields = ("exchange", "symbol", "timeframe", "analysed_until", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SniperAlert)
class SniperAlertAdmin(ReadOnlyAdmin):
    list_display = (
        "time",
        "symbol",
        "move",
        "change_pct",
        "cleared_pct",
        "direction",
        "entry",
        "stop_loss",
        "take_profit",
    )
    list_filter = ("move", "direction", "exchange")
    search_fields = ("symbol",)
    date_hierarchy = "time"


@admin.register(Backtest)
class BacktestAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "user",
        "symbol",
        "timeframe",
        "start",
        "end",
        "status",
        "progress",
        "candles",
        "signals",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "timeframe")
    search_fields = ("user__email", "symbol")
    list_select_related = ("user",)
    readonly_fields = ("trade_count",)

    @admin.display(description="Trades")
    def trade_count(self, backtest: Backtest) -> int:
        return backtest.trades.count()


@admin.register(Calibration)
class CalibrationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "cases", "signals", "candles")


@admin.register(TradingControl)
class TradingControlAdmin(admin.ModelAdmin):
    """The global pause: saving goes through global_pause_set (logged with who and why)."""

    list_display = ("__str__", "paused", "reason", "changed_by", "changed_at")
    fields = ("paused", "reason", "changed_by", "changed_at")
    readonly_fields = ("changed_by", "changed_at")

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not TradingControl.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        saved = global_pause_set(obj.paused, obj.reason, request.user, request)
        obj.pk, obj.changed_by, obj.changed_at = saved.pk, saved.changed_by, saved.changed_at


@admin.register(TradingProfile)
class TradingProfileAdmin(ReadOnlyAdmin):
    """Users' trading settings, read-only (only the user changes them); staff may lift an automation pause."""

    list_display = ("user", "mode", "automation_enabled", "risk_pct", "max_leverage", "paused_until", "updated_at")
    list_filter = ("mode", "automation_enabled")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    actions = ["lift_pause"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Lift the automation pause (logged)")
    def lift_pause(self, request, queryset) -> None:
        for profile in queryset.select_related("user"):
            automation_pause_lift(profile.user, request.user, request)
        self.message_user(request, f"Automation pause lifted for {queryset.count()} user(s).")


class TradeOrderInline(admin.TabularInline):
    model = TradeOrder
    extra = 0
    can_delete = False
    fields = (
        "created_at",
        "role",
        "side",
        "type",
        "amount",
        "trigger_price",
        "status",
        "filled",
        "average_price",
        "fee",
        "client_order_id",
        "exchange_order_id",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Trade)
class TradeAdmin(RecordAdmin):
    list_display = (
        "id",
        "created_at",
        "user",
        "mode",
        "signal_type",
        "symbol",
        "side",
        "status",
        "entry_price",
        "exit_price",
        "size",
        "leverage",
        "pnl",
        "close_reason",
        "closed_at",
    )
    # Choice fields and date ranges only: a free-text column's filter (or the date drill-down) would scan the
    # whole table for its distinct values.
    list_filter = ("mode", "status", "signal_type", "side", "close_reason", "created_at")
    show_full_result_count = False  # one count per page, not two, on the largest table
    search_fields = ("user__email", "symbol", "client_order_id", "exchange_order_id")
    list_select_related = ("user",)
    raw_id_fields = ("user", "signal", "sniper_alert")
    inlines = (TradeOrderInline,)


@admin.register(TradeOrder)
class TradeOrderAdmin(RecordAdmin):
    list_display = (
        "id",
        "created_at",
        "trade",
        "user",
        "role",
        "side",
        "type",
        "amount",
        "status",
        "filled",
        "average_price",
        "fee",
    )
    list_filter = ("role", "created_at")  # status and type are free text: their filters would scan every order
    show_full_result_count = False
    search_fields = ("trade__user__email", "client_order_id", "exchange_order_id", "trade__symbol")
    list_select_related = ("trade__user",)

    @admin.display(description="User", ordering="trade__user__email")
    def user(self, order: TradeOrder):
        return order.trade.user


@admin.register(DailyEquity)
class DailyEquityAdmin(RecordAdmin):
    """Start-of-day equity per user and mode (the base of the daily loss limit), as read from the broker."""

    list_display = ("day", "user", "mode", "equity")
    list_filter = ("mode",)
    search_fields = ("user__email",)
    list_select_related = ("user",)
    date_hierarchy = "day"


@admin.register(PaperWallet)
class PaperWalletAdmin(RecordAdmin):
    """Paper balances (the user resets theirs on the trading page)."""

    list_display = ("user", "initial_balance", "balance", "reset_at", "updated_at")
    search_fields = ("user__email",)
    list_select_related = ("user",)


@admin.register(BacktestTrade)
class BacktestTradeAdmin(ReadOnlyAdmin):
    """Simulated trades; they go with their backtest."""

    list_display = (
        "backtest",
        "number",
        "user",
        "setup",
        "side",
        "entry_time",
        "entry_price",
        "exit_time",
        "exit_price",
        "exit_reason",
        "pnl",
        "r_multiple",
    )
    list_filter = ("side",)
    search_fields = ("backtest__user__email", "backtest__symbol", "setup")
    list_select_related = ("backtest__user",)
    show_full_result_count = False

    @admin.display(description="User", ordering="backtest__user__email")
    def user(self, trade: BacktestTrade):
        return trade.backtest.user

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
