"""Beat schedules in the admin (django-celery-beat's screens), each change kept as a StaffAction with who and why.

The change form asks why (required); the list's enable / disable / toggle / run actions record who and which
tasks. A deletion is in Django's admin log (who, when).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django_celery_beat.admin import PeriodicTaskAdmin, PeriodicTaskForm
from django_celery_beat.models import PeriodicTask

from adminpanel.models import StaffAction

REASON = "change_reason"


class ReasonedPeriodicTaskForm(PeriodicTaskForm):
    change_reason = forms.CharField(
        label="Why this change",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the staff actions with your name.",
    )

    def clean_change_reason(self) -> str:
        reason = self.cleaned_data["change_reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why: schedules run for every user.")
        return reason


def _record(request: HttpRequest, action: str, reason: str = "", **detail) -> None:
    StaffAction.objects.create(actor=request.user, action=action, reason=reason, detail=detail)


admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class StaffPeriodicTaskAdmin(PeriodicTaskAdmin):
    form = ReasonedPeriodicTaskForm
    fieldsets = (*PeriodicTaskAdmin.fieldsets, ("Why", {"fields": (REASON,)}))

    def save_model(self, request: HttpRequest, obj: PeriodicTask, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = [name for name in form.changed_data if name != REASON]
        _record(
            request,
            "schedule_change" if change else "schedule_add",
            form.cleaned_data[REASON],
            task=obj.name,
            changed=changed,
        )

    def _recorded(self, action: str, request: HttpRequest, queryset) -> None:
        names = sorted(queryset.values_list("name", flat=True))
        getattr(super(), action)(request, queryset)
        _record(request, f"schedule_{action}", tasks=names)

    @admin.action(description="Enable selected tasks")
    def enable_tasks(self, request: HttpRequest, queryset) -> None:
        self._recorded("enable_tasks", request, queryset)

    @admin.action(description="Disable selected tasks")
    def disable_tasks(self, request: HttpRequest, queryset) -> None:
        self._recorded("disable_tasks", request, queryset)

    @admin.action(description="Toggle activity of selected tasks")
    def toggle_tasks(self, request: HttpRequest, queryset) -> None:
        self._recorded("toggle_tasks", request, queryset)

    @admin.action(description="Run selected tasks")
    def run_tasks(self, request: HttpRequest, queryset) -> None:
        self._recorded("run_tasks", request, queryset)
