"""The trash: list, restore, delete for good, empty.

Trashed entities are hidden from lists but keep their relations, so a restore brings them back
whole; deleting for good removes both sides of each of their relations.
"""

from __future__ import annotations

import datetime
import uuid as uuid_module

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tandem.core.exceptions import TandemError
from tandem.core.models import Entity
from tandem.core.services import delete_entity, restore_entity
from tandem.core.services import empty_trash as empty_trash_service

PAGE_SIZE = 50
#: Counting the trash stops here, so the header's count stays cheap on a huge trash.
COUNT_LIMIT = 1000


def trashed_entities(
    *, after: tuple[datetime.datetime, int] | None = None, limit: int = PAGE_SIZE
) -> list[Entity]:
    """One page of the trash, most recently trashed first: keyset-paginated, one query.

    ``after`` is the (modified, pk) of the last row of the previous page.
    """
    entities = Entity.objects.filter(is_deleted=True).select_related("modified_by")
    if after is not None:
        modified, pk = after
        entities = entities.filter(Q(modified__lt=modified) | Q(modified=modified, pk__lt=pk))
    return list(entities.order_by("-modified", "-pk")[:limit])


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)


def _cursor(entity: Entity) -> str:
    """A URL-safe position: microseconds since the epoch, then the primary key."""
    return f"{(entity.modified - _EPOCH) // _MICROSECOND}-{entity.pk}"


def _parse_cursor(value: str) -> tuple[datetime.datetime, int] | None:
    microseconds, _sep, pk = value.partition("-")
    try:
        return _EPOCH + int(microseconds) * _MICROSECOND, int(pk)
    except (ValueError, OverflowError):
        return None


@login_required
def trash(request: HttpRequest) -> HttpResponse:
    """One page of trashed entities, the most recently trashed first."""
    after = _parse_cursor(request.GET.get("after", ""))
    rows = trashed_entities(after=after, limit=PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    count = Entity.objects.filter(is_deleted=True)[:COUNT_LIMIT].count() if rows else 0
    return render(
        request,
        "tandem/trash.html",
        {
            "entities": rows,
            "count": count,
            "count_limit": COUNT_LIMIT,
            "next_cursor": _cursor(rows[-1]) if more else None,
            "paged": after is not None,
        },
    )


def _trashed_or_404(uuid: uuid_module.UUID) -> Entity:
    return get_object_or_404(Entity, uuid=uuid, is_deleted=True)


@login_required
@require_POST
def restore(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    entity = _trashed_or_404(uuid)
    try:
        restore_entity(user=request.user, entity=entity)
    except TandemError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(entity)s” was restored.") % {"entity": entity.label})
    return redirect("trash")


@login_required
@require_POST
def delete(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    entity = _trashed_or_404(uuid)
    try:
        delete_entity(user=request.user, entity=entity)
    except TandemError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("“%(entity)s” was deleted for good.") % {"entity": entity.label}
        )
    return redirect("trash")


@login_required
@require_POST
def empty_trash(request: HttpRequest) -> HttpResponse:
    deleted, refusals = empty_trash_service(user=request.user)
    for refusal in refusals:
        messages.error(request, refusal)
    if deleted:
        messages.success(
            request,
            ngettext(
                "The trash was emptied: %(count)s entity was deleted for good.",
                "The trash was emptied: %(count)s entities were deleted for good.",
                deleted,
            )
            % {"count": deleted},
        )
    elif not refusals:
        messages.info(request, _("The trash was already empty."))
    return redirect("trash")
