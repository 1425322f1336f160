"""Pages of the web interface. They read through selectors and write through services only."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from tandem.core.registry import entity_types
from tandem.persons.services import managed_organisations


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home screen: what is in the CRM and what to do first."""
    counts = [
        (info.verbose_name_plural, info.model.objects.filter(is_deleted=False).count())
        for info in entity_types
    ]
    return render(
        request,
        "tandem/home.html",
        {"counts": counts, "managed": managed_organisations()},
    )


def health(request: HttpRequest) -> JsonResponse:
    """Liveness probe for load balancers: answers once the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
