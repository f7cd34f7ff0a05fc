"""The admin site: staff must have passed 2FA in this session to use it."""

from __future__ import annotations

import os

from asgiref.sync import async_to_sync
from django.contrib import admin, messages
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from flaxu import health


class FlaxuAdminSite(admin.AdminSite):
    site_header = "FLAXU administration"
    site_title = "FLAXU admin"
    index_title = "Back office"

    # Models whose own names read badly in the index ("Daily equitys", django-otp's class names).
    MODEL_NAMES = {
        "otp_totp.TOTPDevice": "Authenticator apps",
        "otp_static.StaticDevice": "Recovery code sets",
        "trading.DailyEquity": "Start-of-day equity",
    }

    def get_app_list(self, request: HttpRequest, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            for model in app["models"]:
                model["name"] = self.MODEL_NAMES.get(model["model"]._meta.label, model["name"])
        return app_list

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

    def get_urls(self):
        # admin_view: staff who passed 2FA (has_permission above), like every admin page.
        return [path("health/", self.admin_view(self.health_view), name="health"), *super().get_urls()]

    def readiness_rows(self) -> list[dict]:
        """Readiness in detail, as this web process sees it: each service's result and latency. The staff
        health page (/staff/health/) shows these rows too: adminpanel sits below the project and reads
        them from admin.site, as it reads the staff rule (adminpanel.access)."""
        return [
            {
                "name": result.check.name.replace("_", " "),
                "ok": result.error is None,
                "status": "OK" if result.error is None else result.error.message,
                "detail": result.check.detail,
                "milliseconds": round(result.time_taken * 1000, 1),
            }
            for result in async_to_sync(health.readiness)()
        ]

    def health_view(self, request: HttpRequest) -> HttpResponse:
        """Readiness in detail (readiness_rows) and this process's connection pool."""
        pool = getattr(connection, "pool", None)
        context = {
            **self.each_context(request),
            "title": "Service health",
            "rows": self.readiness_rows(),
            "pid": os.getpid(),
            "pool_stats": sorted(pool.get_stats().items()) if pool is not None else None,
        }
        return TemplateResponse(request, "admin/health.html", context)
