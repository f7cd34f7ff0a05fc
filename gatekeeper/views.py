"""Access pages: the status page (level, why, what next, history), "Check again", Connect BingX, remove key."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from gatekeeper import rules, selectors
from gatekeeper.forms import KeyConnectForm
from gatekeeper.models import AccessCheck
from gatekeeper.services.access import CheckUnavailable, KeyRefused, access_recheck, key_connect, key_remove
from gatekeeper.throttles import recheck_wait

# What the status page suggests doing next, by the code of the last decision.
_NEXT_BY_CODE = {
    "not_referred": "referral",
    "indirect_referral": "referral",
    "deposit_short": "deposit",
    "key_invalid": "reconnect",
    "no_key": "connect",
    "uid_taken": "uid_taken",
}


def _next_step(*, level: str, code: str, override: bool, has_key: bool) -> str:
    if level == rules.SUSPENDED:
        return "suspended"
    if level == rules.FULL:
        return "tour"
    if override:
        return "override"
    if not has_key:
        return "connect"
    return _NEXT_BY_CODE.get(code, "check")


def _rules_context() -> dict:
    return {
        "referral_link": settings.FLAXU_REFERRAL_LINK,
        "window_days": settings.FLAXU_DEPOSIT_WINDOW_DAYS,
        "min_deposit": rules.money(Decimal(settings.FLAXU_MIN_DEPOSIT_USD)),
        "policy": settings.FLAXU_ACCESS_POLICY,
        "recheck_seconds": settings.FLAXU_RECHECK_THROTTLE_SECONDS,
    }


def _status_page(request: HttpRequest, **extra) -> HttpResponse:
    user, now = request.user, timezone.now()
    access = selectors.access_of(user)
    key = selectors.bingx_key(user)
    level = access.effective_level(now) if access else rules.LIMITED
    override = access is not None and access.override_active(now)
    code = access.code if access else ""
    context = {
        "access": access,
        "level": level,
        "reason": access.effective_reason(now) if access else "",
        "override": override,
        "unavailable": bool(access and access.last_error),
        "key": key,
        "next_step": _next_step(level=level, code=code, override=override, has_key=key is not None),
        "history": selectors.access_history(user),
        **_rules_context(),
        **extra,
    }
    return render(request, "gatekeeper/status.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def status(request: HttpRequest) -> HttpResponse:
    return _status_page(request)


def _result_message(request: HttpRequest, check: AccessCheck, *, done: str) -> None:
    reasons = " ".join(check.reasons)
    access = selectors.access_of(request.user)
    if access is not None and access.override_active():
        # The check's reasons explain BingX's answer, which the staff setting overrides: show the setting.
        messages.info(request, f"{done} FLAXU staff set your access to {check.outcome}: {access.override_reason}")
    elif check.outcome == rules.FULL:
        messages.success(request, f"{done} You have FULL access. {reasons}")
    elif check.outcome == rules.SUSPENDED:
        messages.warning(request, f"{done} Your account is suspended.")
    else:
        messages.warning(request, f"{done} Your access is LIMITED: {reasons}")


@never_cache
@login_required
@require_POST
def recheck(request: HttpRequest) -> HttpResponse:
    if selectors.bingx_key(request.user) is None:  # nothing to ask BingX about, and no allowance spent
        messages.info(
            request,
            format_html(
                'No BingX key is connected, so there is nothing to check. <a href="{}">Connect BingX</a> first.',
                reverse("access_connect"),
            ),
        )
        return redirect("access_status")
    wait = recheck_wait(user_id=request.user.pk)
    if wait:
        messages.warning(
            request,
            f"You can check once every {settings.FLAXU_RECHECK_THROTTLE_SECONDS} seconds. "
            f"Please try again in {wait} second{'s' if wait != 1 else ''}.",
        )
        return redirect("access_status")
    try:
        check = access_recheck(user=request.user, request=request)
    except CheckUnavailable as exc:
        messages.error(request, str(exc))
    else:
        _result_message(request, check, done="Checked with BingX just now.")
    return redirect("access_status")


def _in_place(request: HttpRequest) -> bool:
    """The form was submitted by htmx, so the page (and what the user typed) stays in the browser."""
    return request.headers.get("HX-Request") == "true"


# Error reports blank the submitted key and secret (sensitive_post_parameters) and every local of this
# view (sensitive_variables: the form's cleaned_data holds them); never_cache keeps the page out of caches.
@sensitive_variables()
@sensitive_post_parameters("api_key", "api_secret")
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def connect(request: HttpRequest) -> HttpResponse:
    form = KeyConnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check = key_connect(
                user=request.user,
                api_key=form.cleaned_data["api_key"],
                api_secret=form.cleaned_data["api_secret"],
                request=request,
            )
        except (KeyRefused, CheckUnavailable) as exc:
            form.refuse(str(exc), kept_in_browser=_in_place(request))
        else:
            _result_message(request, check, done="Your BingX key is connected.")
            if _in_place(request):
                return HttpResponse(headers={"HX-Redirect": reverse("access_status")})
            return redirect("access_status")
    context = {"form": form, "key": selectors.bingx_key(request.user), **_rules_context()}
    return render(request, "gatekeeper/connect.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def remove_key(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation on the status page; POST removes the BingX key."""
    key = selectors.bingx_key(request.user)
    if key is None:
        messages.info(request, "No BingX key is connected.")
        return redirect("access_status")
    if request.method != "POST":
        return _status_page(request, confirm_remove=True)
    key_remove(user=request.user, request=request)
    messages.success(
        request,
        f"Your BingX key {key.api_key_masked} was removed from FLAXU. To revoke it everywhere, "
        "also delete it in BingX → API Management.",
    )
    return redirect("access_status")
