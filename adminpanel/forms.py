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
    level = forms.ChoiceField(
        choices=[("", "— no override: remove it (the checked level applies) —"), *Level.choices], required=False
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
        has_override = any(_has_override(user) for user in self.users)
        errors = override_input_errors(
            level=data.get("level", ""),
            reason=data.get("reason", ""),
            expires_at=data.get("expires_at"),
            has_override=has_override,
        )
        for field, message in errors.items():
            self.add_error(field, message)
        return data


def _has_override(user) -> bool:
    access = getattr(user, "access", None)
    return access is not None and bool(access.override_level)
