"""Account pages: profile, security activity, 2FA, API tokens, data export and deletion."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import selectors
from accounts.forms import ConfirmWithPasswordForm, DeleteAccountForm, OtpCodeForm, ProfileForm, TokenCreateForm
from accounts.models import ApiToken
from accounts.services import otp as otp_services
from accounts.services.gdpr import user_data_export
from accounts.services.profile import account_delete as delete_account
from accounts.services.profile import profile_update
from accounts.services.tokens import TokenRefused, token_create, token_revoke
from core.errors import add_to_form


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        profile_update(user=request.user, request=request, **{f: form.cleaned_data[f] for f in form.changed_data})
        messages.success(request, "Profile saved.")
        return redirect("profile")
    context = {"form": form, "otp_enabled": otp_services.otp_enabled(user=request.user)}
    return render(request, "accounts/profile.html", context)


@login_required
def security_activity(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.activity_for_user(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/security_activity.html", {"page": page})


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if otp_services.otp_enabled(user=user):
        return render(request, "accounts/otp_status.html", {"disable_form": ConfirmWithPasswordForm(user=user)})
    device = otp_services.totp_pending_device(user=user)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            code = form.cleaned_data["code"]
            codes = otp_services.totp_confirm(request=request, user=user, device=device, token=code)
        except otp_services.OtpPaused as paused:
            form.add_error("code", str(paused))
        else:
            if codes is not None:
                messages.success(request, "Two-factor authentication is on. Your next login will ask for a code.")
                return _recovery_codes_page(request, codes, first_time=True)
            form.add_error("code", "That code did not match. Check the time on your phone and try the newest code.")
    context = {
        "form": form,
        "qr_svg": otp_services.totp_qr_svg(device),
        "manual_key": otp_services.totp_manual_key(device),
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    if user.is_verified() or not otp_services.otp_enabled(user=user):
        return redirect(next_url or "dashboard")
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if otp_services.otp_verify_session(request=request, user=user, token=form.cleaned_data["code"]):
                return redirect(next_url or "dashboard")
            form.add_error("code", "That code is not valid. Use the newest code from your app, or a recovery code.")
        except otp_services.OtpPaused as paused:
            form.add_error("code", str(paused))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


@login_required
@require_POST
def otp_disable(request: HttpRequest) -> HttpResponse:
    form = ConfirmWithPasswordForm(request.POST, user=request.user)
    if form.is_valid():
        otp_services.otp_disable(request=request, user=request.user)
        messages.warning(request, "Two-factor authentication is off. Your account is now protected by a password only.")
        return redirect("profile")
    return render(request, "accounts/otp_status.html", {"disable_form": form}, status=400)


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if not otp_services.otp_enabled(user=request.user):
        return redirect("otp_setup")
    if request.method == "POST":
        codes = otp_services.recovery_codes_regenerate(user=request.user, request=request)
        return _recovery_codes_page(request, codes)
    return render(request, "accounts/recovery_codes.html", {"codes": None})


def _recovery_codes_page(request: HttpRequest, codes: list[str], *, first_time: bool = False) -> HttpResponse:
    """The codes, shown this once, with copy and a .txt download built from them (nothing kept to serve later)."""
    context = {
        "codes": codes,
        "codes_text": otp_services.recovery_codes_text(user=request.user, codes=codes),
        "first_time": first_time,
    }
    return render(request, "accounts/recovery_codes.html", context)


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = token_create(user=request.user, name=form.cleaned_data["name"], request=request)
            form = TokenCreateForm()
        except TokenRefused as exc:
            add_to_form(form, exc)
    context = {"form": form, "tokens": selectors.tokens_for_user(user=request.user), "new_key": new_key}
    return render(request, "accounts/tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token_revoke(token=token, request=request)
    messages.success(request, f"Token “{token.name}” revoked; programs using it are refused from now on.")
    return redirect("api_tokens")


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "accounts/data_export.html")
    data = user_data_export(user=request.user, request=request)
    response = HttpResponse(json.dumps(data, indent=2), content_type="application/json")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="flaxu-data-{stamp}.json"'
    return response


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        delete_account(user=request.user, request=request)
        messages.success(request, "Your account and everything stored about it have been deleted.")
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form}, status=400 if form.errors else 200)
