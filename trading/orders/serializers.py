"""Shapes of the order API: a manual order or a one-click (sniper alert, signal), and the price preview."""

from __future__ import annotations

from rest_framework import serializers

from core.errors import Refused
from trading.models import Trade
from trading.models.execution import RISK_MAX_PCT, RISK_MIN_PCT
from trading.services.profile import symbols_clean

PRICE = {"max_digits": 30, "decimal_places": 12, "min_value": 0, "required": False}
MANUAL_FIELDS = ("symbol", "side", "stop_loss", "take_profit")
ONE_CLICK_FIELDS = ("sniper_alert", "signal")


class OrderRequestSerializer(serializers.Serializer):
    """One of: a manual order (symbol, side, stop_loss, take_profit [, take_profit_2, risk_pct]), a one-click
    on a sniper alert (``sniper_alert``: your sniper defaults) or on an executable signal (``signal``)."""

    idempotency_key = serializers.CharField(
        max_length=100,
        required=False,
        help_text="Required for a manual order: your key for this submission. The same key never places twice "
        "(409 with the trade's Location). One-clicks are keyed by their alert or signal.",
    )
    sniper_alert = serializers.IntegerField(required=False, min_value=1, help_text="One-click on this sniper alert.")
    signal = serializers.IntegerField(required=False, min_value=1, help_text="One-click on this executable signal.")
    symbol = serializers.CharField(required=False, max_length=40, help_text="BTC/USDT:USDT (or BTC, BTCUSDT).")
    side = serializers.ChoiceField(choices=Trade.Side.choices, required=False)
    stop_loss = serializers.DecimalField(**PRICE)
    take_profit = serializers.DecimalField(**PRICE, help_text="The target (the first one with take_profit_2).")
    take_profit_2 = serializers.DecimalField(
        **PRICE, help_text="Optional: half at take_profit, the rest here, stop moved to break-even."
    )
    risk_pct = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=RISK_MIN_PCT,
        max_value=RISK_MAX_PCT,
        required=False,
        help_text=f"Percent of equity lost at the stop ({RISK_MIN_PCT}-{RISK_MAX_PCT}); default: your setting.",
    )

    def validate_symbol(self, value: str) -> str:
        try:
            return symbols_clean([value])[0]
        except Refused as exc:
            raise serializers.ValidationError(exc.message) from None
        except IndexError:
            raise serializers.ValidationError("Name a market, e.g. BTC/USDT.") from None

    def validate(self, data):
        chosen = [name for name in ONE_CLICK_FIELDS if data.get(name) is not None]
        manual = [name for name in MANUAL_FIELDS if data.get(name) is not None]
        if len(chosen) > 1 or (chosen and manual):
            raise serializers.ValidationError("Send one order: a manual one, a sniper_alert or a signal.")
        if chosen:
            return data
        errors = {name: ["This field is required for a manual order."] for name in MANUAL_FIELDS if name not in manual}
        if not data.get("idempotency_key"):
            errors["idempotency_key"] = ["Required for a manual order: the same key never places twice."]
        if errors:
            raise serializers.ValidationError(errors)
        for name in ("stop_loss", "take_profit", "take_profit_2"):
            if data.get(name) is not None and data[name] <= 0:
                errors[name] = ["A price above 0."]
        if errors:
            raise serializers.ValidationError(errors)
        return data

    @property
    def is_manual(self) -> bool:
        return not any(self.validated_data.get(name) for name in ONE_CLICK_FIELDS)


class OrderPreviewSerializer(serializers.Serializer):
    """What a manual order would place now (nothing is sent): the size and what the stop would cost."""

    mode = serializers.CharField()
    symbol = serializers.CharField()
    side = serializers.CharField()
    price = serializers.DecimalField(max_digits=None, decimal_places=None, help_text="Mark price now.")
    equity = serializers.DecimalField(max_digits=None, decimal_places=None)
    stop_loss = serializers.DecimalField(max_digits=None, decimal_places=None)
    take_profit = serializers.DecimalField(max_digits=None, decimal_places=None)
    take_profit_2 = serializers.DecimalField(max_digits=None, decimal_places=None, allow_null=True)
    risk_pct = serializers.DecimalField(max_digits=None, decimal_places=None)
    size = serializers.DecimalField(max_digits=None, decimal_places=None)
    notional = serializers.DecimalField(max_digits=None, decimal_places=None)
    leverage = serializers.IntegerField()
    risk_amount = serializers.DecimalField(
        max_digits=None, decimal_places=None, help_text="USDT lost at the stop, fees and slippage included."
    )
    capped_by_leverage = serializers.BooleanField(help_text="Your maximum leverage, not the risk, set the size.")
