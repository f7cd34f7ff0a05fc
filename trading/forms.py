"""Page forms: the signal filters and the backtest form (its parameter fields come from PARAMETERS)."""

from __future__ import annotations

from datetime import timedelta

from django import forms

from market.formatting import symbol_label
from market.sources import TIMEFRAMES, get_source
from trading import conf
from trading.engine import SETUPS
from trading.models import Direction
from trading.services.backtests import PARAMETERS, Parameter
from trading.services.explain import setup_label

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


def _symbol_choices() -> list[tuple[str, str]]:
    return [(s, symbol_label(s)) for s in get_source().universe()]


class SignalFilterForm(forms.Form):
    # Executable first: the list a trader acts on; "all" adds informational and historical signals.
    show = forms.ChoiceField(
        required=False,
        choices=[("executable", "Auto-executable"), ("all", "All signals")],
        initial="executable",
        label="Show",
    )
    symbol = forms.ChoiceField(required=False)
    timeframe = forms.ChoiceField(required=False, choices=[("", "Any")] + [(t, t) for t in TIMEFRAMES])
    direction = forms.ChoiceField(required=False, choices=[("", "Any"), *Direction.choices])
    setup = forms.ChoiceField(required=False, choices=[("", "Any")] + [(s, setup_label(s)) for s in SETUPS])
    min_confidence = forms.IntegerField(required=False, min_value=0, max_value=100, label="Min confidence")

    def __init__(self, *args, symbols: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _symbol_choices()
        known = {value for value, _ in choices}
        choices += [(s, symbol_label(s)) for s in symbols or [] if s not in known]
        self.fields["symbol"].choices = [("", "Any"), *choices]
        self.fields["min_confidence"].widget.attrs.update(placeholder=str(conf.signal_min_confidence()))

    def filters(self) -> dict:
        """The chosen filters, for ``selectors.signals_filtered``; auto-executable only unless "all" is chosen
        (and when the form is invalid)."""
        if not self.is_valid():
            return {"executable": True}
        chosen = {k: v for k, v in self.cleaned_data.items() if v not in ("", None) and k != "show"}
        return {**chosen, "executable": self.cleaned_data["show"] != "all"}


def _form_field(p: Parameter) -> forms.Field:
    common = {"label": p.label, "help_text": p.help, "initial": p.initial()}
    if p.choices:
        return forms.ChoiceField(choices=[(c, c.capitalize()) for c in p.choices], **common)
    if p.kind is bool:
        return forms.BooleanField(required=False, **common)
    bounds = {"min_value": p.minimum, "max_value": p.maximum}
    if p.kind is int:
        return forms.IntegerField(**bounds, **common)
    return forms.FloatField(**bounds, widget=forms.NumberInput(attrs={"step": "any"}), **common)


class BacktestForm(forms.Form):
    symbol = forms.ChoiceField()
    timeframe = forms.ChoiceField(choices=[(t, t) for t in TIMEFRAMES], initial="5m")
    start = forms.DateTimeField(
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="UTC.",
    )
    end = forms.DateTimeField(
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="UTC; candles opening before this time.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["symbol"].choices = _symbol_choices()
        now = get_source().now().replace(second=0, microsecond=0)
        self.fields["start"].initial = now - timedelta(days=7)
        self.fields["end"].initial = now
        for p in PARAMETERS:
            self.fields[p.name] = _form_field(p)

    @property
    def market_fields(self) -> list:
        return [self[name] for name in ("symbol", "timeframe", "start", "end")]

    @property
    def signal_fields(self) -> list:
        return [self[p.name] for p in PARAMETERS if p.group == "signals"]

    @property
    def trading_fields(self) -> list:
        return [self[p.name] for p in PARAMETERS if p.group == "trading"]

    def parameters(self) -> dict:
        return {p.name: self.cleaned_data[p.name] for p in PARAMETERS}
