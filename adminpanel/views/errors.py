"""Staff dashboard: errors (placeholder until built)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from adminpanel.access import staff_required


@staff_required
def errors(request: HttpRequest) -> HttpResponse:
    return render(request, "adminpanel/base.html", {"title": "errors"})
