"""A SUSPENDED user can log in and see why, nothing more."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from gatekeeper.selectors import SUSPENDED_MAY_STILL, request_access, suspension_refusal

# Reachable while suspended: the status page and API, logging out, and the GDPR rights (export, delete).
OPEN_WHILE_SUSPENDED = (
    "/access/",
    "/api/gatekeeper/status",
    "/accounts/logout/",
    "/account/data/export/",
    "/account/delete/",
    "/account/2fa/verify/",
    "/static/",
    "/healthz",
    "/readyz",
    "/robots.txt",
)


def open_while_suspended(path: str) -> bool:
    return path.startswith(OPEN_WHILE_SUSPENDED)


class SuspendedUserMiddleware:
    """Pages and session API calls; API tokens are known only to DRF, so gatekeeper.authentication checks those."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not open_while_suspended(request.path):
            refusal = suspension_refusal(user, access=request_access(request, user))
            if refusal:
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": f"{refusal} {SUSPENDED_MAY_STILL}", "errors": {}}, status=403)
                return redirect("/access/")
        return self.get_response(request)
