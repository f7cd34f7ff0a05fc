"""The price-alert form of /markets/alerts/ (the service validates the combination and the symbol)."""

from __future__ import annotations

from django import forms

from market.formatting import symbol_label
from market.models import PriceAlert
from market.services.alerts import WINDOW_CHOICES


class PriceAlertForm(forms.Form):
    symbol = forms.ChoiceField(label="Perpetual")
    condition = forms.ChoiceField(label="Alert me when", choices=PriceAlert.Condition.choices)
    price = forms.DecimalField(
        label="Price (USDT)",
        required=False,
        min_value=0,
        max_digits=24,
        decimal_places=12,
        help_text="For “at or above” and “at or below”.",
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    percent = forms.DecimalField(
        label="Move (%)",
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
        help_text="For rises/falls: e.g. 5 for a 5 % move from the window's low (or high).",
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    window_minutes = forms.TypedChoiceField(
        label="Within",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *WINDOW_CHOICES],
        help_text="For rises/falls. Only moves after you create the alert count.",
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=120)

    def __init__(self, *args, symbols: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["symbol"].choices = [(s, symbol_label(s)) for s in symbols]

    def add_service_errors(self, message_dict: dict[str, list[str]]) -> None:
        """Attach the service's ValidationError messages to their fields (``__all__`` → non-field)."""
        for field, messages in message_dict.items():
            for message in messages:
                self.add_error(None if field == "__all__" or field not in self.fields else field, message)
