"""Staff screens: signals, sniper alerts and backtests, read-only (the engines wrote them)."""

from __future__ import annotations

from django.contrib import admin

from trading.models import Backtest, Calibration, Signal, SignalScan, SniperAlert, TradingControl, TradingProfile
from trading.services.risk import automation_pause_lift, global_pause_set


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Signal)
class SignalAdmin(ReadOnlyAdmin):
    list_display = ("bar_time", "symbol", "timeframe", "direction", "setup", "confidence", "entry", "stop_loss",
                    "take_profit_1", "created_at")
    list_filter = ("timeframe", "direction", "setup", "exchange")
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
    list_display = ("time", "symbol", "move", "change_pct", "cleared_pct", "direction", "entry", "stop_loss",
                    "take_profit")
    list_filter = ("move", "direction", "exchange")
    search_fields = ("symbol",)
    date_hierarchy = "time"


@admin.register(Backtest)
class BacktestAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "symbol", "timeframe", "start", "end", "status", "progress", "candles", "signals",
                    "created_at", "finished_at")
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
