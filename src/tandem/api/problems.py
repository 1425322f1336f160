"""Errors as RFC 9457 problem documents (``application/problem+json``).

Every domain error maps to one status here, so handlers never build error responses
themselves: 400 invalid input or a broken rule, 401, 403, 404, 409 conflicts, 413, 422, 429.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from tandem.core.exceptions import (
    AlreadyExists,
    BuiltInProtected,
    ConflictError,
    DuplicateRelation,
    InUse,
    NotFound,
    PermissionDenied,
    TandemError,
)

PROBLEM_CONTENT_TYPE = "application/problem+json"


def _titles() -> dict[int, str]:
    return {
        400: _("Invalid request"),
        401: _("Authentication required"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("Request too large"),
        422: _("Cannot be processed"),
        429: _("Too many requests"),
    }


class ApiProblem(Exception):
    """Raised by handlers for an answer the services do not give themselves (a bad cursor,
    an unknown uuid…)."""

    def __init__(
        self, status: int, detail: str, *, errors: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors


def problem_response(
    status: int,
    detail: str,
    *,
    errors: dict[str, list[str]] | None = None,
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _titles().get(status, _("Error")),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, cls=DjangoJSONEncoder),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def _django_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": list(error.messages)}


def _too_large() -> str:
    from django.conf import settings

    return _("The request body is too large: at most %(size)s bytes.") % {
        "size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    }


def status_for(error: Exception) -> int:
    """The HTTP status of a domain, validation or API error."""
    if isinstance(error, ApiProblem):
        return error.status
    if isinstance(error, PermissionDenied | BuiltInProtected):
        return 403
    if isinstance(error, DuplicateRelation | AlreadyExists | InUse | ConflictError):
        return 409
    if isinstance(error, NotFound):
        return 404
    return 400


def problem_body(error: Exception) -> dict[str, Any]:
    """``{status, title, detail, errors?}`` of an error, for per-item results."""
    status = status_for(error)
    body: dict[str, Any] = {"status": status, "title": _titles().get(status, _("Error"))}
    if isinstance(error, ValidationError):
        body["detail"] = _("Some values are not valid: see “errors”.")
        body["errors"] = _django_errors(error)
    elif isinstance(error, ApiProblem):
        body["detail"] = error.detail
        body["errors"] = error.errors
    else:
        body["detail"] = str(error)
    return body


def install_handlers(api: NinjaAPI, *, render_current) -> None:
    """Map every error an operation can raise to a problem document.

    ``render_current`` turns the record of a ConflictError into its JSON form.
    """
    from tandem.api.validation import field_errors

    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = field_errors(exc.errors)
        return problem_response(400, _("Some values are not valid: see “errors”."), errors=errors)

    def on_django_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return problem_response(
            400, _("Some values are not valid: see “errors”."), errors=_django_errors(exc)
        )

    def on_domain(request: HttpRequest, exc: TandemError) -> HttpResponse:
        if isinstance(exc, ConflictError):
            return problem_response(
                409, str(exc), current=render_current(exc.current), changes=exc.changes
            )
        return problem_response(status_for(exc), str(exc))

    def on_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
        return problem_response(exc.status, exc.detail, errors=exc.errors)

    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem_response(404, _("Nothing has this identifier."))

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem_response(
            401,
            _(
                "Send “Authorization: Bearer <token>” with a valid token (tandem token "
                "create <username>), or log in."
            ),
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        response = problem_response(429, _("Too many requests: slow down and try again."))
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait) + 1)
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # Ninja's own errors are in English: say them in the user's language.
        if isinstance(exc.__cause__, RequestDataTooBig):
            return problem_response(413, _too_large())
        if exc.status_code == 400:
            detail = _("The request body is not valid JSON.")
        elif exc.status_code == 403:
            detail = _("Not allowed (a browser session needs its CSRF token).")
        else:
            detail = str(exc)
        return problem_response(exc.status_code, detail)

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return problem_response(413, _too_large())

    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(ValidationError, on_django_validation)
    api.add_exception_handler(TandemError, on_domain)
    api.add_exception_handler(ApiProblem, on_problem)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(ObjectDoesNotExist, on_not_found)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(Throttled, on_throttled)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
