"""Staff dashboard: health (placeholder until built)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from adminpanel.access import staff_required


@staff_required
def health(request: HttpRequest) -> HttpResponse:
    return render(request, "adminpanel/base.html", {"title": "health"})
