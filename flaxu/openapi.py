"""The OpenAPI contract: the docs page, and the error answers every operation documents once."""

from __future__ import annotations

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the pinned ``swagger-ui-dist`` package; its start-up script is a same-origin file.

    The split view serves the initialiser as ``?script`` instead of inline, so the page passes a
    Content-Security-Policy without ``'unsafe-inline'``; the template drops the inline ``<style>`` too.
    """

    template_name = "api/swagger_ui.html"
    url_name = "api_schema"
