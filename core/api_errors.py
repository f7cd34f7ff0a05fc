"""One error shape for every API 4xx: {"detail": "...", "errors": {"field": ["..."]}}."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core import db_busy
from core.errors import ApplicationError


class ErrorSerializer(serializers.Serializer):
    """Every API error: a sentence, and per-field messages for invalid input (the schema of error_body)."""

    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


def _as_field_errors(data) -> dict[str, list[str]]:
    if isinstance(data, dict):
        return {key: [str(m) for m in (value if isinstance(value, list) else [value])] for key, value in data.items()}
    if isinstance(data, list):
        return {"non_field_errors": [str(m) for m in data]}
    return {"non_field_errors": [str(data)]}


def error_body(detail: str, errors: dict | None = None) -> dict:
    return {"detail": detail, "errors": errors or {}}


def _invalid_input_body(errors: dict[str, list[str]]) -> dict:
    first = next(iter(errors.values()), ["Invalid input."])[0]
    return error_body(f"Invalid input: {first}" if len(errors) == 1 else "Invalid input.", errors)


def exception_handler(exc, context):
    if db_busy.pool_exhausted(exc):  # no database connection free in time: 503 + Retry-After, not a 500
        return db_busy.busy_response(context["request"])
    if isinstance(exc, RequestDataTooBig):  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE, met while parsing the body
        exc = exceptions.ParseError(f"Request body too large (at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes).")
    if isinstance(exc, ApplicationError):
        return _application_error_response(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _invalid_input_body(_as_field_errors(exc.detail))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        response.data = error_body(str(detail.get("detail", detail)) if isinstance(detail, dict) else str(detail))
    return response


def _application_error_response(exc: ApplicationError) -> Response:
    body = _invalid_input_body(exc.errors) if exc.status_code < 500 else error_body(exc.message)
    response = Response(body, status=exc.status_code)
    if exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    return response


class JsonErrorsMixin:
    """For views that also render another format (CSV): their errors are still the JSON error shape."""

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
