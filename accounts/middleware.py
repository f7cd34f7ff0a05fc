"""Request gates that apply to every page: IP allow-list for sessions, and a pending second factor."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.client_ip import client_ip
from accounts.models import ActivityLog
from accounts.services.activity import activity_record
from gatekeeper.selectors import request_gate

# Paths a signed-in user with a pending second factor may still reach.
_OTP_OPEN_PREFIXES = ("/static/", "/healthz", "/readyz", "/robots.txt", "/sitemap.xml", "/favicon.ico")


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class IPAllowListMiddleware:
    """A session used from an address outside the user's allow-list is ended, and the event logged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.allowed_ips:
            ip = client_ip(request)
            if not user.ip_is_allowed(ip):
                activity_record(action=ActivityLog.Action.LOGIN_BLOCKED_IP, user=user, request=request)
                logout(request)
                text = (
                    f"Your account only accepts sessions from its IP allow-list; {ip or 'this address'} is not on it."
                )
                if _wants_json(request):
                    return JsonResponse({"detail": text, "errors": {}}, status=403)
                messages.error(request, text)
                return redirect("account_login")
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
            if _wants_json(request):
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
