"""The admin site: staff must have passed 2FA in this session to use it."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class FlaxuAdminSite(admin.AdminSite):
    site_header = "FLAXU administration"
    site_title = "FLAXU admin"
    index_title = "Back office"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and request.user.is_verified()

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """One login for everyone (allauth), then 2FA; staff without 2FA are sent to enrol."""
        next_url = request.GET.get("next") or reverse("admin:index")
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={next_url}")
        if user.is_active and user.is_staff and not user.is_verified():
            messages.warning(request, "Staff must turn on two-factor authentication before using the admin.")
            return redirect("otp_setup")
        messages.error(request, "Your account cannot use the admin site.")
        return redirect("dashboard")
