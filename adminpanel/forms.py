"""The forms behind staff actions that need a reason (the admin's intermediate pages)."""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils import timezone

from gatekeeper.admin import override_input_errors
from gatekeeper.models import Level

REASON_HELP = "Kept with the action in the staff log; the user sees it where they are told."


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), help_text=REASON_HELP)

    def __init__(self, *args, users=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.users = list(users)


class PauseForm(ReasonForm):
    until = forms.SplitDateTimeField(
        label="Paused until (UTC)",
        required=False,
        widget=AdminSplitDateTime,
        help_text="Empty: a week from now. Staff can lift it early on the trading settings page.",
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until is not None and until <= timezone.now():
            raise forms.ValidationError("The pause must end in the future.")
        return until


class OverrideForm(forms.Form):
    """Set a level, or remove the override: an explicit choice, so submitting untouched removes nothing."""

    REMOVE = "remove"

    level = forms.ChoiceField(
        choices=[
            ("", "— choose —"),
            (REMOVE, "Remove the override (the checked level applies again)"),
            *Level.choices,
        ],
        error_messages={"required": "Choose a level to set, or “Remove the override”."},
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Required with a level (the user sees it); optional when removing an override.",
    )
    expires_at = forms.SplitDateTimeField(
        label="Expires (UTC)", required=False, widget=AdminSplitDateTime, help_text="Empty: until staff change it."
    )

    def __init__(self, *args, users=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.users = list(users)

    def clean(self):
        data = super().clean()
        if "level" not in data:
            return data
        removing = data["level"] == self.REMOVE
        level = data["level"] = "" if removing else data["level"]
        if removing and not any(_has_override(user) for user in self.users):
            self.add_error("level", "There is no override to remove.")
        errors = override_input_errors(
            level=level,
            reason=data.get("reason", ""),
            expires_at=data.get("expires_at"),
            has_override=True,  # removing: checked above; a reason given is kept in the history
        )
        for field, message in errors.items():
            self.add_error(field, message)
        return data


def _has_override(user) -> bool:
    access = getattr(user, "access", None)
    return access is not None and bool(access.override_level)
