"""/bench/hello: a bare Django view, the anchor bench/load.py measures beside the real endpoints.

It runs through the same server, middleware and URL resolution as every page, and does nothing else,
so its figures are what the stack itself can serve. 404 unless FLAXU_BENCH_HELLO is on.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse


def hello(request: HttpRequest) -> HttpResponse:
    if not settings.FLAXU_BENCH_HELLO:
        raise Http404
    return HttpResponse("hello", content_type="text/plain")
