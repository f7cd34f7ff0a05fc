"""Staff screens: every user's access with an override form, and the full history of decisions."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from gatekeeper.models import Access, AccessCheck, Level
from gatekeeper.services.access import key_remove
from gatekeeper.services.overrides import access_override


class AccessOverrideForm(forms.ModelForm):
    override_level = forms.ChoiceField(
        choices=[("", "— no override (use the checked level) —"), *Level.choices], required=False
    )

    class Meta:
        model = Access
        fields = ["override_level", "override_reason", "override_expires_at"]

    def clean(self):
        data = super().clean()
        changed = {"override_level", "override_reason", "override_expires_at"} & set(self.changed_data)
        if changed and not (data.get("override_reason") or "").strip():
            self.add_error("override_reason", "Give a reason: the user sees it, and it is kept in their history.")
        expires_at = data.get("override_expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            self.add_error("override_expires_at", "The expiry must be in the future.")
        return data


@admin.register(Access)
class AccessAdmin(admin.ModelAdmin):
    form = AccessOverrideForm
    list_display = ("user", "level", "effective", "override_level", "override_expires_at", "decided_at", "last_error")
    list_filter = ("level", "override_level")
    search_fields = ("user__email", "bingx_uid")
    list_select_related = ("user",)
    actions = ("remove_bingx_key",)
    readonly_fields = (
        "user",
        "bingx_uid",
        "level",
        "code",
        "reason",
        "decided_at",
        "qualified_at",
        "last_attempt_at",
        "last_error",
        "override_by",
    )
    fieldsets = (
        (
            "Checked access",
            {
                "fields": (
                    "user",
                    "bingx_uid",
                    "level",
                    "code",
                    "reason",
                    "decided_at",
                    "qualified_at",
                    "last_attempt_at",
                    "last_error",
                )
            },
        ),
        (
            "Staff override (wins until it expires)",
            {"fields": ("override_level", "override_reason", "override_expires_at", "override_by")},
        ),
    )

    @admin.display(description="Effective level")
    def effective(self, obj: Access) -> str:
        return obj.effective_level()

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Remove the BingX key (frees its BingX account for another FLAXU account)")
    def remove_bingx_key(self, request, queryset) -> None:
        # One BingX account unlocks one FLAXU account: moving it means removing the key here first.
        for access in queryset.select_related("user"):
            key_remove(user=access.user, request=request)
        messages.success(
            request,
            f"Removed the BingX key of {queryset.count()} user(s); their access is LIMITED (unless overridden) "
            "and their BingX accounts can be connected by another FLAXU account.",
        )

    def save_model(self, request, obj: Access, form, change) -> None:
        # Through the service: it records an AccessCheck and tells the user when the level changes.
        data = form.cleaned_data
        try:
            access_override(
                user=obj.user,
                level=data["override_level"],
                reason=data["override_reason"] or "Override cleared by staff.",
                expires_at=data["override_expires_at"],
                actor=request.user,
                request=request,
            )
        except ValueError as exc:
            messages.error(request, str(exc))


@admin.register(AccessCheck)
class AccessCheckAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "source", "previous_level", "outcome", "code", "transient", "latency_ms")
    list_filter = ("source", "outcome", "transient", "policy")
    search_fields = ("user__email",)
    date_hierarchy = "created_at"
    list_select_related = ("user",)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
