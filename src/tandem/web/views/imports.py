"""The import wizard: upload → preview (how the file is read) → mapping and options → run →
report. Each step is saved on the ImportJob, so the user can leave and come back; small files
run in the request, larger ones in the background worker with a progress bar."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tandem.core.models import Entity
from tandem.core.registry import entity_types
from tandem.core.search import fold
from tandem.core.selectors import NOT_TRASHED, relation_types_for_type
from tandem.io.export import neutralise
from tandem.io.jobs import create_job, execute_job, read_job_table, start_job
from tandem.io.mapping import (
    DATE_ORDERS,
    ON_DUPLICATE,
    ImportSettings,
    ImportSettingsError,
    target_from_value,
    target_options,
    target_value,
)
from tandem.io.models import ImportJob
from tandem.io.rows import UnreadableFile
from tandem.io.vcard import column_label

PREVIEW_ROWS = 8
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1")
#: How long a wizard left half-way keeps its file.
ABANDONED_AFTER = datetime.timedelta(days=1)
DELIMITERS = ((",", ","), (";", ";"), ("\t", gettext_lazy("tab")), ("|", "|"))


def _job(request: HttpRequest, uuid) -> ImportJob:
    return get_object_or_404(ImportJob, uuid=uuid, user=request.user)


def _importable_types() -> list[Any]:
    return [info for info in entity_types if info.slug in ("contacts", "organisations")]


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload a file (and list the user's earlier imports)."""
    error = ""
    chosen = request.GET.get("type", "contacts")
    if request.method == "POST":
        chosen = request.POST.get("entity_type", "")
        upload = request.FILES.get("file")
        if chosen not in {info.slug for info in _importable_types()}:
            error = _("Choose what the file holds.")
        elif upload is None:
            error = _("Choose a file to import.")
        elif upload.size > django_settings.TANDEM_IMPORT_MAX_BYTES:
            error = _("The file is larger than %(size)s MB, the most an import takes.") % {
                "size": django_settings.TANDEM_IMPORT_MAX_BYTES // (1024 * 1024)
            }
        else:
            data = upload.read()
            try:
                job = create_job(
                    user=request.user, entity_type=chosen, filename=upload.name, data=data
                )
                table = read_job_table(job)
            except UnreadableFile as refusal:
                error = str(refusal)
                ImportJob.objects.filter(user=request.user, data=data, status="draft").delete()
            else:
                job.read_options = _detected_options(table)
                job.save(update_fields=["read_options"])
                return redirect("import_preview", job.uuid)
    # A wizard left half-way for a day is abandoned: its file goes, not the finished reports.
    ImportJob.objects.filter(
        user=request.user,
        status=ImportJob.Status.DRAFT,
        created__lt=timezone.now() - ABANDONED_AFTER,
    ).delete()
    jobs = ImportJob.objects.filter(user=request.user).defer("data")[:20]
    return render(
        request,
        "tandem/import_start.html",
        {"types": _importable_types(), "chosen": chosen, "error": error, "jobs": jobs},
    )


def _detected_options(table) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if table.encoding and table.format == "csv":
        options["encoding"] = table.encoding
    if table.delimiter:
        options["delimiter"] = table.delimiter
    if table.sheet:
        options["sheet"] = table.sheet
    return options


@login_required
def import_preview(request: HttpRequest, uuid) -> HttpResponse:
    """How the file is read: encoding, delimiter, sheet, header row, dates and numbers."""
    job = _job(request, uuid)
    if job.status != ImportJob.Status.DRAFT:
        return redirect("import_job", job.uuid)
    settings = (
        ImportSettings.from_json(job.settings or {}, entity_type=job.entity_type)
        if job.settings
        else ImportSettings(entity_type=job.entity_type)
    )
    error = ""
    if request.method == "POST":
        options = dict(job.read_options)
        for name in ("encoding", "delimiter", "sheet"):
            value = request.POST.get(name, "")
            if value:
                options[name] = value
            else:
                options.pop(name, None)
        try:
            options["header_row"] = max(0, int(request.POST.get("header_row", "1")))
        except ValueError:
            options["header_row"] = 1
        if request.POST.get("date_order") in DATE_ORDERS:
            settings.date_order = request.POST["date_order"]
        settings.decimal_comma = request.POST.get("decimal_comma") == "on"
        job.read_options = options
        job.settings = settings.to_json()
        job.save(update_fields=["read_options", "settings"])
        if request.POST.get("next") == "mapping":
            try:
                read_job_table(job)
            except UnreadableFile as refusal:
                error = str(refusal)
            else:
                return redirect("import_mapping", job.uuid)
    table = None
    try:
        table = read_job_table(job)
    except UnreadableFile as refusal:
        error = error or str(refusal)
    return render(
        request,
        "tandem/import_preview.html",
        {
            "job": job,
            "table": table,
            "rows": _preview_rows(table) if table else [],
            "headers": _preview_headers(table) if table else [],
            "settings": settings,
            "error": error,
            "encodings": _encodings(job, table),
            "delimiters": DELIMITERS,
            "date_orders": _date_orders(),
            "header_row": job.read_options.get("header_row", 1),
            "info": entity_types.for_slug(job.entity_type),
            "step": 2,
        },
    )


def _encodings(job: ImportJob, table) -> list[str]:
    names = list(ENCODINGS)
    for name in (job.read_options.get("encoding"), table.encoding if table else None):
        if name and name not in names:
            names.insert(0, name)
    return names


def _date_orders() -> list[tuple[str, str]]:
    return [
        ("dmy", _("day first (31/12/2026)")),
        ("mdy", _("month first (12/31/2026)")),
        ("ymd", _("year first (2026/12/31)")),
    ]


def _preview_headers(table) -> list[str]:
    return [column_label(table.format, column) for column in table.columns]


def _preview_rows(table) -> list[dict[str, Any]]:
    return [
        {"line": row.line, "cells": [_shown(row.values.get(c)) for c in table.columns]}
        for row in table.rows[:PREVIEW_ROWS]
    ]


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, bytes):
        return _("(image)")
    if isinstance(value, list):
        return "; ".join(
            item.get("number", "") if isinstance(item, dict) else str(item) for item in value
        )
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v)
    if isinstance(value, tuple):
        return "-".join("" if part is None else f"{part:02d}" for part in value)
    return str(value)


@login_required
def import_mapping(request: HttpRequest, uuid) -> HttpResponse:
    """Which column goes where, duplicates, fixed relations; then check or run."""
    from tandem.io.guess import guess_mapping

    job = _job(request, uuid)
    if job.status != ImportJob.Status.DRAFT:
        return redirect("import_job", job.uuid)
    try:
        table = read_job_table(job)
    except UnreadableFile as refusal:
        messages.error(request, str(refusal))
        return redirect("import_preview", job.uuid)
    info = entity_types.for_slug(job.entity_type)
    settings = (
        ImportSettings.from_json(job.settings, entity_type=job.entity_type)
        if job.settings
        else ImportSettings(entity_type=job.entity_type)
    )
    guessed = guess_mapping(table.columns, job.entity_type)
    if not settings.columns:
        settings.columns = guessed
    errors: list[str] = []
    if request.method == "POST":
        settings, errors = _settings_from_post(request, job, table, settings, guessed)
        if not errors:
            job.settings = settings.to_json()
            job.save(update_fields=["settings"])
            action = request.POST.get("action")
            if action == "download":
                response = HttpResponse(settings.dumps(), content_type="application/json")
                response["Content-Disposition"] = 'attachment; filename="mapping.json"'
                return response
            if action in ("check", "run"):
                return _run(request, job, table, dry_run=action == "check")
    samples = {
        column: [
            _shown(row.values.get(column))
            for row in table.rows[:3]
            if row.values.get(column) not in (None, "")
        ]
        for column in table.columns
    }
    kind_of: dict[str, list[str]] = {}
    for column, target in settings.columns.items():
        if target.get("kind_column"):
            kind_of.setdefault(target["kind_column"], []).append(f"“{column}”")
    columns = [
        {
            "name": column,
            "label": column_label(table.format, column),
            "index": index,
            "value": target_value(settings.columns.get(column, {})),
            "samples": samples[column],
            "kind_of": ", ".join(kind_of.get(column, [])),
        }
        for index, column in enumerate(table.columns)
    ]
    # Columns empty in the whole file and not mapped are folded away (Google's export has
    # dozens); they stay in the form, so nothing is lost by folding them.
    empty = {
        column
        for column in table.columns
        if column not in settings.columns
        and all(row.values.get(column) in (None, "") for row in table.rows)
    }
    fixed = settings.relations[0] if settings.relations else {}
    fixed_entity = Entity.objects.filter(uuid=fixed.get("object")).first() if fixed else None
    fixed_type = fixed.get("relation_type", "")
    fixed_name = fixed_entity.label if fixed_entity else ""
    if errors:
        # What the user typed stays in the form, to correct it.
        fixed_type = request.POST.get("fixed_type", "")
        fixed_name = request.POST.get("fixed_name", "")
    return render(
        request,
        "tandem/import_mapping.html",
        {
            "job": job,
            "table": table,
            "info": info,
            "columns": [column for column in columns if column["name"] not in empty],
            "empty_columns": [column for column in columns if column["name"] in empty],
            "groups": target_options(info.model),
            "settings": settings,
            "errors": errors,
            "on_duplicate": _duplicate_choices(),
            "key_choices": _key_choices(info.model),
            "relation_types": relation_types_for_type(info.content_type.pk),
            "fixed_type": fixed_type,
            "fixed_name": fixed_name,
            "create_missing": any(t.get("create_missing") for t in settings.columns.values()),
            "default_groups": _default_groups(info.model),
            "defaults": _default_rows(settings),
            "step": 3,
        },
    )


#: Rows of the "default values" form: enough for a sector, a city and a country.
DEFAULT_ROWS = 3


def _default_groups(model) -> list[tuple[str, list[tuple[str, str]]]]:
    """The targets a default value can fill: fields and address parts (not phones, relations
    or tags, which are read from columns)."""

    def fits(value: str) -> bool:
        return ":" not in value and value not in ("full_name", "extra_emails")

    return [
        (label, [(value, name) for value, name in options if fits(value)])
        for label, options in target_options(model)
        if any(fits(value) for value, _name in options)
    ]


def _default_rows(settings: ImportSettings) -> list[tuple[str, str]]:
    rows = [(target, str(value)) for target, value in settings.defaults.items()]
    return rows + [("", "")] * max(DEFAULT_ROWS - len(rows), 1)


def _duplicate_choices() -> list[tuple[str, str]]:
    labels = {
        "update": _("update the existing record with the file's values"),
        "skip": _("skip the row"),
        "create": _("create another record anyway"),
    }
    return [(value, labels[value]) for value in ON_DUPLICATE]


def _key_choices(model) -> list[tuple[str, str]]:
    choices = [("email", _("E-mail")), ("name", _("Name"))]
    for name in ("siren", "siret", "vat_number"):
        if hasattr(model, name):
            choices.append((name, str(model._meta.get_field(name).verbose_name)))
    return choices


def _settings_from_post(request, job, table, settings, guessed):
    errors: list[str] = []
    columns = {}
    for index, column in enumerate(table.columns):
        value = request.POST.get(f"column-{index}", "")
        target = target_from_value(value, guessed.get(column))
        if (
            target
            and settings.columns.get(column)
            and target_value(settings.columns[column]) == value
        ):
            target = dict(settings.columns[column])
        if target:
            target.pop("create_missing", None)
            if request.POST.get("create_missing") == "on":
                target["create_missing"] = True
            columns[column] = target
    settings.columns = columns
    settings.defaults = {
        target: value.strip()
        for target, value in zip(
            request.POST.getlist("default_target"),
            request.POST.getlist("default_value"),
            strict=False,
        )
        if target and value.strip()
    }
    settings.key = [key for key in request.POST.getlist("key") if key]
    settings.on_duplicate = request.POST.get("on_duplicate", "update")
    settings.relations = []
    fixed_type = request.POST.get("fixed_type", "")
    fixed_name = request.POST.get("fixed_name", "").strip()
    if fixed_type and fixed_name:
        matches = list(Entity.objects.filter(NOT_TRASHED, sort_label=fold(fixed_name)[:200])[:2])
        if len(matches) != 1:
            errors.append(
                _("Relation added to every record: no record is named “%(name)s”.")
                if not matches
                else _("Relation added to every record: several records are named “%(name)s”.")
            )
            errors[-1] = errors[-1] % {"name": fixed_name}
        else:
            settings.relations = [{"relation_type": fixed_type, "object": str(matches[0].uuid)}]
    elif fixed_type or fixed_name:
        errors.append(_("Relation added to every record: choose both the relation and the record."))
    try:
        settings.check()
    except ImportSettingsError as error:
        errors.append(str(error))
    return settings, errors


def _run(request: HttpRequest, job: ImportJob, table, *, dry_run: bool) -> HttpResponse:
    inline_limit = getattr(django_settings, "TANDEM_IMPORT_INLINE_ROWS", 500)
    start_job(job, dry_run=dry_run)
    if len(table.rows) <= inline_limit:
        # A small file is done before the page would have polled once.
        job.refresh_from_db()
        if job.status == ImportJob.Status.QUEUED:
            execute_job(job)
    return redirect("import_job", job.uuid)


@login_required
def import_job(request: HttpRequest, uuid) -> HttpResponse:
    """Progress while the job runs, then its report."""
    job = _job(request, uuid)
    if job.status == ImportJob.Status.DRAFT:
        return redirect("import_preview", job.uuid)
    template = (
        "tandem/partials/import_progress.html"
        if request.headers.get("HX-Request")
        else "tandem/import_job.html"
    )
    return render(request, template, _job_context(job))


def _job_context(job: ImportJob) -> dict[str, Any]:
    report = job.report or {}
    rows = report.get("rows", [])
    return {
        "job": job,
        "info": entity_types.for_slug(job.entity_type),
        "report": report,
        "counts": report.get("counts", {}),
        "problem_rows": rows[:500],
        "rejected_count": report.get("counts", {}).get("rejected", 0),
        "step": 4,
    }


@login_required
@require_POST
def import_again(request: HttpRequest, uuid) -> HttpResponse:
    """Back to the mapping (after a dry run, or to run the same file again)."""
    job = _job(request, uuid)
    if job.is_active:
        raise Http404
    job.status = ImportJob.Status.DRAFT
    job.save(update_fields=["status"])
    return redirect("import_mapping", job.uuid)


@login_required
def import_rejected(request: HttpRequest, uuid) -> HttpResponse:
    """The rejected rows as CSV, with the line and the reason, to fix and import again."""
    job = _job(request, uuid)
    report = job.report or {}
    rejected = [row for row in report.get("rows", []) if row["status"] == "rejected"]
    columns = report.get("columns", [])
    buffer = io.StringIO()
    # The file's own separator, so that the spreadsheet it came from opens the fixes as well.
    delimiter = job.read_options.get("delimiter") or ","
    writer = csv.writer(buffer, delimiter=delimiter if delimiter in ",;\t|" else ",")
    writer.writerow([_("Line"), _("Reason"), *columns])
    for row in rejected:
        writer.writerow(
            [
                row["line"],
                " ".join(row["reasons"]),
                *(neutralise(row["values"].get(column, "")) for column in columns),
            ]
        )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = job.filename.rsplit(".", 1)[0] or "import"
    response["Content-Disposition"] = f'attachment; filename="{name}-rejected.csv"'
    return response
