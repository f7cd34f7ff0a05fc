"""Gates on the signed-in user's state: a pending second factor must be entered first, and a SUSPENDED
user can log in and see why, nothing more."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from gatekeeper.selectors import SUSPENDED_MAY_STILL, request_access, request_gate, suspension_refusal

# Paths a signed-in user with a pending second factor may still reach.
_OTP_OPEN_PREFIXES = ("/static/", "/healthz", "/readyz", "/robots.txt", "/sitemap.xml", "/favicon.ico")

# Reachable while suspended: the status page and API, logging out, and the GDPR rights (export, delete).
OPEN_WHILE_SUSPENDED = (
    "/access/",
    "/api/gatekeeper/status",
    "/accounts/logout/",
    "/account/data/export/",
    "/account/delete/",
    "/account/notifications/",  # why access changed is told there (the bell, the list, opening one)
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


class SecondFactorRequiredMiddleware:
    """A user with a 2FA device must enter a code before anything else is served for the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not getattr(request, "auth_via_token", False)
            and not user.is_verified()
            and not self._is_open(request.path)
            and request_gate(request, user)[1]  # confirmed device? cached, cleared by any device change
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Two-factor authentication required: enter your code first.", "errors": {}},
                    status=403,
                )
            return redirect(f"{reverse('otp_verify')}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _is_open(path: str) -> bool:
        open_paths = (reverse("otp_verify"), reverse("account_logout"))
        return path in open_paths or path.startswith(_OTP_OPEN_PREFIXES)
