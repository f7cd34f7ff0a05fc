"""The "Exchange keys" page: list a user's keys (masked), add one, remove one after confirming."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from accounts import selectors
from accounts.forms_credentials import CredentialCreateForm
from accounts.models import ExchangeCredential
from accounts.services.credentials import CredentialLabelTaken, credential_create
from accounts.services.credentials import credential_delete as delete_credential

_CIPHERTEXT_FIELDS = ("api_key_encrypted", "api_secret_encrypted")


def _page(request: HttpRequest, form: CredentialCreateForm, **extra) -> HttpResponse:
    keys = selectors.credentials_for_user(user=request.user)
    return render(request, "accounts/credentials.html", {"form": form, "credentials": keys, **extra})


# In Django's error reports, sensitive_post_parameters blanks the submitted key and secret and
# sensitive_variables() every local (cleaned_data holds them too). never_cache keeps the page out of caches.
@sensitive_variables()
@sensitive_post_parameters("api_key", "api_secret")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def credentials(request: HttpRequest) -> HttpResponse:
    form = CredentialCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            credential = credential_create(
                user=request.user,
                exchange=data["exchange"],
                label=data["label"],
                api_key=data["api_key"],
                api_secret=data["api_secret"],
                sandbox=data["sandbox"],
                request=request,
            )
        except CredentialLabelTaken as exc:
            form.add_error("label", str(exc))
        else:
            messages.success(request, f"Key “{credential.label}” ({credential.api_key_masked}) saved, encrypted.")
            return redirect("credentials")
    return _page(request, form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def credential_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes. Another user's key is a 404, never a 403 that confirms it exists."""
    credential = get_object_or_404(
        ExchangeCredential.objects.defer(*_CIPHERTEXT_FIELDS).select_related("user"), pk=pk, user=request.user
    )
    if request.method == "POST":
        delete_credential(credential=credential, request=request)
        messages.success(request, f"Key “{credential.label}” ({credential.api_key_masked}) removed.")
        return redirect("credentials")
    return _page(request, CredentialCreateForm(user=request.user), confirm_delete=credential)
