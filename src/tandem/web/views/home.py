"""Home page, global search, language choice and the health probe."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.core.models import Entity
from tandem.core.registry import entity_types
from tandem.core.selectors import ranked_search
from tandem.core.services.users import set_user_language
from tandem.persons.constants import DEFAULT_MANAGED_NAMES
from tandem.persons.services import managed_organisations

SEARCH_LIMIT = 50
MAX_SEARCH_LENGTH = 200


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What is in the CRM, what to do next, and the entities changed last."""
    counts = [
        (info, info.model.objects.filter(is_deleted=False)[:10_000].count())
        for info in entity_types
    ]
    managed = managed_organisations()
    renamed = not any(organisation.name in DEFAULT_MANAGED_NAMES for organisation in managed)
    recent = Entity.objects.filter(is_deleted=False).order_by("-modified", "-pk")[:8]
    return render(
        request,
        "tandem/home.html",
        {
            "counts": counts,
            "managed": managed,
            "renamed": renamed,
            "has_entities": sum(count for _info, count in counts) > len(managed),
            "recent": recent,
        },
    )


PICKER_FIELD = re.compile(r"[a-z][a-z0-9_-]{0,39}")


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Every entity type at once, by label and search fields, case- and accent-blind."""
    if request.GET.get("picker"):
        # The radio buttons' name: "target" (bulk bar) or a filter row's "c3-entity".
        field_name = request.GET.get("picker_field", "target")
        if not PICKER_FIELD.fullmatch(field_name):
            field_name = "target"
        text = request.GET.get(f"{field_name}_search", "").strip()[:MAX_SEARCH_LENGTH]
        found = ranked_search(text, limit=10)[:10]
        return render(
            request,
            "tandem/partials/search_picker.html",
            {"results": found, "text": text, "field_name": field_name},
        )
    query = request.GET.get("q", "").strip()
    too_long = len(query) > MAX_SEARCH_LENGTH
    results = ranked_search(query, limit=SEARCH_LIMIT) if query and not too_long else []
    return render(
        request,
        "tandem/search.html",
        {
            "search_query": query,
            "results": results[:SEARCH_LIMIT],
            "more": len(results) > SEARCH_LIMIT,
            "too_long": too_long,
            "max_length": MAX_SEARCH_LENGTH,
        },
    )


#: How many entities the search box's dropdown offers as you type.
SUGGESTION_LIMIT = 8


@login_required
def search_suggestions(request: HttpRequest) -> HttpResponse:
    """The header search box's dropdown: the best few matches as you type."""
    query = request.GET.get("q", "").strip()
    too_long = len(query) > MAX_SEARCH_LENGTH
    results = ranked_search(query, limit=SUGGESTION_LIMIT) if query and not too_long else []
    return render(
        request,
        "tandem/partials/search_suggestions.html",
        {
            "search_query": query,
            "results": results[:SUGGESTION_LIMIT],
            "more": len(results) > SUGGESTION_LIMIT,
            "too_long": too_long,
            "max_length": MAX_SEARCH_LENGTH,
        },
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a logged-in user's choice is kept on their account."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if not check_for_language(language):
        return response
    if request.user.is_authenticated:
        try:
            set_user_language(user=request.user, language=language)
        except ValidationError:
            return response
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def health(request: HttpRequest) -> JsonResponse:
    """Liveness probe for load balancers: answers once the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def logout(request: HttpRequest) -> HttpResponse:
    """POST logs out (and says so on the login page); GET asks first, as a link must not."""
    if request.method == "POST":
        auth.logout(request)
        messages.info(request, _("You are logged out."))
        return redirect("login")
    if not request.user.is_authenticated:
        return redirect("login")
    return render(request, "registration/logout.html")
