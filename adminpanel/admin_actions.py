"""Staff actions on users as Django admin actions, for the User admin and the Access admin.

Actions that need a reason show Django's intermediate page (the selected rows carried in hidden fields)
and re-render it with the errors until the form is valid; then each user goes through the service in
adminpanel.services.user_actions (which keeps the StaffAction) and the changelist reports the outcome.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from accounts.models import User
from adminpanel.forms import OverrideForm, PauseForm, ReasonForm
from adminpanel.models import StaffAction
from adminpanel.services import user_actions

APPLY = "apply"  # the intermediate page's submit button
MAX_USERS = 200  # every user is done in the one request: a few pages of the list at most
MAX_USERS_ASKING_BINGX = 25  # a re-check asks BingX for each user, seconds each when it is slow


def _too_many(request: HttpRequest, queryset: QuerySet, limit: int) -> bool:
    count = queryset.count()
    if count > limit:
        messages.error(
            request, f"{count} rows are selected: this action takes at most {limit} at once (each is done now)."
        )
    return count > limit


def users_of(queryset: QuerySet) -> list[User]:
    """The users behind the selected rows (User rows, or rows with a `user`), with their access."""
    if queryset.model is User:
        return list(queryset.select_related("access").order_by("pk"))
    return list(User.objects.filter(pk__in=queryset.values("user_id")).select_related("access").order_by("pk"))


def run(request: HttpRequest, users: list[User], apply: Callable[..., StaffAction], done: str, **data) -> None:
    """Apply to each user; one refusal does not stop the others, and each is reported by email."""
    applied, refused = user_actions.users_apply(users, apply, actor=request.user, request=request, **data)
    queued = [(user, a) for user, a in applied if a.detail.get("outcome") == "queued"]  # BingX could not answer
    if len(applied) > len(queued):
        messages.success(request, f"{done}: {len(applied) - len(queued)} user(s). Logged in the staff actions.")
    for user, action in queued:
        messages.warning(request, f"{user.email}: {action.detail.get('error', '')} It will be retried.")
    for user, why in refused:
        messages.error(request, f"{user.email}: {why}")


def form_action(
    *, name: str, description: str, form_class: type, apply: Callable[..., object], done: str, intro: str
) -> Callable:
    """An admin action that asks for its input (a reason, …) on an intermediate page before applying."""

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet):
        if _too_many(request, queryset, MAX_USERS):
            return None
        users = users_of(queryset)
        form = form_class(request.POST if APPLY in request.POST else None, users=users)
        if APPLY in request.POST and form.is_valid():
            run(request, users, apply, done, **form.cleaned_data)
            return None  # back to the changelist, with the messages
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": description,
            "intro": intro,
            "form": form,
            "users": users,
            "queryset": queryset,
            "opts": modeladmin.model._meta,
            "action_name": name,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": modeladmin.media + form.media,
        }
        status = 400 if form.is_bound else 200
        return TemplateResponse(request, "admin/adminpanel/user_action.html", context, status=status)

    action.__name__ = name
    return admin.action(description=description, permissions=["change"])(action)  # staff who may change users


def direct_action(
    *, name: str, description: str, apply: Callable[..., object], done: str, max_users: int = MAX_USERS
) -> Callable:
    """An admin action that needs no input: applied to the selected users at once."""

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        if not _too_many(request, queryset, max_users):
            run(request, users_of(queryset), apply, done)

    action.__name__ = name
    return admin.action(description=description, permissions=["change"])(action)  # staff who may change users


suspend = form_action(
    name="suspend",
    description="Suspend (a staff override to SUSPENDED, until activated)…",
    form_class=ReasonForm,
    apply=user_actions.user_suspend,
    done="Suspended",
    intro="Suspended users keep read access to their status and data; everything else is refused, their open "
    "pages and sockets lose access at once, and they are told why (in the app and by email).",
)
activate = direct_action(
    name="activate",
    description="Activate (lift a staff suspension: the checked level applies again)",
    apply=user_actions.user_activate,
    done="Activated",
)
override_access = form_action(
    name="override_access",
    description="Set or remove an access override…",
    form_class=OverrideForm,
    apply=lambda *, user, actor, request, level, reason, expires_at: user_actions.user_override(
        user=user, actor=actor, level=level, reason=reason, expires_at=expires_at, request=request
    ),
    done="Access override saved",
    intro="An override wins over the checked level until it expires; the user is told when their level changes.",
)
revalidate = direct_action(
    name="revalidate",
    description="Re-check access against BingX now",
    apply=user_actions.user_revalidate,
    done="Re-checked against BingX",
    max_users=MAX_USERS_ASKING_BINGX,
)
reset_credentials = form_action(
    name="reset_credentials",
    description="Reset exchange credentials (delete every key)…",
    form_class=ReasonForm,
    apply=user_actions.user_credentials_reset,
    done="Exchange keys deleted",
    intro="Every exchange key of these users is deleted; their access falls to LIMITED (unless overridden) and "
    "they must connect a key again.",
)
pause_automation = form_action(
    name="pause_automation",
    description="Pause automation…",
    form_class=PauseForm,
    apply=user_actions.user_automation_pause,
    done="Automation paused",
    intro="No new automated trade opens for these users until then; open positions keep their stop-loss and "
    "take-profit. The users are told.",
)
resume_automation = direct_action(
    name="resume_automation",
    description="Lift the automation pause (staff's or the daily loss limit's)",
    apply=user_actions.user_automation_resume,
    done="Automation pause lifted",
)

USER_ACTIONS = (
    suspend,
    activate,
    override_access,
    revalidate,
    reset_credentials,
    pause_automation,
    resume_automation,
)
