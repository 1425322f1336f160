"""Exports: the entities of one type, streamed out as CSV, XLSX or vCard.

Why streamed, and why this shape: an export may hold a million rows, so memory must not grow
with it. Rows are read in chunks (a streaming cursor where the database has one, keyset pages
on MySQL/MariaDB, whose driver would otherwise load the whole result), and what a row needs
besides its own columns (properties, relations) is fetched once per chunk, one grouped query
each. Choice lists and property types are read once per export: they are small.

Cells a spreadsheet would run as a formula are neutralised with a leading apostrophe; numbers
stay numbers. "All fields" exports carry properties and relations as columns, so that an
export can be imported again.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import decimal
import io
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from tandem.core.models import Entity, Property, PropertyType, Relation, RelationType
from tandem.core.registry import EntityTypeInfo, entity_types
from tandem.core.search import fold
from tandem.io.rows import neutralise
from tandem.persons.constants import REL_SUB_EMPLOYED_BY
from tandem.persons.models import Address, ChoiceItem, PersonBase
from tandem.persons.validators import PHONE_KINDS

__all__ = [
    "CHUNK_SIZE",
    "DELIMITERS",
    "FORMATS",
    "ExportColumn",
    "ExportRefused",
    "ExportStream",
    "content_type",
    "export_columns",
    "export_csv",
    "export_entities",
    "export_filename",
    "export_targets",
    "export_vcards",
    "export_xlsx",
    "fold_vcard_line",
    "list_columns",
    "neutralise",
    "supports_vcard",
    "table_rows",
    "vcard_escape",
]

FORMATS = ("csv", "xlsx", "vcf")
DELIMITERS = (",", ";")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "vcf": "text/vcard; charset=utf-8",
}
#: Rows per chunk: per-chunk queries stay well under every database's parameter limit.
CHUNK_SIZE = 1000
#: Between the values of a multi-valued cell; the importer splits on it.
JOINER = "; "
DEFAULT_ORDER: tuple[tuple[str, bool], ...] = (("sort_label", False),)
XLSX_MAX_CELL = 32767
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_TITLE_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
_BIRTHDAY_PARTS = ("birth_day", "birth_month", "birth_year")
_STREAM_BLOCK = 64 * 1024


class ExportRefused(ValueError):
    """An export that cannot be made (unknown format, vCard of a type that has none); the
    message is translated and says why."""


def content_type(format: str) -> str:
    return CONTENT_TYPES[format]


def export_filename(
    info: EntityTypeInfo, format: str, day: datetime.date | None = None, *, variant: str = ""
) -> str:
    """``contacts-2026-12-04.csv``: the type and the day, so successive exports sort;
    ``variant`` ("all-fields", "excel") keeps two kinds of the same day's export apart."""
    day = day or timezone.localdate()
    suffix = f"-{variant}" if variant else ""
    return f"{info.slug}-{day.isoformat()}{suffix}.{format}"


def supports_vcard(info: EntityTypeInfo) -> bool:
    """Only people and organisations have address-book cards."""
    return issubclass(info.model, PersonBase)


def list_columns(info: EntityTypeInfo) -> list[str]:
    """The columns a list page shows: the name, the type's list columns, the last change."""
    return ["label", *info.list_columns, "modified"]


# -- columns ---------------------------------------------------------------------------------


@dataclass
class _Extras:
    """What the rows of one chunk need beyond their own columns."""

    properties: dict[int, list[str]] = field(default_factory=dict)
    relations: dict[tuple[int, str], list[str]] = field(default_factory=dict)


Reader = Callable[[dict[str, Any], _Extras], Any]


@dataclass(frozen=True)
class ExportColumn:
    """One exported column: its header, the ``values()`` paths it reads, how it makes its
    cell, and the import target it maps back to (None when it is not importable)."""

    title: str
    paths: tuple[str, ...]
    read: Reader
    target: dict[str, Any] | None = None


def _final_field(model: type[models.Model], path: str) -> models.Field:
    *relations, last = path.split("__")
    for name in relations:
        model = model._meta.get_field(name).related_model
    return model._meta.get_field(last)


def _nullable(model: type[models.Model], path: str) -> bool:
    """Whether ``path`` can be NULL: a nullable field, or reached through a nullable link."""
    for name in path.split("__"):
        model_field = model._meta.get_field(name)
        if model_field.null:
            return True
        model = model_field.related_model or model
    return False


def _choice_names(model: type[ChoiceItem]) -> dict[int, str]:
    """A choice list's displayed names by id (built-in ones translated): one query."""
    return {item.pk: str(item) for item in model._default_manager.all()}


def _joined(values: Any) -> str:
    if not values:
        return ""
    return JOINER.join(str(value) for value in values if value not in ("", None))


def _phone_numbers(phones: Any, kind: str | None = None) -> str:
    """Numbers, the primary first, of one kind or of all."""
    chosen = [
        phone
        for phone in phones or []
        if isinstance(phone, dict) and (kind is None or phone.get("kind") == kind)
    ]
    chosen.sort(key=lambda phone: not phone.get("primary"))
    return _joined(phone.get("number") for phone in chosen)


def _birthday(row: dict[str, Any]) -> datetime.date | str | None:
    """A date, or ISO 8601's yearless ``--MM-DD``."""
    day, month, year = row.get("birth_day"), row.get("birth_month"), row.get("birth_year")
    if day is None or month is None:
        return None
    if year is None:
        return f"--{month:02d}-{day:02d}"
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _column_for(model: type[Entity], path: str, title: str | None = None) -> ExportColumn | None:
    """The column of one field path, as a list shows it; None for what cannot be exported."""
    if path == "label":
        return ExportColumn(title or _("Name"), ("label",), lambda row, _x: row["label"])
    if path == "modified":
        return ExportColumn(
            title or _("Last modified"), ("modified",), lambda row, _x: row["modified"]
        )
    model_field = _final_field(model, path)
    title = title or capfirst(str(model_field.verbose_name))
    target = {"target": path.replace("__", ".")}
    if isinstance(model_field, models.ForeignKey | models.OneToOneField):
        related = model_field.related_model
        if related is Address:
            parts = tuple(f"{path}__{part}" for part in Address.editable_fields)

            def address(row: dict[str, Any], _extras: _Extras, parts: tuple = parts) -> str:
                values = {part.rsplit("__", 1)[1]: row[part] or "" for part in parts}
                return str(Address(**values))

            return ExportColumn(title, parts, address)
        if issubclass(related, ChoiceItem):
            names = _choice_names(related)
            # Another installation may not have the value yet: the importer may add it.
            return ExportColumn(
                title,
                (path,),
                lambda row, _x: names.get(row[path], "") if row[path] else "",
                {**target, "create_missing": True},
            )
        if related is get_user_model():
            username = f"{path}__{related.USERNAME_FIELD}"
            return ExportColumn(title, (username,), lambda row, _x: row[username], {"target": path})
        if issubclass(related, Entity):
            label = f"{path}__label"
            return ExportColumn(title, (label,), lambda row, _x: row[label])
        return None
    if isinstance(model_field, models.JSONField):
        if path.rsplit("__", 1)[-1] == "phones":
            return ExportColumn(title, (path,), lambda row, _x: _phone_numbers(row[path]))
        return ExportColumn(
            title,
            (path,),
            lambda row, _x: _joined(row[path]) if isinstance(row[path], list) else row[path],
            target,
        )
    return ExportColumn(title, (path,), lambda row, _x: row[path], target)


def _part_title(field_title: str, part_title: str) -> str:
    return _("%(field)s: %(part)s") % {"field": capfirst(field_title), "part": part_title}


def _field_names(info: EntityTypeInfo) -> list[str]:
    """Every editable field, in the order of the detail page, then the others."""
    model = info.model
    names = [name for _title, group in info.field_groups for name in group]
    for model_field in model._meta.concrete_fields:
        if model_field.model is Entity or model_field.name == "entity_ptr":
            continue
        if model_field.editable and model_field.name not in names:
            names.append(model_field.name)
    for name in ("owner", "description"):
        if name not in names:
            names.append(name)
    return names


def _all_field_columns(info: EntityTypeInfo) -> list[ExportColumn]:
    model = info.model
    columns: list[ExportColumn] = []
    for name in _field_names(info):
        if name in _BIRTHDAY_PARTS:
            if not any(column.target == {"target": "birthday"} for column in columns):
                columns.append(
                    ExportColumn(
                        _("Birthday"),
                        tuple(p for p in _BIRTHDAY_PARTS if _has_field(model, p)),
                        lambda row, _x: _birthday(row),
                        {"target": "birthday"},
                    )
                )
            continue
        model_field = model._meta.get_field(name)
        title = str(model_field.verbose_name)
        related = getattr(model_field, "related_model", None)
        if related is Address:
            for part in Address.editable_fields:
                path = f"{name}__{part}"
                part_title = str(Address._meta.get_field(part).verbose_name)
                columns.append(
                    ExportColumn(
                        _part_title(title, part_title),
                        (path,),
                        lambda row, _x, path=path: row[path],
                        {"target": f"{name}.{part}"},
                    )
                )
        elif name == "phones":
            for kind, kind_title in PHONE_KINDS.items():
                columns.append(
                    ExportColumn(
                        _part_title(title, str(kind_title)),
                        (name,),
                        lambda row, _x, kind=kind: _phone_numbers(row["phones"], kind),
                        {"target": "phones", "kind": kind},
                    )
                )
        elif related is get_user_model() and name != "owner":
            continue  # a contact's user account is set from the configuration, not imported
        else:
            column = _column_for(model, name)
            if column is not None:
                columns.append(column)
    return columns


def _has_field(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:
        return False
    return True


def _properties_column() -> ExportColumn:
    return ExportColumn(
        _("Properties"),
        (),
        lambda row, extras: _joined(extras.properties.get(row["pk"])),
        {"target": "properties"},
    )


def _relation_column(relation_type: RelationType, target_type: str | None) -> ExportColumn:
    type_id = relation_type.pk
    target = {"target": "relation", "relation_type": type_id, "match": "name", "create": False}
    if target_type:
        target["target_type"] = target_type
    return ExportColumn(
        capfirst(str(relation_type)),
        (),
        lambda row, extras: _joined(extras.relations.get((row["pk"], type_id))),
        target,
    )


def _relation_types_present(queryset: QuerySet) -> list[tuple[RelationType, str | None]]:
    """The public relation types the exported entities have (to entities not in the trash),
    in the order of their predicates, each with the type of its objects (the most common
    one when they are of several types): two queries."""
    subjects = queryset.order_by().values("pk")
    pairs = (
        Relation.objects.filter(
            subject_id__in=subjects, object__is_deleted=False, type__is_internal=False
        )
        .values("type_id", "object__entity_type_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    object_types: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pair in pairs:
        object_types[pair["type_id"]].append((pair["count"], pair["object__entity_type_id"]))
    types = list(RelationType.objects.filter(pk__in=list(object_types)))
    result = []
    for relation_type in sorted(types, key=lambda t: (fold(str(t)), t.pk)):
        _count, content_type_id = max(object_types[relation_type.pk])
        try:
            slug = entity_types.for_content_type_id(content_type_id).slug
        except KeyError:
            slug = None
        result.append((relation_type, slug))
    return result


def _unique_titles(columns: list[ExportColumn]) -> list[ExportColumn]:
    """A repeated header gets " (2)", " (3)"… as the readers expect."""
    seen: dict[str, int] = {}
    result = []
    for column in columns:
        count = seen[column.title] = seen.get(column.title, 0) + 1
        if count > 1:
            column = ExportColumn(
                f"{column.title} ({count})", column.paths, column.read, column.target
            )
        result.append(column)
    return result


def export_columns(
    info: EntityTypeInfo,
    queryset: QuerySet | None = None,
    *,
    columns: Sequence[str] | None = None,
) -> list[ExportColumn]:
    """The columns of an export: ``columns`` (field paths such as ``billing_address__city``,
    plus ``label`` and ``modified``), or, when None, every editable field then properties
    and one column per relation type the entities of ``queryset`` have."""
    if columns is not None:
        chosen = [_column_for(info.model, path) for path in columns]
        return _unique_titles([column for column in chosen if column is not None])
    result = _all_field_columns(info)
    result.append(_properties_column())
    if queryset is not None:
        result.extend(_relation_column(*present) for present in _relation_types_present(queryset))
    return _unique_titles(result)


def export_targets(info: EntityTypeInfo) -> dict[str, dict[str, Any]]:
    """Header → import target of an "all fields" export in the active language (relation
    columns aside, which depend on the data), so that the importer recognises Tandem's own
    exports."""
    return {
        column.title: column.target
        for column in export_columns(info, None)
        if column.target is not None
    }


# -- reading rows in chunks ------------------------------------------------------------------


def _streams_results() -> bool:
    """Whether ``QuerySet.iterator()`` really streams here. MySQL's driver loads a whole
    result in memory, and PostgreSQL does without server-side cursors."""
    if connection.vendor == "mysql":
        return False
    return not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")


def _after(keys: list[tuple[str, bool, bool]], values: list[Any], pk: int) -> Q:
    """Rows after ``(values, pk)`` in the order of ``keys`` (path, descending, nullable),
    empty values last."""
    if not keys:
        return Q(pk__gt=pk)
    (path, descending, nullable), rest = keys[0], keys[1:]
    value, deeper = values[0], _after(rest, values[1:], pk)
    if value is None:
        return Q(**{f"{path}__isnull": True}) & deeper
    beyond = Q(**{f"{path}__lt" if descending else f"{path}__gt": value})
    if nullable:
        beyond |= Q(**{f"{path}__isnull": True})
    return beyond | (Q(**{path: value}) & deeper)


@dataclass
class _Plan:
    """How to read an export's rows: the query, its order, and what to fetch per chunk."""

    model: type[Entity]
    queryset: QuerySet
    paths: list[str]
    order: Sequence[tuple[str, bool]]
    chunk_size: int
    properties: bool = False
    relation_types: list[str] = field(default_factory=list)
    count: int = 0
    property_names: dict[str, str] = field(default_factory=dict)
    #: Keyset pages instead of a streaming cursor; None: what the database needs.
    keyset: bool | None = None

    def prepare(self) -> None:
        if self.properties:
            self.property_names = {pt.pk: str(pt) for pt in PropertyType.objects.all()}

    def _keys(self) -> list[tuple[str, bool, bool]]:
        return [(path, desc, _nullable(self.model, path)) for path, desc in self.order]

    def _query(self) -> QuerySet:
        ordering: list[Any] = []
        for path, descending, nullable in self._keys():
            if nullable:
                expression = F(path)
                ordering.append(
                    expression.desc(nulls_last=True)
                    if descending
                    else expression.asc(nulls_last=True)
                )
            else:
                ordering.append(f"-{path}" if descending else path)
        paths = list(dict.fromkeys(["pk", *self.paths, *(path for path, _d in self.order)]))
        return self.queryset.order_by(*ordering, "pk").values(*paths)

    def _row_chunks(self) -> Iterator[list[dict[str, Any]]]:
        query = self._query()
        if not (self.keyset if self.keyset is not None else not _streams_results()):
            chunk: list[dict[str, Any]] = []
            for row in query.iterator(chunk_size=self.chunk_size):
                chunk.append(row)
                if len(chunk) >= self.chunk_size:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk
            return
        keys = self._keys()
        page = query
        while True:
            rows = list(page[: self.chunk_size])
            if rows:
                yield rows
            if len(rows) < self.chunk_size:
                return
            last = rows[-1]
            page = query.filter(_after(keys, [last[path] for path, _d, _n in keys], last["pk"]))

    def _extras(self, ids: list[int]) -> _Extras:
        extras = _Extras()
        if self.properties:
            found = defaultdict(list)
            for entity_id, type_id in Property.objects.filter(entity_id__in=ids).values_list(
                "entity_id", "type_id"
            ):
                found[entity_id].append(self.property_names.get(type_id, type_id))
            extras.properties = {key: sorted(names, key=fold) for key, names in found.items()}
        if self.relation_types:
            related = defaultdict(list)
            relations = (
                Relation.objects.filter(
                    subject_id__in=ids,
                    type_id__in=self.relation_types,
                    object__is_deleted=False,
                )
                .order_by("object__sort_label", "pk")
                .values_list("subject_id", "type_id", "object__label")
            )
            for subject_id, type_id, label in relations:
                related[(subject_id, type_id)].append(label)
            extras.relations = dict(related)
        return extras

    def chunks(self) -> Iterator[list[tuple[dict[str, Any], _Extras]]]:
        """Rows with their chunk's extras; a fixed number of queries per chunk."""
        for rows in self._row_chunks():
            extras = self._extras([row["pk"] for row in rows])
            self.count += len(rows)
            yield [(row, extras) for row in rows]


def _plan(
    info: EntityTypeInfo,
    queryset: QuerySet,
    columns: list[ExportColumn],
    order: Sequence[tuple[str, bool]],
    chunk_size: int,
) -> _Plan:
    relation_types = [
        column.target["relation_type"]
        for column in columns
        if column.target and column.target.get("target") == "relation"
    ]
    plan = _Plan(
        model=info.model,
        queryset=queryset,
        paths=list(dict.fromkeys(path for column in columns for path in column.paths)),
        order=tuple(order) or DEFAULT_ORDER,
        chunk_size=max(1, chunk_size),
        properties=any(c.target == {"target": "properties"} for c in columns),
        relation_types=relation_types,
    )
    plan.prepare()
    return plan


def table_rows(
    info: EntityTypeInfo,
    queryset: QuerySet,
    *,
    columns: Sequence[str] | None = None,
    order: Sequence[tuple[str, bool]] = DEFAULT_ORDER,
    chunk_size: int = CHUNK_SIZE,
    keyset: bool | None = None,
) -> tuple[list[ExportColumn], Iterator[list[Any]]]:
    """The columns, and an iterator over each row's typed cell values (str, int, Decimal,
    date, datetime, None): what the CSV and XLSX writers format. ``keyset`` forces keyset
    pages (True) or a streaming cursor (False), to compare them."""
    chosen = export_columns(info, queryset, columns=columns)
    plan = _plan(info, queryset, chosen, order, chunk_size)
    plan.keyset = keyset
    return chosen, _typed_rows(plan, chosen)


def _typed_rows(plan: _Plan, columns: list[ExportColumn]) -> Iterator[list[Any]]:
    for chunk in plan.chunks():
        for row, extras in chunk:
            yield [column.read(row, extras) for column in columns]


# -- streams ---------------------------------------------------------------------------------


class ExportStream:
    """The bytes of an export, as an iterator (what StreamingHttpResponse takes), with the
    number of entities written so far and the HTTP content type."""

    def __init__(self, chunks: Iterator[bytes], format: str, plan: _Plan) -> None:
        self._chunks = chunks
        self._plan = plan
        self.format = format
        self.content_type = CONTENT_TYPES[format]

    @property
    def rows(self) -> int:
        return self._plan.count

    def __iter__(self) -> ExportStream:
        return self

    def __next__(self) -> bytes:
        return next(self._chunks)

    def close(self) -> None:
        """Stop early: the generator's cleanup (temporary files) runs now."""
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


def _in_language(chunks: Iterator[bytes], language: str | None) -> Iterator[bytes]:
    """Run each step of ``chunks`` in ``language``: a response is streamed after the view
    returned, when the request's language may no longer be the active one."""
    try:
        while True:
            with translation.override(language):
                try:
                    block = next(chunks)
                except StopIteration:
                    return
            yield block
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(str(value))


def _check_delimiter(delimiter: str) -> None:
    if delimiter not in DELIMITERS:
        raise ExportRefused(
            _("The delimiter must be one of: %(delimiters)s.")
            % {"delimiters": " ".join(DELIMITERS)}
        )


def export_csv(
    info: EntityTypeInfo,
    queryset: QuerySet,
    *,
    columns: Sequence[str] | None = None,
    order: Sequence[tuple[str, bool]] = DEFAULT_ORDER,
    delimiter: str = ",",
    bom: bool = False,
    chunk_size: int = CHUNK_SIZE,
) -> ExportStream:
    """UTF-8 CSV (CRLF line ends, as RFC 4180 has them); ``bom`` for Excel, which needs it
    to read UTF-8, and ``;`` for Excel in languages whose decimal mark is a comma."""
    _check_delimiter(delimiter)
    chosen = export_columns(info, queryset, columns=columns)
    plan = _plan(info, queryset, chosen, order, chunk_size)

    def generate() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow([neutralise(column.title) for column in chosen])
        header = buffer.getvalue().encode("utf-8", "replace")
        yield (codecs.BOM_UTF8 + header) if bom else header
        for chunk in plan.chunks():
            buffer.seek(0)
            buffer.truncate()
            for row, extras in chunk:
                writer.writerow([_csv_text(column.read(row, extras)) for column in chosen])
            yield buffer.getvalue().encode("utf-8", "replace")

    return ExportStream(_in_language(generate(), translation.get_language()), "csv", plan)


def _xlsx_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | decimal.Decimal):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, datetime.date):
        return value
    text = _XLSX_ILLEGAL.sub("", str(value))
    # An empty cell is not written at all: a third of a sparse sheet's XML.
    return neutralise(text)[:XLSX_MAX_CELL] or None


def _sheet_title(info: EntityTypeInfo) -> str:
    title = _SHEET_TITLE_ILLEGAL.sub(" ", capfirst(info.verbose_name_plural)).strip()
    return title[:31] or "Export"


def export_xlsx(
    info: EntityTypeInfo,
    queryset: QuerySet,
    *,
    columns: Sequence[str] | None = None,
    order: Sequence[tuple[str, bool]] = DEFAULT_ORDER,
    chunk_size: int = CHUNK_SIZE,
) -> ExportStream:
    """An XLSX workbook written by openpyxl's write-only mode (rows go to disk as they come,
    strings inline, so memory stays flat) into a temporary file, then streamed in blocks.
    Numbers and dates are real cells; text is never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    chosen = export_columns(info, queryset, columns=columns)
    plan = _plan(info, queryset, chosen, order, chunk_size)
    sheet_title = _sheet_title(info)

    def generate() -> Iterator[bytes]:
        handle, path = tempfile.mkstemp(prefix="tandem-export-", suffix=".xlsx")
        os.close(handle)
        try:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet(sheet_title)
            sheet.freeze_panes = "A2"
            for index, column in enumerate(chosen, start=1):
                width = min(max(len(column.title) + 2, 12), 50)
                sheet.column_dimensions[get_column_letter(index)].width = width
            bold = Font(bold=True)
            header = []
            for column in chosen:
                cell = WriteOnlyCell(sheet, value=_xlsx_value(column.title))
                cell.font = bold
                header.append(cell)
            sheet.append(header)
            for chunk in plan.chunks():
                for row, extras in chunk:
                    sheet.append([_xlsx_value(column.read(row, extras)) for column in chosen])
            workbook.save(path)
            with open(path, "rb") as workbook_file:
                while block := workbook_file.read(_STREAM_BLOCK):
                    yield block
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    return ExportStream(_in_language(generate(), translation.get_language()), "xlsx", plan)


# -- vCard -----------------------------------------------------------------------------------

#: Our phone kinds as vCard 4.0 TEL types ("other" has none).
_TEL_TYPES = {"work": "work", "mobile": "cell", "home": "home", "fax": "fax", "pager": "pager"}
#: Billing is the work address, shipping the home one (what the vCard reader maps back).
_ADR_TYPES = (("billing_address", "work"), ("shipping_address", "home"))
_VCARD_LINE_OCTETS = 75
_ESCAPED_OR_CHAR = re.compile(r"\\.|.", re.DOTALL)


def vcard_escape(text: str) -> str:
    """A text value escaped as RFC 6350 asks: backslash, comma, semicolon, newline."""
    text = text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold_vcard_line(line: str) -> str:
    """``line`` folded into CRLF-ended lines of at most 75 octets, continuation lines
    starting with a space, never inside a UTF-8 character nor an escape."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for token in _ESCAPED_OR_CHAR.findall(line):
        length = len(token.encode("utf-8"))
        if size + length > _VCARD_LINE_OCTETS:
            parts.append("".join(current))
            current, size = [" "], 1
        current.append(token)
        size += length
    parts.append("".join(current))
    return "\r\n".join(parts) + "\r\n"


def _vcard_fields(model: type[Entity]) -> list[str]:
    names = [
        "label",
        "uuid",
        "modified",
        "description",
        "email",
        "extra_emails",
        "phones",
        "website",
        *(f"{address}__{part}" for address, _t in _ADR_TYPES for part in Address.editable_fields),
    ]
    optional = (
        "name",
        "prefix",
        "first_name",
        "middle_name",
        "last_name",
        "suffix",
        "nickname",
        "department",
        "position",
        *_BIRTHDAY_PARTS,
    )
    return names + [name for name in optional if _has_field(model, name)]


def _card(row: dict[str, Any], extras: _Extras, *, is_org: bool, positions: dict[int, str]) -> str:
    lines = ["BEGIN:VCARD", "VERSION:4.0"]

    def add(name: str, value: str, params: str = "") -> None:
        lines.append(f"{name}{params}:{value}")

    if is_org:
        add("KIND", "org")
    add("FN", vcard_escape(row["label"] or ""))
    if is_org:
        add("N", ";;;;")
        add("ORG", vcard_escape(row.get("name") or row["label"] or ""))
        add("X-ABShowAs", "COMPANY")
    else:
        parts = ("last_name", "first_name", "middle_name", "prefix", "suffix")
        add("N", ";".join(vcard_escape(row.get(part) or "") for part in parts))
        if row.get("nickname"):
            add("NICKNAME", vcard_escape(row["nickname"]))
        employers = extras.relations.get((row["pk"], REL_SUB_EMPLOYED_BY)) or []
        department = row.get("department") or ""
        if employers or department:
            organisation = vcard_escape(employers[0] if employers else "")
            add("ORG", f"{organisation};{vcard_escape(department)}" if department else organisation)
        if row.get("position"):
            add("TITLE", vcard_escape(positions.get(row["position"], "")))
    if row.get("email"):
        add("EMAIL", vcard_escape(row["email"]), ";PREF=1")
    for email in row.get("extra_emails") or []:
        if email and email != row.get("email"):
            add("EMAIL", vcard_escape(str(email)))
    for phone in row.get("phones") or []:
        if not isinstance(phone, dict) or not phone.get("number"):
            continue
        params = ""
        if phone.get("kind") in _TEL_TYPES:
            params += f";TYPE={_TEL_TYPES[phone['kind']]}"
        if phone.get("primary"):
            params += ";PREF=1"
        add("TEL", vcard_escape(str(phone["number"])), params)
    for address, adr_type in _ADR_TYPES:
        values = {part: row.get(f"{address}__{part}") or "" for part in Address.editable_fields}
        if any(values.values()):
            components = (
                values["po_box"],
                "",
                values["street"],
                values["city"],
                values["region"],
                values["postal_code"],
                values["country"],
            )
            add("ADR", ";".join(vcard_escape(c) for c in components), f";TYPE={adr_type}")
    if row.get("website"):
        add("URL", row["website"].replace("\r", "").replace("\n", ""))
    birthday = _birthday(row)
    if isinstance(birthday, datetime.date):
        add("BDAY", birthday.strftime("%Y%m%d"))
    elif birthday:
        add("BDAY", f"--{row['birth_month']:02d}{row['birth_day']:02d}")
    if row.get("description"):
        add("NOTE", vcard_escape(row["description"]))
    categories = extras.properties.get(row["pk"])
    if categories:
        add("CATEGORIES", ",".join(vcard_escape(name) for name in categories))
    add("UID", f"urn:uuid:{row['uuid']}")
    if row.get("modified"):
        add("REV", row["modified"].astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ"))
    lines.append("END:VCARD")
    return "".join(fold_vcard_line(line) for line in lines)


def export_vcards(
    info: EntityTypeInfo,
    queryset: QuerySet,
    *,
    order: Sequence[tuple[str, bool]] = DEFAULT_ORDER,
    chunk_size: int = CHUNK_SIZE,
) -> ExportStream:
    """vCard 4.0 (RFC 6350) cards, one per entity: what address books import. A contact's
    ORG is the organisation it is an employee of; organisations are ``KIND:org`` and Apple's
    ``X-ABShowAs:COMPANY``; properties become CATEGORIES."""
    if not supports_vcard(info):
        raise ExportRefused(
            _("%(type)s cannot be exported as vCards: only contacts and organisations can.")
            % {"type": capfirst(info.verbose_name_plural)}
        )
    model = info.model
    is_org = not _has_field(model, "last_name")
    plan = _Plan(
        model=model,
        queryset=queryset,
        paths=_vcard_fields(model),
        order=tuple(order) or DEFAULT_ORDER,
        chunk_size=max(1, chunk_size),
        properties=True,
        relation_types=[] if is_org else [REL_SUB_EMPLOYED_BY],
    )
    plan.prepare()
    positions: dict[int, str] = {}
    if _has_field(model, "position"):
        positions = _choice_names(model._meta.get_field("position").related_model)

    def generate() -> Iterator[bytes]:
        for chunk in plan.chunks():
            text = "".join(
                _card(row, extras, is_org=is_org, positions=positions) for row, extras in chunk
            )
            yield text.encode("utf-8", "replace")

    return ExportStream(_in_language(generate(), translation.get_language()), "vcf", plan)


def export_entities(
    info: EntityTypeInfo,
    queryset: QuerySet,
    format: str,
    *,
    columns: Sequence[str] | None = None,
    order: Sequence[tuple[str, bool]] = DEFAULT_ORDER,
    delimiter: str = ",",
    bom: bool = False,
    chunk_size: int = CHUNK_SIZE,
) -> ExportStream:
    """Any format by name: what the web, the API and the command line call. Raises
    ExportRefused for a format Tandem does not write or a vCard of another type."""
    if format == "csv":
        return export_csv(
            info,
            queryset,
            columns=columns,
            order=order,
            delimiter=delimiter,
            bom=bom,
            chunk_size=chunk_size,
        )
    if format == "xlsx":
        return export_xlsx(info, queryset, columns=columns, order=order, chunk_size=chunk_size)
    if format == "vcf":
        return export_vcards(info, queryset, order=order, chunk_size=chunk_size)
    raise ExportRefused(
        _("Tandem cannot export to “%(format)s”: choose one of %(formats)s.")
        % {"format": format, "formats": ", ".join(FORMATS)}
    )
