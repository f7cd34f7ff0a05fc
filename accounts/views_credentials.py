"""The "Exchange keys" page: list a user's keys (masked) and remove one after confirming.

Keys are added only through Connect BingX (gatekeeper), which checks a key before storing it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import selectors
from accounts.services.credentials import credential_delete as delete_credential


def _page(request: HttpRequest, **extra) -> HttpResponse:
    keys = selectors.credentials_for_user(user=request.user)
    return render(request, "accounts/credentials.html", {"credentials": keys, **extra})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def credentials(request: HttpRequest) -> HttpResponse:
    return _page(request)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def credential_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes. Another user's key is a 404, never a 403 that confirms it exists."""
    credential = get_object_or_404(selectors.credentials_for_user(user=request.user).select_related("user"), pk=pk)
    if request.method == "POST":
        # credential_removed then lets the gatekeeper re-decide access when this was the BingX key.
        delete_credential(credential=credential, request=request)
        messages.success(request, f"Key “{credential.label}” ({credential.api_key_masked}) removed.")
        return redirect("credentials")
    return _page(request, confirm_delete=credential)
