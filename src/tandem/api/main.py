"""The API object: authentication, errors, throttling and every router, under ``/api/v1/``."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from tandem.api.entities import entity_router, serialize_any
from tandem.api.filters import filters_router
from tandem.api.problems import PROBLEM_CONTENT_TYPE, install_handlers, problem_response
from tandem.api.relations import property_types_router, relation_types_router, relations_router
from tandem.api.security import BearerToken, BrowserSession, UserRateThrottle
from tandem.core.registry import entity_types


class TandemApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> dict[str, Any]:
        """Ninja documents every answer as application/json; errors are problem documents."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {PROBLEM_CONTENT_TYPE: content["application/json"]}
        return schema


api = TandemApi(
    title="Tandem API",
    version="1",
    description=(
        "Entities, relations, relation types, properties and saved filters of a Tandem CRM. "
        "Authenticate with `Authorization: Bearer <token>` (`tandem token create <username>`). "
        "Errors are RFC 9457 problem documents."
    ),
    urls_namespace="api",
    auth=[BearerToken(), BrowserSession()],
    throttle=[UserRateThrottle()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_handlers(api, render_current=serialize_any)

for info in entity_types:
    api.add_router(f"/{info.slug}", entity_router(info))
api.add_router("/relations", relations_router)
api.add_router("/relation-types", relation_types_router)
api.add_router("/property-types", property_types_router)
api.add_router("/filters", filters_router)


@csrf_exempt  # it changes nothing; without this, a POST would get the web's CSRF page
def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /api/v1/ answers as the API does, not with the web's HTML page."""
    return problem_response(404, _("There is no such API endpoint: see /api/v1/docs."))


def index(request: HttpRequest) -> HttpResponse:
    """``/api/v1/`` itself: where the document and the docs are."""
    return JsonResponse(
        {"openapi": f"{request.path}openapi.json", "docs": f"{request.path}docs", "version": "1"}
    )
