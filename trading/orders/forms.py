"""The manual order form: what the API takes for a manual order, with a server-made idempotency key per render."""

from __future__ import annotations

import secrets

from django import forms

from core.errors import Refused
from trading.models import Trade
from trading.models.execution import RISK_MAX_PCT, RISK_MIN_PCT
from trading.services.profile import symbols_clean

PRICE = {"max_digits": 30, "decimal_places": 12, "min_value": 0}


def new_idempotency_key() -> str:
    """A fresh key for one render of an order form: submitting that page twice places one order."""
    return secrets.token_urlsafe(18)


class ManualOrderForm(forms.Form):
    symbol = forms.CharField(
        max_length=40, label="Market", widget=forms.TextInput(attrs={"placeholder": "BTC/USDT", "autocomplete": "off"})
    )
    side = forms.ChoiceField(choices=Trade.Side.choices)
    stop_loss = forms.DecimalField(**PRICE, label="Stop-loss")
    take_profit = forms.DecimalField(**PRICE, label="Take-profit")
    take_profit_2 = forms.DecimalField(
        **PRICE, required=False, label="Second take-profit", help_text="Optional: half at the first, the rest here, "
        "stop moved to break-even."
    )  # fmt: skip
    risk_pct = forms.DecimalField(
        max_digits=5, decimal_places=2, min_value=RISK_MIN_PCT, max_value=RISK_MAX_PCT, label="Risk (%)",
        help_text=f"{RISK_MIN_PCT}-{RISK_MAX_PCT} % of equity lost at the stop, fees included.",
    )  # fmt: skip
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)

    def clean_symbol(self) -> str:
        try:
            return symbols_clean([self.cleaned_data["symbol"]])[0]
        except Refused as exc:
            raise forms.ValidationError(exc.message) from None
        except IndexError:
            raise forms.ValidationError("Name a market, e.g. BTC/USDT.") from None

    def clean(self):
        data = super().clean()
        for name in ("stop_loss", "take_profit", "take_profit_2"):
            if data.get(name) is not None and data[name] <= 0:
                self.add_error(name, "A price above 0.")
        return data
