"""Health endpoints: /healthz (liveness), /readyz (readiness); the staff page is in the admin (admin_site).

/healthz answers from the running process alone (no database, cache, broker or channel layer), so a
restart decision never depends on a shared service or on load. /readyz asks each shared service
(flaxu.health) and answers 503 naming the ones that fail, in the API error shape.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from flaxu import health
from flaxu.api_errors import error_body


@never_cache
async def liveness(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "alive"})


@never_cache
async def readiness(request: HttpRequest) -> JsonResponse:
    results = await health.readiness()
    failing = {result.check.name: [result.error.message] for result in results if result.error}
    if failing:
        return JsonResponse(error_body(f"Not ready: {', '.join(failing)} unavailable.", failing), status=503)
    return JsonResponse({"status": "ready", "services": {result.check.name: "ok" for result in results}})
