"""Site-wide pages: landing, dashboard shell, health, robots, and error handlers."""

from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control

from core import db_busy
from core.api_errors import error_body
from gatekeeper import selectors as access_selectors
from market.selectors.preview import market_preview


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "home.html", {"preview": market_preview()})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {
        "bingx_key": access_selectors.bingx_key(request.user),
        "access_level": access_selectors.effective_level(request.user),
        # None for FULL users; otherwise why the FULL-only cards are locked, in plain words.
        "full_refusal": access_selectors.full_access_refusal(request.user),
    }
    return render(request, "dashboard.html", context)


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /account/",
        "Disallow: /access/",
        "Disallow: /dashboard/",
        "Disallow: /markets/alerts/",
        "Disallow: /markets/widgets/",
        "Disallow: /signals/",
        "Disallow: /backtests/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@cache_control(max_age=3600, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on their own: the SVG icon every page links (a temporary
    redirect, as the static file's hashed name changes between releases)."""
    return redirect(static("favicon.svg"))


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("Not found."), status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if db_busy.pool_exhausted(sys.exc_info()[1]):  # Django calls this inside its `except` block
        return db_busy.busy_response(request)
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("Server error; it has been logged."), status=500)
    return render(request, "500.html", status=500)
