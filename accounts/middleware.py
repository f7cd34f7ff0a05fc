"""The IP allow-list gate for sessions (the pending-second-factor gate reads the gatekeeper's per-request
user state, so it lives in gatekeeper.middleware)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from accounts.client_ip import client_ip
from accounts.models import ActivityLog
from accounts.services.activity import activity_record


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
