"""The back office in the admin: staff actions on users (User and Access admins), and the audit trails.

The User and Access admins are defined by their apps; here they gain the staff actions, which live in
adminpanel (the floor above every app), so they are re-registered as subclasses.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts.admin import UserAdmin
from accounts.models import User
from adminpanel import (
    admin_actions,
    admin_beat,  # noqa: F401  (beat schedules with who and why)
    admin_errors,  # noqa: F401  (registers ErrorRecord's read-only admin)
)
from adminpanel.models import StaffAction
from adminpanel.services import user_actions
from core.admin_bases import RecordAdmin
from core.errors import ApplicationError
from gatekeeper.admin import AccessAdmin
from gatekeeper.models import Access
from trading.admin import TradingProfileAdmin
from trading.models import TradingProfile


@admin.register(StaffAction)
class StaffActionAdmin(RecordAdmin):
    list_display = ("created_at", "actor", "action", "target", "reason")
    list_filter = ("action",)
    search_fields = ("actor__email", "target__email", "reason")
    list_select_related = ("actor", "target")
    date_hierarchy = "created_at"
    fields = ("created_at", "actor", "action", "target", "reason", "detail")


@admin.register(LogEntry)
class LogEntryAdmin(RecordAdmin):
    """Django's record of edits made through the admin forms (staff actions are in Staff actions)."""

    list_display = ("action_time", "user", "content_type", "object_repr", "action_flag", "change_message")
    list_filter = ("action_flag", "content_type")
    search_fields = ("user__email", "object_repr", "change_message")
    list_select_related = ("user", "content_type")
    date_hierarchy = "action_time"


def _changelist(model: str, **filters) -> str:
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return f"{reverse(f'admin:{model}_changelist')}?{query}"


def user_links(user: User) -> list[tuple[str, str]]:
    """(label, admin URL) of what staff look at for one user: each a changelist filtered to them."""
    pk = user.pk
    return [
        ("Access and override", reverse("admin:gatekeeper_access_changelist") + f"?user__id__exact={pk}"),
        ("Access history", _changelist("gatekeeper_accesscheck", user__id__exact=pk)),
        ("Trades", _changelist("trading_trade", user__id__exact=pk)),
        ("Signals acted on", _changelist("trading_signal", acted_on_by=pk)),
        ("Trading settings", _changelist("trading_tradingprofile", user__id__exact=pk)),
        ("Exchange keys", _changelist("accounts_exchangecredential", user__id__exact=pk)),
        ("Activity log", _changelist("accounts_activitylog", user__id__exact=pk)),
        ("Staff actions on this user", _changelist("adminpanel_staffaction", target__id__exact=pk)),
    ]


class CheckedLevelFilter(admin.ChoicesFieldListFilter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.title = "checked access level"


class OverrideLevelFilter(admin.ChoicesFieldListFilter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.title = "staff override"


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Users, with the staff actions (each logged as a StaffAction) and links to everything about them."""

    list_display = (*UserAdmin.list_display[:1], "access_level", *UserAdmin.list_display[1:])
    list_filter = (
        *UserAdmin.list_filter,
        ("access__level", CheckedLevelFilter),
        ("access__override_level", OverrideLevelFilter),
    )
    list_select_related = ("access",)
    actions = admin_actions.USER_ACTIONS
    readonly_fields = (*UserAdmin.readonly_fields, "access_level", "back_office_links")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Back office", {"fields": ("access_level", "back_office_links")}),
    )

    change_form_template = "admin/adminpanel/user_change_form.html"

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        actions = self.get_actions(request)
        staff_actions = [
            (name, actions[name][2]) for name in (a.__name__ for a in admin_actions.USER_ACTIONS) if name in actions
        ]
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "staff_actions": staff_actions}
        )

    @admin.display(description="Access", ordering="access__level")
    def access_level(self, user: User) -> str:
        access = getattr(user, "access", None)
        if access is None:
            return "—"
        level = access.effective_level()
        return f"{level} (override)" if access.override_active() else level

    @admin.display(description="Look at")
    def back_office_links(self, user: User) -> str:
        if user.pk is None:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", '<li><a href="{}">{}</a></li>', ((url, label) for label, url in user_links(user))),
        )


admin.site.unregister(Access)


@admin.register(Access)
class StaffAccessAdmin(AccessAdmin):
    """Access, with the same staff actions; an override saved on the form is logged as a StaffAction too."""

    actions = (*AccessAdmin.actions, *admin_actions.USER_ACTIONS)

    @admin.action(description=AccessAdmin.remove_bingx_key.short_description, permissions=["change"])
    def remove_bingx_key(self, request, queryset) -> None:
        admin_actions.run(
            request,
            admin_actions.users_of(queryset),
            user_actions.user_bingx_key_remove,
            "Removed the BingX key (access LIMITED unless overridden); their BingX accounts can be connected by "
            "another FLAXU account",
        )

    def override_save(self, request, *, user, level: str, reason: str, expires_at) -> None:
        try:
            user_actions.user_override(
                user=user, actor=request.user, level=level, reason=reason, expires_at=expires_at, request=request
            )
        except ApplicationError as exc:
            self.message_user(request, exc.message, level="error")


admin.site.unregister(TradingProfile)


@admin.register(TradingProfile)
class StaffTradingProfileAdmin(TradingProfileAdmin):
    """Lifting a pause from the trading settings list is a staff action like the others (logged)."""

    def has_lift_permission(self, request: HttpRequest) -> bool:
        # The settings are read-only here (only the user changes them), so the model's change permission
        # says who may lift a pause, not has_change_permission.
        return request.user.has_perm("trading.change_tradingprofile")

    @admin.action(description="Lift the automation pause (logged)", permissions=["lift"])
    def lift_pause(self, request, queryset) -> None:
        admin_actions.run(
            request, admin_actions.users_of(queryset), user_actions.user_automation_resume, "Automation pause lifted"
        )
