"""A request that cannot get a database connection in time gets 503 with Retry-After, never a 500.

psycopg's pool raises PoolTimeout after FLAXU_DB_POOL_TIMEOUT seconds (TooManyRequests if its queue is
full); Django wraps it in django.db.OperationalError, with the pool's error as the cause. It can surface
in a DRF view (core.api_errors.exception_handler answers it) or anywhere else, middleware included
(flaxu.views.server_error, Django's handler500, answers it). The answer touches no database.
With DEBUG on, Django shows its debug page instead of calling handler500, so outside the API a
developer sees the traceback (a 500) rather than the 503.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from psycopg_pool import PoolTimeout, TooManyRequests

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2
DETAIL = "FLAXU is busy right now (too many requests at once); try again in a few seconds."


def pool_exhausted(exc: BaseException | None) -> bool:
    """Whether `exc` is, or was caused by, the database pool having no connection to give in time."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (PoolTimeout, TooManyRequests)):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 + Retry-After: the API's error shape under /api/, a plain page elsewhere."""
    from core.api_errors import error_body  # here: api_errors imports this module

    logger.warning("No database connection free in time: 503 for %s %s", request.method, request.path)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(error_body(DETAIL), status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
