"""The trade history's filters (page and CSV share them)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django import forms

from market.formatting import symbol_label
from trading.models import Mode, SignalType, Trade


class HistoryFilterForm(forms.Form):
    mode = forms.ChoiceField(choices=Mode.choices, required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(required=False, choices=[("", "Any"), *Trade.Status.choices])
    signal_type = forms.ChoiceField(required=False, choices=[("", "Any"), *SignalType.choices], label="Strategy")
    symbol = forms.ChoiceField(required=False)
    since = forms.DateField(required=False, label="From (UTC)", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To (UTC, inclusive)", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, symbols: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["symbol"].choices = [("", "Any"), *((s, symbol_label(s)) for s in symbols or [])]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end date is before the start date.")
        return data

    def filters(self) -> dict:
        """The chosen filters for ``selectors_portfolio.trades_history`` (dates as UTC day bounds); the
        form must be valid. ``mode`` is not among them (the caller resolves it)."""
        data = self.cleaned_data
        chosen = {k: data[k] for k in ("status", "signal_type", "symbol") if data.get(k)}
        if data.get("since"):
            chosen["since"] = datetime.combine(data["since"], time.min, tzinfo=UTC)
        if data.get("until"):
            chosen["until"] = datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=UTC)
        return chosen
