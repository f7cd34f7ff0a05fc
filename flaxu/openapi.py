"""The OpenAPI contract: the docs page, and what every operation documents once (errors, live enums)."""

from __future__ import annotations

from drf_spectacular.views import SpectacularSwaggerSplitView

from market.selectors import snapshots

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_CONTENT = {"application/json": {"schema": ERROR_REF}}
_PAGING = {"limit", "offset"}  # LimitOffsetPagination ignores values it cannot read
_METHODS = {"get", "put", "patch", "post", "delete", "head", "options", "trace"}
_DESCRIPTIONS = {
    "400": "Invalid input: `errors` names each field or parameter and what is wrong.",
    "401": "Not signed in: send `Authorization: Token <key>` (or a session cookie).",
    "403": "Signed in but not allowed here (access level, pending second factor, suspended account, "
    "IP allow-list); `detail` says why.",
    "404": "No such object, or not yours.",
    "429": "Too many requests: wait the seconds in the `Retry-After` header.",
}


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the pinned ``swagger-ui-dist`` package; its start-up script is a same-origin file.

    The split view serves the initialiser as ``?script`` instead of inline, so the page passes a
    Content-Security-Policy without ``'unsafe-inline'``; the template drops the inline ``<style>`` too.
    """

    template_name = "api/swagger_ui.html"
    url_name = "api_schema"


def _error_codes(operation: dict) -> set[str]:
    """The error answers the server can give this operation.

    Every view is throttled (429); a bad token is refused even on public reads (401), and the account
    gates (pending second factor, IP allow-list, suspension) answer 403 on any path.
    """
    parameters = operation.get("parameters", [])
    codes = {"401", "403", "429"}
    if operation.get("requestBody") or any(p["in"] == "query" and p["name"] not in _PAGING for p in parameters):
        codes.add("400")
    if any(p["in"] == "path" for p in parameters):
        codes.add("404")
    return codes


def document_error_responses(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: every 4xx/5xx answer is the JSON error shape, and every possible one is listed."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code in _error_codes(operation):
                responses.setdefault(code, {"description": _DESCRIPTIONS[code]})
            for code, response in responses.items():
                if code[0] in "45":  # errors are JSON whatever the success type (e.g. text/csv)
                    response["content"] = ERROR_CONTENT
                    response["description"] = response.get("description") or _DESCRIPTIONS.get(code, "")
    return result


def _live_choices() -> dict[str, list[str]]:
    """Query parameters whose accepted values depend on configuration (the followed market)."""
    return {"symbol": list(snapshots.universe()), "exchange": list(snapshots.exchanges())}


def enumerate_live_choices(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: `symbol` and `exchange` query parameters list the values this server accepts."""
    choices = _live_choices()
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            for parameter in operation.get("parameters", []):
                values = choices.get(parameter["name"]) if parameter["in"] == "query" else None
                if values:
                    parameter["schema"] = {**parameter.get("schema", {}), "enum": values}
    # A price alert watches one of the followed perpetuals too (backtests also take shorthand like "BTC").
    alert = result.get("components", {}).get("schemas", {}).get("PriceAlertCreateRequest", {})
    if "symbol" in alert.get("properties", {}):
        alert["properties"]["symbol"]["enum"] = choices["symbol"]
    return result
