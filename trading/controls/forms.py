"""Page forms: the trading settings, the live-mode switch (with its acknowledgement), the paper wallet reset."""

from __future__ import annotations

from django import forms

from core.errors import Refused
from trading.models import TradingProfile
from trading.services.paper_wallet import PAPER_BALANCE_FIELD, PAPER_BALANCE_MAX, PAPER_BALANCE_MIN
from trading.services.profile import LIVE_RISK_TEXT, min_confidence_floor, symbols_clean

SETTINGS_FIELDS = [
    "automation_enabled", "min_confidence", "risk_pct", "reward_target", "max_leverage", "max_positions", "symbols",
    "daily_loss_limit_pct", "sniper_risk_pct", "sniper_leverage",
]  # fmt: skip


class TradingSettingsForm(forms.ModelForm):
    """Types and the model's bounds here; the service checks everything again before saving."""

    symbols = forms.CharField(
        required=False,
        label="Allowed markets",
        help_text="Comma-separated, as you write them (BTC/USDT, ETHUSDT, SOL). Empty: every market FLAXU follows.",
        widget=forms.TextInput(attrs={"placeholder": "BTC/USDT, ETHUSDT"}),
    )

    class Meta:
        model = TradingProfile
        fields = SETTINGS_FIELDS
        labels = {
            "automation_enabled": "ICT automation",
            "min_confidence": "Minimum confidence",
            "risk_pct": "Risk per trade (%)",
            "reward_target": "Take profit",
            "max_leverage": "Maximum leverage",
            "max_positions": "Maximum open positions",
            "daily_loss_limit_pct": "Daily loss limit (%)",
            "sniper_risk_pct": "Sniper one-click risk (%)",
            "sniper_leverage": "Sniper one-click leverage",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        floor = min_confidence_floor()
        self.fields["min_confidence"].min_value = floor
        self.fields["min_confidence"].widget.attrs["min"] = floor
        self.fields["min_confidence"].help_text = f"{floor}-100: signals execute only above {floor - 1}."
        self.fields["risk_pct"].help_text = "0.25-2 % of equity lost at the stop."
        self.fields["max_leverage"].help_text = "A whole number, 1-125."
        if self.instance and not self.is_bound:
            self.initial["symbols"] = ", ".join(s.removesuffix(":USDT") for s in self.instance.symbols)

    def clean_min_confidence(self) -> int:
        value = self.cleaned_data["min_confidence"]
        floor = min_confidence_floor()
        if value is not None and value < floor:
            raise forms.ValidationError(f"At least {floor}: signals are executable only above {floor - 1}.")
        return value

    def clean_symbols(self) -> list[str]:
        try:
            return symbols_clean(self.cleaned_data["symbols"] or "")
        except Refused as exc:
            raise forms.ValidationError(exc.message) from None

    def _bound(self, names: tuple[str, ...]) -> list:
        return [self[name] for name in names]

    def automation_fields(self) -> list:
        return self._bound(("automation_enabled", "min_confidence", "reward_target", "symbols"))

    def risk_fields(self) -> list:
        return self._bound(("risk_pct", "max_leverage", "max_positions", "daily_loss_limit_pct"))

    def sniper_fields(self) -> list:
        return self._bound(("sniper_risk_pct", "sniper_leverage"))

    def changes(self) -> dict:
        return {field: self.cleaned_data[field] for field in SETTINGS_FIELDS}


class LiveModeForm(forms.Form):
    acknowledge_live_risk = forms.BooleanField(required=False, label=LIVE_RISK_TEXT)


class PaperResetForm(forms.Form):
    """The size the paper wallet starts again at (the service checks the bounds again)."""

    initial_balance = forms.DecimalField(
        required=False,  # empty: the current size
        label="Paper wallet size (USDT)",
        **PAPER_BALANCE_FIELD,
        help_text=f"{PAPER_BALANCE_MIN:,} to {PAPER_BALANCE_MAX:,} USDT.",
    )
