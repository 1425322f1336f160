"""Answers that Ninja gives outside the API's own handlers, turned into problem documents."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from tandem.api.problems import PROBLEM_CONTENT_TYPE, problem_response

API_PREFIX = "/api/"


class ApiProblemsMiddleware:
    """A wrong method on an API path gets a translated problem document, not Ninja's text."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith(API_PREFIX)
            and response.get("Content-Type") != PROBLEM_CONTENT_TYPE
        ):
            allowed = response.get("Allow", "")
            problem = problem_response(
                405,
                _("%(method)s is not allowed here; use %(allowed)s.")
                % {"method": request.method, "allowed": allowed or "—"},
            )
            problem["Allow"] = allowed
            return problem
        return response
