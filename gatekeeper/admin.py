"""Staff screens: every user's access with an override form, and the full history of decisions."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from gatekeeper.models import Access, AccessCheck, Level
from gatekeeper.services.access import key_remove
from gatekeeper.services.overrides import access_override

OVERRIDE_FIELDS = {"override_level", "override_reason", "override_expires_at"}
EXPIRY_NEEDS_LEVEL = "An expiry needs a level: choose the level it applies to (removing an override has no expiry)."
REASON_NEEDS_LEVEL = "Choose a level: there is no override to remove, so this reason would be dropped."


def override_input_errors(*, level: str, reason: str, expires_at, has_override: bool) -> dict[str, str]:
    """What is wrong with an override as entered (field -> message): nothing entered is dropped silently.

    A level needs a reason and a future expiry (or none). No level removes the override: no reason needed
    (one given is kept in the history), an expiry is an error, and so is a reason when there is no
    override to remove (staff forgot the level).
    """
    reason = (reason or "").strip()
    errors = {}
    if level and not reason:
        errors["reason"] = "Give a reason: the user sees it, and it is kept in their history."
    if level and expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = "The expiry must be in the future."
    if not level and expires_at is not None:
        errors["expires_at"] = EXPIRY_NEEDS_LEVEL
    if not level and reason and not has_override:
        errors["level"] = REASON_NEEDS_LEVEL
    return errors


class AccessOverrideForm(forms.ModelForm):
    """The override as it stands, editable. Removing it (no level) ignores the old reason and expiry left in
    their fields, but a reason or expiry typed now is either used or refused, never dropped."""

    override_level = forms.ChoiceField(
        choices=[("", "— no override (use the checked level) —"), *Level.choices], required=False
    )

    class Meta:
        model = Access
        fields = ["override_level", "override_reason", "override_expires_at"]
        labels = {"override_expires_at": "Override expires (UTC)"}

    def override_changed(self) -> bool:
        return bool(OVERRIDE_FIELDS & set(self.changed_data))

    def clean(self):
        data = super().clean()
        if not self.override_changed():
            return data
        level = data.get("override_level") or ""
        typed = set(self.changed_data)
        errors = override_input_errors(
            level=level,
            reason=data.get("override_reason", "") if level or "override_reason" in typed else "",
            expires_at=data.get("override_expires_at") if level or "override_expires_at" in typed else None,
            has_override=bool(self.instance.override_level),
        )
        for field, message in errors.items():
            self.add_error(f"override_{field}", message)
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
        if not form.override_changed():
            return
        data = form.cleaned_data
        level = data["override_level"]
        typed_reason = "override_reason" in form.changed_data and (data["override_reason"] or "").strip()
        self.override_save(
            request,
            user=obj.user,
            level=level,
            reason=(data["override_reason"] if level else typed_reason) or "",
            expires_at=data["override_expires_at"] if level else None,
        )

    def override_save(self, request, *, user, level: str, reason: str, expires_at) -> None:
        try:
            access_override(
                user=user,
                level=level,
                reason=reason or "Staff removed the override; your checked access applies again.",
                expires_at=expires_at,
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
