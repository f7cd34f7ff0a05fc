"""One family of errors a user can act on, and the one way each reaches them.

A service raises an `ApplicationError` subclass with a plain sentence (and the field it is about, if
any). The API answers it through `core.api_errors.exception_handler` (the one error shape, its status,
and `Retry-After` when there is one); a page either shows it on its form (`add_to_form`) or, uncaught,
through `ApplicationErrorMiddleware` as a page with the same status. No view translates these itself.
"""

from __future__ import annotations

from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

NON_FIELD = "non_field_errors"


class ApplicationError(Exception):
    """A request FLAXU refuses or cannot do now, with the reason in words the user can act on."""

    status_code = 400
    retry_after: int | None = None

    def __init__(self, message: str = "", *, field: str = NON_FIELD, errors: dict[str, list[str]] | None = None):
        self.errors = errors or {field: [message]}
        super().__init__(message or "; ".join(m for ms in self.errors.values() for m in ms))

    @property
    def message(self) -> str:
        return str(self)


class Refused(ApplicationError):
    """The input is well-formed but cannot be accepted (400)."""


class Conflict(ApplicationError):
    """Accepting it would clash with something that exists (409)."""

    status_code = 409


class Unavailable(ApplicationError):
    """A service FLAXU depends on cannot answer right now; nothing changed (503, try again later)."""

    status_code = 503
    retry_after = 60


def add_to_form(form: Form, error: ApplicationError) -> None:
    """Show `error` on `form`: each message on its field when the form has it, else above the form."""
    for field, messages in error.errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class ApplicationErrorMiddleware:
    """A page view that lets an ApplicationError through answers a page with its message and status."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        response = render(request, "application_error.html", {"error": exception}, status=exception.status_code)
        if exception.retry_after:
            response["Retry-After"] = str(exception.retry_after)
        return response
