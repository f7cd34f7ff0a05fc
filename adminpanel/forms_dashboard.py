"""The staff dashboard's forms: the overview's period, the inactive list's filters and its bulk actions.

(The admin's action forms are in adminpanel/forms.py.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django import forms

from adminpanel.selectors.days import midnight, today_utc
from adminpanel.selectors.inactive import InactiveFilters
from adminpanel.selectors.users import customers
from adminpanel.services.bulk_actions import PAUSE, RESET_KEYS, REVALIDATE, SUSPEND
from gatekeeper.models import Level

PRESETS = (("7", "Last 7 days"), ("30", "Last 30 days"), ("90", "Last 90 days"), ("all", "All time"))
DEFAULT_PRESET = "30"
PERIOD_MAX = timedelta(days=3660)  # dates: ten years at most (the charts draw one point a day)


@dataclass(frozen=True)
class Period:
    """Whole UTC days: ``first`` (None: from the start) to ``last``, both included."""

    first: date | None
    last: date
    label: str

    @property
    def since(self) -> datetime | None:
        return midnight(self.first) if self.first else None

    @property
    def until(self) -> datetime:
        return midnight(self.last + timedelta(days=1))


class PeriodForm(forms.Form):
    """A preset, or dates (which win over the preset when given)."""

    preset = forms.ChoiceField(choices=PRESETS, required=False, initial=DEFAULT_PRESET, label="Period")
    since = forms.DateField(required=False, label="From (UTC)", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To (UTC, inclusive)", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        today = today_utc()
        if until and until > today:
            self.add_error("until", f"The end date is after today ({today}, UTC).")
        elif since and until and until < since:
            self.add_error("until", "The end date is before the start date.")
        elif since and (until or today) - since > PERIOD_MAX:
            self.add_error("since", f"A period is at most {PERIOD_MAX.days} days (or choose “All time”).")
        return data

    def period(self, today: date) -> Period:
        """The chosen period (the form must be valid)."""
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        if since or until:
            last = until or today
            return Period(first=since, last=last, label=f"{since or 'the start'} to {last} (UTC)")
        return preset_period(data.get("preset") or DEFAULT_PRESET, today)


def preset_period(preset: str, today: date) -> Period:
    """The last N whole UTC days, today included (or all time)."""
    label = dict(PRESETS)[preset]
    if preset == "all":
        return Period(first=None, last=today, label=label)
    return Period(first=today - timedelta(days=int(preset) - 1), last=today, label=label)


YES_NO = (("", "Any"), ("yes", "Yes"), ("no", "No"))


class InactiveFilterForm(forms.Form):
    """The inactive list's filters (the page and the CSV share them)."""

    level = forms.ChoiceField(choices=[("", "Any"), *Level.choices], required=False, label="Access")
    has_key = forms.ChoiceField(choices=YES_NO, required=False, label="Key connected")
    joined_after = forms.DateField(
        required=False, label="Registered from (UTC)", widget=forms.DateInput(attrs={"type": "date"})
    )
    joined_before = forms.DateField(
        required=False, label="Registered before (UTC)", widget=forms.DateInput(attrs={"type": "date"})
    )
    email = forms.CharField(required=False, max_length=254, label="Email contains")

    def clean(self):
        data = super().clean()
        after, before = data.get("joined_after"), data.get("joined_before")
        if after and before and before <= after:
            self.add_error("joined_before", "“Registered before” must be after “Registered from”.")
        return data

    def filters(self) -> InactiveFilters:
        """The filters for the selector (the form must be valid)."""
        data = self.cleaned_data
        key = data.get("has_key")
        return InactiveFilters(
            level=data.get("level") or "",
            has_key=None if not key else key == "yes",
            joined_after=data.get("joined_after"),
            joined_before=data.get("joined_before"),
            email=(data.get("email") or "").strip(),
        )


BULK_ACTIONS = (
    (SUSPEND, "Suspend"),
    (PAUSE, "Pause automation (7 days)"),
    (REVALIDATE, "Force re-validation now"),
    (RESET_KEYS, "Delete exchange keys"),
)
REASON_REQUIRED = "Give a reason: it is kept with the action in the staff log (and the user sees it)."


class BulkActionForm(forms.Form):
    users = forms.ModelMultipleChoiceField(
        queryset=customers(),
        error_messages={
            "required": "Select at least one user.",
            "invalid_choice": "A selected user no longer exists (or is staff): reload the list.",
            "invalid_pk_value": "A selected user is not valid: reload the list.",
        },
    )
    action = forms.ChoiceField(choices=BULK_ACTIONS, error_messages={"required": "Choose an action."})
    reason = forms.CharField(
        max_length=500,
        error_messages={"required": REASON_REQUIRED},
        widget=forms.TextInput(attrs={"placeholder": "Why (kept in the staff log)"}),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(REASON_REQUIRED)
        return reason
