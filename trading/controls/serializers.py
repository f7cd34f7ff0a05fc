"""Shapes of the trading settings API: the user's settings, the kill switch's answer, the staff's global pause,
the paper wallet reset."""

from __future__ import annotations

from rest_framework import serializers

from core.errors import Refused
from trading.models import PaperWallet, TradingControl, TradingProfile
from trading.services.paper_wallet import PAPER_BALANCE_FIELD, PAPER_BALANCE_MAX, PAPER_BALANCE_MIN
from trading.services.profile import ACKNOWLEDGE_FIELD, LIVE_RISK_TEXT, min_confidence_floor, symbols_clean
from trading.services.risk import automation_refusal


class TradingSettingsSerializer(serializers.ModelSerializer):
    """Every field optional on PUT and PATCH alike: the ones sent change, the others keep their value."""

    symbols = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=200,
        help_text="Allowed markets as traders write them (BTC/USDT, BTCUSDT, BTC); stored as BTC/USDT:USDT. "
        "Empty: every market FLAXU follows.",
    )
    acknowledge_live_risk = serializers.BooleanField(
        write_only=True, required=False, default=False, help_text=f"Needed with mode=live: {LIVE_RISK_TEXT}"
    )
    automation_refusal = serializers.SerializerMethodField(
        help_text="Why automation would not trade now (global pause, your pause, automation off); null: it would."
    )
    min_confidence_floor = serializers.SerializerMethodField(
        help_text="The lowest min_confidence allowed (the platform threshold + 1)."
    )

    class Meta:
        model = TradingProfile
        fields = [
            "mode", "live_acknowledged_at", "automation_enabled", "min_confidence", "min_confidence_floor",
            "risk_pct", "reward_target", "max_leverage", "max_positions", "symbols", "daily_loss_limit_pct",
            "sniper_risk_pct", "sniper_leverage", "paused_until", "pause_reason", "automation_refusal",
            "updated_at", ACKNOWLEDGE_FIELD,
        ]  # fmt: skip
        read_only_fields = ["live_acknowledged_at", "paused_until", "pause_reason", "updated_at"]
        extra_kwargs = {
            "mode": {"help_text": "paper or live; live needs FULL access, 2FA, a BingX key and acknowledge_live_risk."}
        }

    def get_automation_refusal(self, profile: TradingProfile) -> str | None:
        return automation_refusal(profile.user, profile)

    def get_min_confidence_floor(self, profile: TradingProfile) -> int:
        return min_confidence_floor()

    def validate_min_confidence(self, value: int) -> int:
        floor = min_confidence_floor()
        if value < floor:
            raise serializers.ValidationError(f"At least {floor}: signals are executable only above {floor - 1}.")
        return value

    def validate_symbols(self, value: list[str]) -> list[str]:
        try:
            return symbols_clean(value)
        except Refused as exc:
            raise serializers.ValidationError(exc.message) from None


class KillSwitchSerializer(serializers.Serializer):
    detail = serializers.CharField()
    automation_enabled = serializers.BooleanField(help_text="Always false afterwards: turn it on again yourself.")
    active_before = serializers.IntegerField(help_text="Your PENDING/OPEN trades when the switch was used.")
    closed = serializers.IntegerField(help_text="Trades closed (or cancelled) by it.")


class GlobalPauseSerializer(serializers.ModelSerializer):
    changed_by = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = TradingControl
        fields = ["paused", "reason", "changed_by", "changed_at"]
        read_only_fields = ["changed_by", "changed_at"]
        extra_kwargs = {"paused": {"required": True}}


class PaperResetSerializer(serializers.Serializer):
    initial_balance = serializers.DecimalField(
        **PAPER_BALANCE_FIELD,
        required=False,
        help_text=f"USDT the wallet starts again with, {PAPER_BALANCE_MIN} to {PAPER_BALANCE_MAX}; "
        "omitted: its current size.",
    )


class PaperWalletSerializer(serializers.ModelSerializer):
    detail = serializers.SerializerMethodField()

    class Meta:
        model = PaperWallet
        fields = ["detail", "initial_balance", "balance", "reset_at"]

    def get_detail(self, wallet: PaperWallet) -> str:
        return f"Your paper wallet starts again at {wallet.balance:,.2f} USDT."
