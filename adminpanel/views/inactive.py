"""Staff dashboard: inactive (placeholder until built)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from adminpanel.access import staff_required


@staff_required
def inactive_users(request: HttpRequest) -> HttpResponse:
    return render(request, "adminpanel/base.html", {"title": "inactive"})


@staff_required
def inactive_users_csv(request: HttpRequest) -> HttpResponse:
    return render(request, "adminpanel/base.html", {"title": "inactive"})
