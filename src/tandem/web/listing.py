"""Entity lists: columns, filters, sorting and keyset pagination.

Keyset pagination ("the rows after this one") costs the same on the last page as on the first,
and no list counts all its rows: both keep a list fast on a million entities.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, Q, QuerySet
from django.http import QueryDict

from tandem.core.registry import EntityTypeInfo
from tandem.core.search import search_words_q
from tandem.core.selectors import filter_text
from tandem.web.presenters import field_label

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 25
MAX_FILTER_LENGTH = 200
LABEL = "label"
#: Columns sorted on another column: the name on its folded form (no case, no accents).
SORT_FIELDS = {LABEL: "sort_label"}
#: Sortable columns holding moments; every other sortable column holds text.
DATE_SORT_FIELDS = frozenset({"created", "modified"})


@dataclass(frozen=True)
class Column:
    """One list column: a field path (or a view's column key), its header, whether it can be
    sorted and searched, and its kind: a field, related entities, properties, computed."""

    path: str
    title: str
    sortable: bool
    searchable: bool
    kind: str = "field"

    @property
    def filter_key(self) -> str:
        """The query-string parameter of this column's quick search."""
        return f"f_{self.path}"


def columns_of(info: EntityTypeInfo, view: Any = None) -> list[Column]:
    """The name, the view's columns (or the type's default ones), and the last change."""
    from django.utils.translation import gettext as _

    from tandem.core.columns import column_choices

    columns = [Column(LABEL, _("Name"), sortable=True, searchable=True)]
    keys = view.columns if view is not None else [f"field:{p}" for p in info.list_columns]
    choices = column_choices(info.model, info.content_type.pk) if view is not None else {}
    for key in keys:
        kind, _colon, argument = key.partition(":")
        if kind == "field":
            try:
                field = _final_field(info.model, argument)
            except (FieldDoesNotExist, AttributeError):  # gone since the view was saved
                continue
            # Sorting needs a non-null column for the keyset (text columns are stored as "")
            # and an index to walk, or a million-row list would be sorted whole on every page.
            sortable = (
                "__" not in argument
                and isinstance(field, models.CharField)
                and not field.null
                and sorts_by_index(info.model, argument)
            ) or argument in DATE_SORT_FIELDS
            searchable = isinstance(field, models.CharField | models.TextField | models.JSONField)
            searchable = searchable or _named_by(field) is not None
            title = field_label(info.model, argument)
            columns.append(Column(argument, title, sortable, searchable))
        elif key in choices:
            columns.append(Column(key, choices[key].label, False, False, kind))
    columns.append(Column("modified", _("Last modified"), sortable=True, searchable=False))
    return columns


def sorts_by_index(model: type[models.Model], name: str) -> bool:
    """Whether an index of ``model``'s own table starts with the column ``name`` (a partial
    index does not count: it holds only some rows)."""
    field = model._meta.get_field(name)
    if field.model is not model:  # a parent's column: its indexes start with the type
        return False
    if field.db_index or field.unique:
        return True
    return any(
        index.fields and index.fields[0] == name and index.condition is None
        for index in model._meta.indexes
    )


#: How many related entities a relation column names in one cell.
RELATED_PER_CELL = 5


def table_cells(info: EntityTypeInfo, rows: list[Any], columns: list[Column]) -> list[list[Any]]:
    """Each row's cells for ``columns``: field values from the rows themselves, relation,
    property and computed columns from one grouped query each, whatever the row count."""
    from collections import defaultdict

    from django.db.models import Count, F, Window
    from django.db.models.functions import RowNumber

    from tandem.core.models import Property, Relation
    from tandem.web.presenters import ShownValue, shown_value

    pks = [row.pk for row in rows]
    relation_types = [c.path.split(":", 1)[1] for c in columns if c.kind == "relation"]
    related: dict[tuple[int, str], list[str]] = defaultdict(list)
    if relation_types and pks:
        ranked = (
            Relation.objects.filter(
                subject_id__in=pks, type_id__in=relation_types, object__is_deleted__in=[False]
            )
            .annotate(
                position=Window(
                    RowNumber(),
                    partition_by=[F("subject_id"), F("type_id")],
                    order_by=[F("object__sort_label").asc(), F("pk").asc()],
                )
            )
            .filter(position__lte=RELATED_PER_CELL + 1)
            .values_list("subject_id", "type_id", "object__label")
        )
        for subject_id, type_id, label in ranked:
            related[(subject_id, type_id)].append(label)
    properties: dict[int, list[str]] = defaultdict(list)
    if any(c.kind == "properties" for c in columns) and pks:
        for carried in Property.objects.filter(entity_id__in=pks).select_related("type"):
            properties[carried.entity_id].append(str(carried.type))
    counts: dict[int, int] = {}
    if any(c.path == "computed:relation_count" for c in columns) and pks:
        counts = dict(
            Relation.objects.filter(subject_id__in=pks)
            .values("subject_id")
            .annotate(count=Count("pk"))
            .values_list("subject_id", "count")
        )
    table = []
    for row in rows:
        cells = []
        for column in columns:
            if column.kind == "field":
                cells.append(shown_value(info.model, row, column.path))
            elif column.kind == "relation":
                labels = related.get((row.pk, column.path.split(":", 1)[1]), [])
                if len(labels) > RELATED_PER_CELL:
                    labels = [*labels[:RELATED_PER_CELL], "…"]
                cells.append(ShownValue(column.title, "lines", labels))
            elif column.kind == "properties":
                cells.append(ShownValue(column.title, "lines", sorted(properties[row.pk])))
            else:
                cells.append(ShownValue(column.title, "text", counts.get(row.pk, 0)))
        table.append(cells)
    return table


def _final_field(model: type[models.Model], path: str) -> models.Field:
    *relations, last = path.split("__")
    for name in relations:
        model = model._meta.get_field(name).related_model
    return model._meta.get_field(last)


def _named_by(field: models.Field) -> str | None:
    """The text column a foreign key's target is searched on: a choice's name, a user's
    username; None for targets without one."""
    if not isinstance(field, models.ForeignKey):
        return None
    target = field.related_model
    if target is get_user_model():
        return target.USERNAME_FIELD
    names = {f.name for f in target._meta.get_fields()}
    return "name" if "name" in names else None


def _search_path(model: type[models.Model], path: str) -> str:
    """Foreign-key columns are searched on the text that names their target."""
    name = _named_by(_final_field(model, path))
    return f"{path}__{name}" if name else path


@dataclass
class ListQuery:
    """What the user asked of a list, read from the query string."""

    sort: str
    descending: bool
    page_size: int
    text: str
    column_filters: dict[str, str]
    after: tuple[Any, int] | None
    before: tuple[Any, int] | None
    errors: list[str]


def parse_list_query(params: QueryDict, columns: list[Column]) -> ListQuery:
    """Read sort, filters, page size and cursor; ignore (and report) what makes no sense."""
    from django.utils.translation import gettext as _

    errors = []
    sortable = {column.path for column in columns if column.sortable}
    sort = params.get("sort", LABEL)
    descending = sort.startswith("-")
    sort = sort.lstrip("-")
    if sort not in sortable:
        sort, descending = LABEL, False
    try:
        page_size = int(params.get("size", DEFAULT_PAGE_SIZE))
    except ValueError:
        page_size = DEFAULT_PAGE_SIZE
    if page_size not in PAGE_SIZES:
        page_size = DEFAULT_PAGE_SIZE
    text = params.get("q", "").strip()
    if len(text) > MAX_FILTER_LENGTH:
        errors.append(
            _("The search text is too long: at most %(max)s characters.")
            % {"max": MAX_FILTER_LENGTH}
        )
        text = ""
    column_filters = {}
    for column in columns:
        value = params.get(f"f_{column.path}", "").strip()
        if column.searchable and value:
            column_filters[column.path] = value[:MAX_FILTER_LENGTH]
    return ListQuery(
        sort=sort,
        descending=descending,
        page_size=page_size,
        text=text,
        column_filters=column_filters,
        after=_cursor_for(sort, params.get("after")),
        before=_cursor_for(sort, params.get("before")),
        errors=errors,
    )


#: The range of the databases' 64-bit ids: a tampered cursor outside it is no cursor.
MIN_ID, MAX_ID = -(2**63), 2**63 - 1


def encode_cursor(value: Any, pk: int) -> str:
    if isinstance(value, datetime.datetime):
        value = {"dt": value.isoformat()}
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_for(sort: str, raw: str | None) -> tuple[Any, int] | None:
    """The cursor if it fits the sort (a moment for dates, text otherwise); a cursor made for
    another sort, or tampered with, gives the first page instead of an error."""
    cursor = decode_cursor(raw)
    if cursor is not None and isinstance(cursor[0], datetime.datetime) != (
        sort in DATE_SORT_FIELDS
    ):
        return None
    return cursor


def decode_cursor(cursor: str | None) -> tuple[Any, int] | None:
    """A cursor back into (sort value, pk); None for a missing or tampered one."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        if isinstance(value, dict):
            value = datetime.datetime.fromisoformat(value["dt"])
        if type(pk) is not int or not MIN_ID <= pk <= MAX_ID:  # bool is an int too
            return None
        if not isinstance(value, str | datetime.datetime):
            return None
        return value, pk
    except (ValueError, TypeError, KeyError, binascii.Error, json.JSONDecodeError):
        return None


def filtered(queryset: QuerySet, info: EntityTypeInfo, query: ListQuery) -> QuerySet:
    """Rows matching the list-wide text (every word, in the folded search text) and the
    per-column quick searches, all case- and accent-blind."""
    queryset = queryset.filter(search_words_q(query.text))
    for path, value in query.column_filters.items():
        queryset = filter_text(queryset, _search_path(info.model, path), value)
    return queryset


@dataclass
class Page:
    rows: list[Any]
    next_cursor: str | None
    previous_cursor: str | None


def page_of(queryset: QuerySet, query: ListQuery, *, few: bool = False) -> Page:
    """One page of ``queryset`` in the asked order, after or before a cursor: one query.

    ``few``: the rows are known to be few (a bounded count said so). The database is then
    told to find them first and sort them after, instead of walking the sort index in the
    hope of meeting them soon: for a rare search word, that walk reads the whole index.
    """
    field, size = SORT_FIELDS.get(query.sort, query.sort), query.page_size
    backwards = query.before is not None
    descending = query.descending != backwards
    key: Any = field
    if few:
        from django.db.models import Value
        from django.db.models.functions import Coalesce

        # The same order, through an expression no index provides.
        default = F(field) if field in DATE_SORT_FIELDS else Value("")
        key = Coalesce(F(field), default)
    ordering = (
        [key.desc() if few else f"-{field}", "-pk"]
        if descending
        else [key.asc() if few else field, "pk"]
    )
    cursor = query.before or query.after
    if cursor is not None:
        value, pk = cursor
        # The ``lte`` / ``gte`` bound gives the database an index range to start from; the
        # OR alone would make it scan.
        if descending:
            queryset = queryset.filter(
                Q(**{f"{field}__lt": value}) | Q(**{field: value, "pk__lt": pk}),
                **{f"{field}__lte": value},
            )
        else:
            queryset = queryset.filter(
                Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk}),
                **{f"{field}__gte": value},
            )
    rows = list(queryset.order_by(*ordering)[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    if not rows:
        return Page([], None, None)
    first, last = rows[0], rows[-1]
    if backwards:
        next_cursor = encode_cursor(getattr(last, field), last.pk)
        previous_cursor = encode_cursor(getattr(first, field), first.pk) if has_more else None
    else:
        next_cursor = encode_cursor(getattr(last, field), last.pk) if has_more else None
        previous_cursor = encode_cursor(getattr(first, field), first.pk) if cursor else None
    return Page(rows, next_cursor, previous_cursor)


@dataclass
class SavedFilterChoice:
    """The saved filter a list applies (``?filter=<id>``), or why it could not."""

    entity_filter: Any = None
    error: str = ""


def apply_saved_filter(
    queryset: QuerySet, info: EntityTypeInfo, user: Any, params: QueryDict
) -> tuple[QuerySet, SavedFilterChoice]:
    """Narrow ``queryset`` to the saved filter the query string names; an unknown or broken
    filter gives no rows and a message, never the whole list or a server error."""
    from django.utils.translation import gettext as _

    from tandem.core.filters import FilterBroken, apply_filter
    from tandem.core.selectors import visible_filters

    raw = params.get("filter", "").strip()
    if not raw:
        return queryset, SavedFilterChoice()
    entity_filter = None
    if raw.isdigit() and len(raw) < 12:
        entity_filter = (
            visible_filters(user).filter(pk=int(raw), entity_type_id=info.content_type.pk).first()
        )
    if entity_filter is None:
        return queryset.none(), SavedFilterChoice(
            error=_("This filter does not exist (any more), or is not for this list.")
        )
    try:
        return apply_filter(queryset, entity_filter, user), SavedFilterChoice(entity_filter)
    except FilterBroken as error:
        return queryset.none(), SavedFilterChoice(entity_filter, str(error))


@dataclass
class ListRows:
    """What a list shows for its query string: the rows across its pages, the parsed query,
    the saved filter and view chosen, and the columns."""

    rows: QuerySet
    query: ListQuery
    saved_filter: SavedFilterChoice
    saved_view: Any
    columns: list[Column]


def list_rows(info: EntityTypeInfo, user: Any, params: QueryDict) -> ListRows:
    """The list page, its export and its bulk actions share this, so they agree on the rows:
    the type out of the trash, the searches, the saved filter (and the view's columns)."""
    from tandem.core.selectors import NOT_TRASHED, visible_views

    saved_view = None
    raw_view = params.get("view", "")
    if raw_view.isdigit() and len(raw_view) < 12:
        saved_view = (
            visible_views(user)
            .filter(pk=int(raw_view), entity_type_id=info.content_type.pk)
            .first()
        )
    columns = columns_of(info, saved_view)
    query = parse_list_query(params, columns)
    # The explicit type lets the database walk the (entity_type, is_deleted, sort_label) index.
    rows = info.model._default_manager.filter(NOT_TRASHED, entity_type_id=info.content_type.pk)
    rows = filtered(rows, info, query)
    rows, saved_filter = apply_saved_filter(rows, info, user, params)
    return ListRows(rows, query, saved_filter, saved_view, columns)


#: Below this, a list says exactly how many rows it has; above, "more than". Low on purpose:
#: the count reads up to this many rows on every page (10,000 cost ~200 ms on 2M entities).
EXACT_COUNT_LIMIT = 1_000


def bounded_count(rows: QuerySet, limit: int = EXACT_COUNT_LIMIT) -> tuple[int, bool]:
    """(count, exact): the number of rows up to ``limit``, without counting a whole table."""
    count = rows.order_by()[: limit + 1].count()
    return min(count, limit), count <= limit


def is_uuid(value: Any) -> bool:
    """Whether ``value`` is a UUID's text (a form's ``selected`` or ``target``)."""
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
