"""Rows to records: the one place an import decides what to create, update, skip or reject.

Readers (tabular, vcard) turn files into rows; this module turns each row into field values
through the mapping, then writes through the core services only, so validation, history and
the relation pair hold as for any other write. A bad value drops that field (a warning on the
row); a row that cannot make a valid record is rejected with its line and reasons; nothing is
dropped without a line in the report. Rows are written in chunks, each row in its own
savepoint, so one failing row never leaves half a record nor undoes the others.
"""

from __future__ import annotations

import datetime
import re
import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from tandem.core import services
from tandem.core.exceptions import TandemError
from tandem.core.models import Entity, HistoryEntry, PropertyType, RelationType, User
from tandem.core.registry import entity_types
from tandem.core.search import fold
from tandem.core.selectors import NOT_TRASHED
from tandem.core.services.history import record
from tandem.core.services.relations import RULES_PREFETCH
from tandem.core.statistics import refresh_planner_statistics
from tandem.io.mapping import ADDRESS_FIELDS, NAME_KEY, ImportSettings, is_choice_field
from tandem.io.rows import SourceRow, SourceTable
from tandem.io.values import (
    ValueRejected,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_phone,
    parse_year,
    split_values,
)
from tandem.io.vcard import column_label
from tandem.persons.choices import add_choice, choice_names
from tandem.persons.models import Contact, Organisation
from tandem.persons.validators import PHONE_MAX_LENGTH

CHUNK_SIZE = 200
#: Most rows a report lists one by one (the counts stay exact beyond it).
REPORT_ROWS_LIMIT = 10_000
PERSON_NAME_FIELDS = ("first_name", "last_name", "nickname")

STATUSES = ("created", "updated", "unchanged", "skipped", "rejected")

_PHONE_KIND_WORDS = {
    "mobile": ("mobile", "cell", "cellular", "portable", "gsm"),
    "home": ("home", "domicile", "personal", "perso", "maison"),
    "work": ("work", "business", "office", "bureau", "travail", "pro", "main", "company"),
    "fax": ("fax", "telecopie"),
    "pager": ("pager", "bip", "beeper"),
}


@dataclass
class RowResult:
    line: int
    status: str
    label: str = ""
    uuid: str = ""
    type: str = ""
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportReport:
    """Counts per outcome and the rows worth a line (rejected, skipped, with warnings)."""

    entity_type: str
    filename: str = ""
    dry_run: bool = False
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    related_created: int = 0
    rows: list[RowResult] = field(default_factory=list)
    rows_left_out: int = 0
    warnings: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return sum(self.counts.values())

    @property
    def imported_anything(self) -> bool:
        return bool(self.counts["created"] or self.counts["updated"] or self.counts["unchanged"])

    def add(self, result: RowResult) -> None:
        self.counts[result.status] += 1
        if result.status in ("rejected", "skipped") or result.warnings:
            if len(self.rows) < REPORT_ROWS_LIMIT:
                self.rows.append(result)
            else:
                self.rows_left_out += 1

    def to_json(self) -> dict[str, Any]:
        return {
            "entity_type": self.entity_type,
            "filename": self.filename,
            "dry_run": self.dry_run,
            "counts": self.counts,
            "related_created": self.related_created,
            "rows": [row.__dict__ for row in self.rows],
            "rows_left_out": self.rows_left_out,
            "warnings": self.warnings,
            "columns": self.columns,
        }


class _Rejected(Exception):
    def __init__(self, *reasons: str) -> None:
        self.reasons = list(reasons)


@dataclass
class _RowData:
    """A row's values sorted by where they go."""

    fields: dict[str, Any] = field(default_factory=dict)
    addresses: dict[str, dict[str, str]] = field(default_factory=dict)
    emails: list[str] = field(default_factory=list)
    phones: list[dict[str, Any]] = field(default_factory=list)
    properties: list[str] = field(default_factory=list)
    relations: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    owner: User | None = None
    is_company: bool = False
    company_name: str = ""
    full_name: str = ""
    warnings: list[str] = field(default_factory=list)

    def has_person_name(self) -> bool:
        return any(self.fields.get(name) for name in PERSON_NAME_FIELDS)


def _property_names(property_type: PropertyType) -> set[str]:
    """A property type's folded texts: as stored, and a built-in one in every language, so
    that a French export's "est un VIP" finds the built-in "is a VIP"."""
    names = {fold(property_type.text)}
    if not property_type.is_custom:
        for language, _name in django_settings.LANGUAGES:
            with translation.override(language):
                names.add(fold(str(property_type)))
    return names


class Importer:
    """One import run: caches of looked-up choices, users, property types and related records
    live here so that a 100k-row file asks the database once per distinct value."""

    def __init__(
        self,
        settings: ImportSettings,
        *,
        user: User | None,
        filename: str = "",
        job_uuid: str = "",
        progress: Callable[[int], None] | None = None,
    ) -> None:
        settings.check()
        self.settings = settings
        self.user = user
        self.filename = filename
        self.job_uuid = job_uuid
        self.progress = progress
        self.model = settings.model
        self._choices: dict[tuple[type, str], Any] = {}
        self._users: dict[str, User | None] = {}
        self._property_types: dict[str, PropertyType | None] = {}
        self._related: dict[tuple[str, str, str], Entity | None] = {}
        self._fixed_objects: dict[str, Entity | None] = {}
        self._format = ""
        self._relation_types: dict[str, RelationType] = {}
        #: Duplicate keys seen in this file: key → pk of the record the row made or matched.
        self._seen: dict[tuple, int] = {}

    # -- running --------------------------------------------------------------------------

    def run(self, table: SourceTable, *, dry_run: bool = False) -> ImportReport:
        self._format = table.format
        report = ImportReport(
            entity_type=self.settings.entity_type,
            filename=self.filename,
            dry_run=dry_run,
            warnings=list(table.warnings),
            columns=list(table.columns),
        )
        if dry_run:
            # Everything happens as for real, then the whole run is rolled back.
            with transaction.atomic():
                self._run_rows(table, report)
                transaction.set_rollback(True)
        else:
            self._run_rows(table, report)
        return report

    def _run_rows(self, table: SourceTable, report: ImportReport) -> None:
        rows = table.rows
        for start in range(0, len(rows), CHUNK_SIZE):
            with transaction.atomic():
                for row in rows[start : start + CHUNK_SIZE]:
                    report.add(self._import_row(row, report))
            if self.progress is not None:
                self.progress(min(start + CHUNK_SIZE, len(rows)))

    def _import_row(self, row: SourceRow, report: ImportReport) -> RowResult:
        result = RowResult(line=row.line, status="rejected", warnings=list(row.warnings))
        try:
            with transaction.atomic():
                data = self._row_data(row)
                result.warnings.extend(data.warnings)
                model = self._model_for(data)
                entity, status = self._write(model, data, result, report)
                result.status = status
                result.label = entity.label if entity is not None else ""
                result.uuid = str(entity.uuid) if entity is not None else ""
                result.type = entity_types.for_model(model).slug
        except _Rejected as rejection:
            result.status = "rejected"
            result.reasons = rejection.reasons
            result.values = _printable(row.values)
        except TandemError as error:
            result.status = "rejected"
            result.reasons = [str(error)]
            result.values = _printable(row.values)
        if result.status == "skipped":
            result.values = _printable(row.values)
        return result

    # -- reading a row --------------------------------------------------------------------

    def _row_data(self, row: SourceRow) -> _RowData:
        data = _RowData()
        values = row.values
        given: set[str] = set()
        for column, target in self.settings.columns.items():
            raw = values.get(column)
            if _empty(raw):
                continue
            name = target.get("target", "")
            if not name:
                continue
            given.add(name)
            try:
                self._take(data, name, target, raw, values)
            except ValueRejected as error:
                data.warnings.append(
                    _("%(column)s: %(reason)s")
                    % {"column": column_label(self._format, column), "reason": error}
                )
        for name, raw in self.settings.defaults.items():
            if name in given or _empty(raw):
                continue
            try:
                self._take(data, name, {"target": name}, raw, values)
            except ValueRejected as error:
                data.warnings.append(
                    _("Default value of %(target)s: %(reason)s") % {"target": name, "reason": error}
                )
        data.is_company = bool(values.get("is_company"))
        if not data.company_name and values.get("organisation"):
            data.company_name = str(values["organisation"]).strip()
        full_name = data.full_name or " ".join(_text(values.get("full_name")).split())
        if self.model is Organisation and full_name:
            data.fields.setdefault("name", full_name)
        elif data.full_name and not data.has_person_name() and not data.is_company:
            # "Ada Lovelace": the last word is the last name, the rest the first name(s).
            first, _space, last = data.full_name.rpartition(" ")
            data.fields["last_name"] = last
            if first:
                data.fields["first_name"] = first
        return data

    def _take(
        self,
        data: _RowData,
        name: str,
        target: dict[str, Any],
        raw: Any,
        values: dict[str, Any],
    ) -> None:
        """Put one cell's value where its target says, converted and checked."""
        if "." in name:
            address, _dot, part = name.partition(".")
            if target.get("split") == "city_region" and part == "city":
                city, _comma, region = str(raw).partition(",")
                data.addresses.setdefault(address, {})["city"] = city.strip()
                if region.strip():
                    data.addresses[address]["region"] = region.strip()
                return
            address = self._address_kind(target, values) or address
            data.addresses.setdefault(address, {})[part] = _text(raw)
        elif name in ADDRESS_FIELDS:
            if isinstance(raw, dict):
                parts = {key: _text(value) for key, value in raw.items() if not _empty(value)}
                extended = parts.pop("extended", "")
                if extended:
                    parts["street"] = "\n".join(p for p in (parts.get("street"), extended) if p)
                data.addresses.setdefault(name, {}).update(parts)
        elif name == "extra_emails" or (name == "email" and isinstance(raw, list)):
            for email in raw if isinstance(raw, list) else split_values(_text(raw)):
                data.emails.append(_email(email))
        elif name == "email":
            data.emails.insert(0, _email(raw))
        elif name == "phones":
            self._take_phones(data, target, raw, values)
        elif name == "birthday":
            self._take_birthday(data, raw)
        elif name == "properties":
            items = raw if isinstance(raw, list) else split_values(_text(raw))
            for item in items:
                text = _text(item)
                # Google marks its own groups ("* My Contacts", "* Starred") with "* ".
                if text and not text.startswith("* "):
                    data.properties.append(text)
        elif name == "full_name":
            data.full_name = " ".join(_text(raw).split())
        elif name == "owner":
            data.owner = self._owner(_text(raw))
        elif name == "relation":
            for value in raw if isinstance(raw, list) else [raw]:
                text = _text(value)
                if not text:
                    continue
                data.relations.append((target, text))
                if (
                    target.get("relation_type") == _employment_type()
                    and target.get("target_type") == "organisations"
                    and not data.company_name
                ):
                    data.company_name = text
        else:
            self._take_field(data, name, target, raw)

    def _take_field(self, data: _RowData, name: str, target: dict[str, Any], raw: Any) -> None:
        model = Organisation if name in {"name"} and self.model is Contact else self.model
        model_field = model._meta.get_field(name)
        if is_choice_field(model_field):
            data.fields[name] = self._choice(model_field, _text(raw), target)
        elif isinstance(model_field, models.DateField):
            if target.get("parse") == "year":
                year = parse_year(raw)
                if year is not None:
                    data.fields[name] = datetime.date(year, 1, 1)
            else:
                value = parse_date(raw, self.settings.date_order)
                if value is None:
                    return
                if isinstance(value, tuple):
                    raise ValueRejected(
                        _("“%(value)s” has no year; a full date is needed.") % {"value": raw}
                    )
                data.fields[name] = value
        elif isinstance(model_field, models.DecimalField):
            number = parse_decimal(raw, decimal_comma=self.settings.decimal_comma)
            if number is not None:
                data.fields[name] = number
        elif isinstance(model_field, models.IntegerField):
            integer = parse_integer(raw, decimal_comma=self.settings.decimal_comma)
            if integer is not None:
                data.fields[name] = integer
        else:
            text = _text(raw)
            if isinstance(model_field, models.EmailField):
                text = _email(text)
            limit = getattr(model_field, "max_length", None)
            if limit and len(text) > limit:
                raise ValueRejected(
                    _("longer than %(max)s characters (%(length)s).")
                    % {"max": limit, "length": len(text)}
                )
            previous = data.fields.get(name)
            if previous and isinstance(model_field, models.TextField):
                text = f"{previous}\n\n{text}"
            elif previous:
                return  # the first column mapped to a single-valued field wins
            data.fields[name] = text

    def _take_phones(
        self, data: _RowData, target: dict[str, Any], raw: Any, values: dict[str, Any]
    ) -> None:
        if isinstance(raw, list):
            for phone in raw:
                try:
                    number = parse_phone(phone.get("number")) or ""
                except ValueRejected as error:
                    data.warnings.append(_("Phone: %(reason)s") % {"reason": error})
                    continue
                if not number:
                    continue
                if phone.get("extension"):
                    number = f"{number} ext. {phone['extension']}"
                data.phones.append(
                    {
                        "kind": phone.get("kind", "other"),
                        "number": number,
                        "primary": bool(phone.get("primary")),
                    }
                )
            return
        kind = target.get("kind", "other")
        if target.get("kind_column"):
            kind = _phone_kind(values.get(target["kind_column"])) or kind
        # Google joins numbers with " ::: ", Tandem's exports with "; ".
        for text in re.split(r"\s*(?::::|;)\s*", _text(raw)):
            number = parse_phone(text) or ""
            if len(number) > PHONE_MAX_LENGTH:
                raise ValueRejected(
                    _("longer than %(max)s characters (%(length)s).")
                    % {"max": PHONE_MAX_LENGTH, "length": len(number)}
                )
            if number:
                data.phones.append({"kind": kind, "number": number, "primary": False})

    def _take_birthday(self, data: _RowData, raw: Any) -> None:
        if self.model is not Contact:
            return
        if isinstance(raw, tuple):
            year, month, day = raw
        else:
            value = parse_date(raw, self.settings.date_order)
            if value is None:
                return
            if isinstance(value, tuple):
                year, month, day = value
            else:
                year, month, day = value.year, value.month, value.day
        data.fields.update(birth_year=year, birth_month=month, birth_day=day)

    def _address_kind(self, target: dict[str, Any], values: dict[str, Any]) -> str | None:
        column = target.get("kind_column")
        if not column:
            return None
        kind = _phone_kind(values.get(column))
        return {"home": "shipping_address", "work": "billing_address"}.get(kind or "")

    # -- lookups --------------------------------------------------------------------------

    def _choice(self, model_field, name: str, target: dict[str, Any]):
        model = model_field.related_model
        key = (model, fold(name))
        if key not in self._choices:
            found = next(
                (item for item in model._default_manager.all() if key[1] in choice_names(item)),
                None,
            )
            if found is None and target.get("create_missing"):
                found = add_choice(user=self.user, model=model, name=name)
            self._choices[key] = found
        item = self._choices[key]
        if item is None:
            raise ValueRejected(
                _("“%(value)s” is not in the list “%(list)s”.")
                % {"value": name, "list": model._meta.verbose_name}
            )
        return item

    def _owner(self, username: str) -> User:
        if username not in self._users:
            self._users[username] = get_user_model().objects.filter(username=username).first()
        owner = self._users[username]
        if owner is None:
            raise ValueRejected(_("“%(value)s” is not a user.") % {"value": username})
        return owner

    def _property_type(self, text: str) -> PropertyType | None:
        key = fold(text)
        if key not in self._property_types:
            found = next(
                (
                    property_type
                    for property_type in PropertyType.objects.all()
                    if key in _property_names(property_type)
                ),
                None,
            )
            if found is None:
                from tandem.core.services.property_types import create_property_type

                found = create_property_type(user=self.user, text=text)
            self._property_types[key] = found
        return self._property_types[key]

    def _relation_type(self, type_id: str) -> RelationType:
        if type_id not in self._relation_types:
            self._relation_types[type_id] = (
                RelationType.objects.select_related("reverse")
                .prefetch_related(*RULES_PREFETCH)
                .get(pk=type_id)
            )
        return self._relation_types[type_id]

    def _related_records(
        self, target: dict[str, Any], text: str
    ) -> list[tuple[Entity | None, bool, str]]:
        """The records a relation cell names, each with the name it was looked up by. Exports
        join several with "; ", and a name may hold one too ("Acme; Sons"): the longest run of
        parts that names a record wins, and a part left over is one record (created when the
        target allows it)."""
        parts = [part.strip() for part in text.split(";") if part.strip()]
        if len(parts) < 2:
            return [(*self._find_related(target, text), text)]
        found: list[tuple[Entity | None, bool, str]] = []
        start = 0
        while start < len(parts):
            for end in range(len(parts), start + 1, -1):
                name = "; ".join(parts[start:end])
                entity = self._probe(target, name)
                if entity is not None:
                    found.append((entity, False, name))
                    start = end
                    break
            else:
                found.append((*self._find_related(target, parts[start]), parts[start]))
                start += 1
        return found

    def _probe(self, target: dict[str, Any], text: str) -> Entity | None:
        """The record ``text`` names, never created, and a miss not remembered."""
        entity, _created = self._find_related({**target, "create": False}, text)
        if entity is None:
            self._related.pop(self._related_key(target, text), None)
        return entity

    def _related_key(self, target: dict[str, Any], text: str) -> tuple[str, str, str]:
        match = target.get("match", "name")
        return (target["target_type"], match, fold(text) if match != "uuid" else text)

    def _find_related(self, target: dict[str, Any], text: str) -> tuple[Entity | None, bool]:
        """The record a relation column names, created when allowed: ``(entity, created)``."""
        info = entity_types.for_slug(target["target_type"])
        match = target.get("match", "name")
        key = self._related_key(target, text)
        if key in self._related:
            return self._related[key], False
        queryset = info.model._default_manager.filter(NOT_TRASHED)
        if match == "uuid":
            try:
                found = queryset.filter(uuid=uuid_module.UUID(text)).first()
            except ValueError:
                found = None
        elif match == "email":
            found = _oldest(queryset.filter(email__in={text, text.lower()}))
        else:
            found = _oldest(queryset.filter(sort_label=key[2][:200]))
        if found is None and match != "uuid" and not target.get("create"):
            # A column may mix types ("has as prospect": organisations and contacts): look in
            # the other types too; the relation type's own rules still apply when linking.
            for other in entity_types:
                if other.slug == info.slug or (
                    match == "email" and not hasattr(other.model, "email")
                ):
                    continue
                others = other.model._default_manager.filter(NOT_TRASHED)
                if match == "email":
                    others = others.filter(email__in={text, text.lower()})
                else:
                    others = others.filter(sort_label=key[2][:200])
                found = _oldest(others)
                if found is not None:
                    break
        created = False
        if found is None and target.get("create") and match == "name":
            data = {"name": text} if info.model is Organisation else {"last_name": text}
            found = services.create_entity(user=self.user, model=info.model, data=data)
            created = True
        self._related[key] = found
        return found, created

    # -- writing --------------------------------------------------------------------------

    def _model_for(self, data: _RowData) -> type[Entity]:
        """A contacts file's company row (no person name, an organisation) makes an
        Organisation, not a nameless Contact."""
        if (
            self.model is Contact
            and data.company_name
            and (data.is_company or not data.has_person_name())
        ):
            return Organisation
        return self.model

    def _model_data(self, model: type[Entity], data: _RowData) -> dict[str, Any]:
        fields = dict(data.fields)
        if model is Organisation and self.model is Contact:
            # A company row of a contacts file: keep what an organisation has.
            allowed = {f.name for f in Organisation._meta.get_fields()}
            fields = {name: value for name, value in fields.items() if name in allowed}
            fields["name"] = data.company_name
            data.relations = [
                (target, text)
                for target, text in data.relations
                if target.get("relation_type") != _employment_type()
            ]
        if data.emails:
            fields["email"] = data.emails[0]
            extra = []
            for email in data.emails[1:]:
                if email.lower() != fields["email"].lower() and email not in extra:
                    extra.append(email)
            if extra:
                fields["extra_emails"] = extra
        if data.phones:
            phones, seen = [], set()
            for phone in data.phones:
                if phone["number"] not in seen:
                    seen.add(phone["number"])
                    phones.append(phone)
            if sum(phone["primary"] for phone in phones) > 1:
                first = next(i for i, phone in enumerate(phones) if phone["primary"])
                for index, phone in enumerate(phones):
                    phone["primary"] = index == first
            fields["phones"] = phones
        for name, parts in data.addresses.items():
            fields[name] = parts
        return fields

    def _key(self, model: type[Entity], fields: dict[str, Any]) -> tuple | None:
        keys = self.settings.key or _default_key(model, fields)
        values = []
        for key in keys:
            if key == NAME_KEY:
                value = fold(_label_of(model, fields))
            elif key == "name" or key in fields:
                value = fields.get(key)
            else:
                value = None
            if isinstance(value, str):
                value = value.strip().lower() if key == "email" else value.strip()
            if value in (None, ""):
                return None
            values.append((key, value))
        return (model, *values)

    def _existing(self, model: type[Entity], key: tuple) -> Entity | None:
        if key in self._seen:
            return model._default_manager.get(pk=self._seen[key])
        queryset = model._default_manager.filter(NOT_TRASHED)
        for name, value in key[1:]:
            if name == NAME_KEY:
                queryset = queryset.filter(sort_label=value[:200])
            elif name == "email":
                queryset = queryset.filter(email__in={value, value.upper()} | {value.lower()})
            else:
                queryset = queryset.filter(**{name: value})
        return _oldest(queryset)

    def _write(
        self, model: type[Entity], data: _RowData, result: RowResult, report: ImportReport
    ) -> tuple[Entity, str]:
        fields = self._model_data(model, data)
        if model is Contact and not any(fields.get(name) for name in PERSON_NAME_FIELDS):
            raise _Rejected(
                _("No name: give a first name, a last name, a nickname or an organisation.")
            )
        if model is Organisation and not fields.get("name"):
            raise _Rejected(_("No name: an organisation needs a name."))
        key = self._key(model, fields)
        existing = None
        if key is not None and self.settings.on_duplicate != "create":
            existing = self._existing(model, key)
        if existing is not None and self.settings.on_duplicate == "skip":
            result.reasons.append(_("Already there: “%(entity)s”.") % {"entity": existing.label})
            return existing, "skipped"
        if existing is not None:
            if fold(_label_of(model, fields)) != fold(existing.label):
                # Matched on an e-mail or a number, under another name: say which record.
                result.warnings.append(
                    _("Merged into “%(entity)s”, which has the same %(key)s.")
                    % {
                        "entity": existing.label,
                        "key": ", ".join(_key_label(model, name) for name, _value in key[1:]),
                    }
                )
            entity, changed = self._update(existing, fields, result)
            status = "updated" if changed else "unchanged"
        else:
            entity = self._create(model, fields, data, result)
            status = "created"
        if key is not None:
            self._seen[key] = entity.pk
        changed_links = self._add_links(entity, data, result, report)
        if status == "unchanged" and changed_links:
            status = "updated"
        if status in ("created", "updated"):
            record(
                entity,
                HistoryEntry.Kind.IMPORTED,
                self.user,
                file=self.filename,
                job=self.job_uuid,
                line=result.line,
                warnings=result.warnings[:20],
            )
        return entity, status

    def _create(
        self, model: type[Entity], fields: dict[str, Any], data: _RowData, result: RowResult
    ) -> Entity:
        while True:
            try:
                with transaction.atomic():
                    return services.create_entity(
                        user=self.user, model=model, data=fields, owner=data.owner
                    )
            except ValidationError as error:
                self._drop_invalid(fields, error, result)

    def _update(
        self, entity: Entity, fields: dict[str, Any], result: RowResult
    ) -> tuple[Entity, bool]:
        entity = entity.get_real_entity()
        # A value that differs only by case or accents ("ACME" for "Acme") is the same
        # value: re-importing a file never flips the spelling a user fixed by hand.
        merged = {
            name: value
            for name, value in fields.items()
            if not (
                isinstance(value, str)
                and isinstance(getattr(entity, name, None), str)
                and fold(value) == fold(getattr(entity, name))
            )
        }
        if "phones" in merged:
            known = {phone["number"] for phone in entity.phones}
            merged["phones"] = list(entity.phones) + [
                {**phone, "primary": False}
                for phone in merged["phones"]
                if phone["number"] not in known
            ]
        if "extra_emails" in merged:
            merged["extra_emails"] = list(entity.extra_emails) + [
                email for email in merged["extra_emails"] if email not in entity.extra_emails
            ]
        while True:
            try:
                with transaction.atomic():
                    version = entity.version
                    updated = services.update_entity(
                        user=self.user, entity=entity, data=merged, version=version
                    )
                    return updated, updated.version != version
            except ValidationError as error:
                self._drop_invalid(merged, error, result)

    def _drop_invalid(
        self, fields: dict[str, Any], error: ValidationError, result: RowResult
    ) -> None:
        """Drop the fields the model refused and say why; a refusal that dropping cannot
        cure (no name) rejects the row."""
        messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        droppable = {name for name in messages if name in fields and name not in ("name",)}
        droppable -= set(PERSON_NAME_FIELDS) if not _has_name_left(fields, messages) else set()
        if not droppable or set(messages) - droppable:
            raise _Rejected(
                *(
                    f"{_field_label(self.model, name)}: {message}" if name else message
                    for name, items in messages.items()
                    for message in items
                )
            )
        for name in droppable:
            for message in messages[name]:
                result.warnings.append(
                    _("%(field)s not imported: %(reason)s")
                    % {"field": _field_label(self.model, name), "reason": message}
                )
            fields.pop(name)
            if name == "birth_day":
                fields.pop("birth_month", None)
                fields.pop("birth_year", None)

    def _add_links(
        self, entity: Entity, data: _RowData, result: RowResult, report: ImportReport
    ) -> bool:
        changed = False
        for text in data.properties:
            property_type = self._property_type(text)
            if property_type is None or entity.properties.filter(type=property_type).exists():
                continue
            try:
                services.add_property(user=self.user, entity=entity, property_type=property_type)
                changed = True
            except TandemError as error:
                result.warnings.append(str(error))
        wanted = [
            (self._relation_type(target["relation_type"]), *found)
            for target, text in data.relations
            for found in self._related_records(target, text)
        ]
        for relation in self.settings.relations:
            if relation["object"] not in self._fixed_objects:
                self._fixed_objects[relation["object"]] = Entity.objects.filter(
                    uuid=relation["object"]
                ).first()
            other = self._fixed_objects[relation["object"]]
            if other is None:
                result.warnings.append(
                    _("The record %(uuid)s of a fixed relation does not exist.")
                    % {"uuid": relation["object"]}
                )
                continue
            wanted.append((self._relation_type(relation["relation_type"]), other, False, ""))
        for relation_type, other, created, name in wanted:
            if other is None:
                result.warnings.append(
                    _("“%(type)s”: no record named “%(name)s” was found.")
                    % {"type": str(relation_type), "name": name}
                )
                continue
            if created:
                report.related_created += 1
            try:
                with transaction.atomic():
                    _relation, linked = services.get_or_link(
                        user=self.user,
                        subject=entity,
                        relation_type=relation_type,
                        object=other.get_real_entity(),
                    )
                changed = changed or linked
            except TandemError as error:
                result.warnings.append(str(error))
        return changed


def run_import(
    table: SourceTable,
    settings: ImportSettings,
    *,
    user: User | None,
    filename: str = "",
    dry_run: bool = False,
    job_uuid: str = "",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import ``table`` as ``settings`` say, acting as ``user``; return the report."""
    importer = Importer(
        settings, user=user, filename=filename, job_uuid=job_uuid, progress=progress
    )
    report = importer.run(table, dry_run=dry_run)
    if not dry_run and len(table.rows) >= STATISTICS_AFTER_ROWS:
        refresh_planner_statistics()
    return report


#: An import of at least this many rows refreshes SQLite's planner statistics afterwards.
STATISTICS_AFTER_ROWS = 1_000


# -- small helpers ----------------------------------------------------------------------


def _employment_type() -> str:
    from tandem.persons.constants import REL_SUB_EMPLOYED_BY

    return REL_SUB_EMPLOYED_BY


def _empty(value: Any) -> bool:
    return (
        value is None
        or value == ""
        or value == []
        or value == {}
        or (isinstance(value, str) and not value.strip())
    )


def _text(value: Any) -> str:
    """A cell as text: XLSX numbers without a trailing ``.0``, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def _email(value: Any) -> str:
    text = _text(value)
    try:
        EmailValidator()(text)
    except ValidationError:
        raise ValueRejected(
            _("“%(value)s” is not a valid e-mail address.") % {"value": text}
        ) from None
    return text


def _phone_kind(value: Any) -> str | None:
    word = fold(_text(value)).lstrip("* ").strip()
    for kind, words in _PHONE_KIND_WORDS.items():
        if any(word == w or word.startswith(w + " ") for w in words):
            return kind
    return None


def _default_key(model: type[Entity], fields: dict[str, Any]) -> list[str]:
    """Without chosen keys: the e-mail when the row has one, else the displayed name."""
    return ["email"] if fields.get("email") else [NAME_KEY]


def _label_of(model: type[Entity], fields: dict[str, Any]) -> str:
    candidate = model(**{k: v for k, v in fields.items() if not isinstance(v, dict | list)})
    return candidate.compute_label()


#: More matches than this for one key are not looked through (the oldest of them wins).
_MATCHES_LOOKED_AT = 50


def _oldest(queryset: QuerySet) -> Entity | None:
    """The first-created record of a lookup, without ``ORDER BY pk LIMIT 1``: on a big table
    PostgreSQL answers that by walking the primary key and filtering, row after row, instead
    of using the index of the looked-up column. The matches are few; sort them here."""
    matches = list(queryset.order_by()[:_MATCHES_LOOKED_AT])
    return min(matches, key=lambda entity: entity.pk) if matches else None


def _key_label(model: type[Entity], name: str) -> str:
    return _("name") if name == NAME_KEY else _field_label(model, name)


def _has_name_left(fields: dict[str, Any], messages: dict[str, list[str]]) -> bool:
    return any(fields.get(name) for name in PERSON_NAME_FIELDS if name not in messages)


def _field_label(model: type[Entity], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _printable(values: dict[str, Any]) -> dict[str, str]:
    """A row's values as text, for the report and the CSV of rejected rows."""
    printable = {}
    for column, value in values.items():
        if isinstance(value, bytes):
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items() if v)
        elif isinstance(value, list):
            value = "; ".join(
                item.get("number", "") if isinstance(item, dict) else _text(item) for item in value
            )
        elif isinstance(value, tuple):
            value = "-".join("" if part is None else f"{part:02d}" for part in value)
        printable[column] = _text(value)
    return printable
