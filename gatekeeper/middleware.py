"""A SUSPENDED user can log in and see why, nothing more."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from gatekeeper import rules
from gatekeeper.selectors import access_of

# Reachable while suspended: the status page, logging out, and the GDPR rights (export, delete).
_OPEN_PREFIXES = (
    "/access/",
    "/accounts/logout/",
    "/account/data/export/",
    "/account/delete/",
    "/account/2fa/verify/",
    "/static/",
    "/healthz",
    "/robots.txt",
)


class SuspendedUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES):
            access = access_of(user)
            if access is not None and access.effective_level() == rules.SUSPENDED:
                reason = f"Your account is suspended: {access.effective_reason()}"
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": reason, "errors": {}}, status=403)
                return redirect("/access/")
        return self.get_response(request)
