"""Staff dashboard: recent server errors and failed tasks (ErrorRecord), filtered by kind, paginated."""

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from adminpanel.access import staff_required
from adminpanel.models import ErrorRecord
from adminpanel.selectors.errors import error_counts_by_kind, error_records

PER_PAGE = 50


class ErrorFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "All kinds"), *ErrorRecord.Kind.choices], required=False)


@staff_required
def errors(request: HttpRequest) -> HttpResponse:
    form = ErrorFilterForm(request.GET)
    valid = form.is_valid()
    kind = form.cleaned_data["kind"] if valid else ""
    page = Paginator(error_records(kind=kind), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "title": "Errors",
        "form": form,
        "kind": kind,
        "page": page,
        "counts": [(ErrorRecord.Kind(kind).label, n) for kind, n in error_counts_by_kind().items()],
        "retention_days": settings.STAFF_ERROR_RETENTION_DAYS,
    }
    return render(request, "adminpanel/errors.html", context, status=200 if valid else 400)


@staff_required
def error_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ErrorRecord, pk=pk)
    context = {
        "title": "Error",
        "record": record,
        "context_items": sorted((k, v) for k, v in record.context.items() if k != "fingerprint"),
    }
    return render(request, "adminpanel/error_detail.html", context)
