"""Staff dashboard: health of services, exchanges, providers, Celery workers and queues, and beat."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from adminpanel.access import staff_required
from adminpanel.selectors import health as selectors


@staff_required
def health(request: HttpRequest) -> HttpResponse:
    providers, providers_error = selectors.provider_rows()
    context = {
        "title": "Health",
        "services": selectors.service_rows(),
        "exchanges": selectors.exchange_rows(),
        "providers": providers,
        "providers_error": providers_error,
        "celery": selectors.celery_status(),
        "beat": selectors.beat_rows(),
    }
    return render(request, "adminpanel/health.html", context)
