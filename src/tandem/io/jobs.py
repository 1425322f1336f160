"""Imports as background jobs: the wizard stores the file and settings in an ImportJob, the
task queue (Django's tasks API, database backend by default) runs it in `tandem worker`, and
the page polls the job's progress. The same code runs an import inline for small files."""

from __future__ import annotations

import json

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from tandem.core.models import User
from tandem.io.importer import ImportReport, run_import
from tandem.io.mapping import ImportSettings
from tandem.io.models import ImportJob
from tandem.io.rows import SourceTable, UnreadableFile


def read_job_table(job: ImportJob) -> SourceTable:
    """The job's file read with the options the user chose in the preview."""
    from tandem.io.tabular import read_table

    return read_table(bytes(job.data), job.filename, **job.read_options)


def create_job(
    *, user: User, entity_type: str, filename: str, data: bytes, read_options: dict | None = None
) -> ImportJob:
    """Store an uploaded file; refused (UnreadableFile) when it is too big to import."""
    from django.conf import settings

    if len(data) > settings.TANDEM_IMPORT_MAX_BYTES:
        raise UnreadableFile(
            _("The file is larger than %(size)s MB, the most an import takes.")
            % {"size": settings.TANDEM_IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    return ImportJob.objects.create(
        user=user,
        entity_type=entity_type,
        filename=filename[:255],
        data=data,
        read_options=read_options or {},
    )


def start_job(job: ImportJob, *, dry_run: bool = False) -> None:
    """Queue the job; the worker picks it once this transaction commits."""
    job.dry_run = dry_run
    job.status = ImportJob.Status.QUEUED
    job.rows_done = 0
    job.report = {}
    job.error = ""
    job.save()
    job_uuid = str(job.uuid)
    transaction.on_commit(lambda: run_import_job.enqueue(job_uuid))


def execute_job(job: ImportJob) -> ImportReport | None:
    """Run ``job`` now, recording progress on it; returns the report (None on failure)."""
    job.status = ImportJob.Status.RUNNING
    job.started = timezone.now()
    job.save(update_fields=["status", "started"])
    try:
        table = read_job_table(job)
        settings = ImportSettings.from_json(job.settings, entity_type=job.entity_type)
    except (UnreadableFile, ValueError) as error:
        _finish(job, ImportJob.Status.FAILED, error=str(error))
        return None
    ImportJob.objects.filter(pk=job.pk).update(rows_total=len(table.rows))

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done)

    from django.utils import translation

    language = getattr(job.user, "language", "") or translation.get_language()
    with translation.override(language):
        report = run_import(
            table,
            settings,
            user=job.user,
            filename=job.filename,
            dry_run=job.dry_run,
            job_uuid=str(job.uuid),
            progress=progress,
        )
    job.rows_total = len(table.rows)
    job.rows_done = len(table.rows)
    job.report = json.loads(json.dumps(report.to_json(), default=str))
    _finish(job, ImportJob.Status.DONE)
    return report


def _finish(job: ImportJob, status: str, *, error: str = "") -> None:
    job.status = status
    job.error = error
    job.finished = timezone.now()
    job.save()


@task()
def run_import_job(job_uuid: str) -> str:
    """The queued task: run one import job by uuid; what it did is on the job."""
    job = ImportJob.objects.select_related("user").get(uuid=job_uuid)
    if job.status != ImportJob.Status.QUEUED:
        return job.status
    try:
        execute_job(job)
    except Exception as error:
        _finish(
            job,
            ImportJob.Status.FAILED,
            error=_("The import stopped: %(error)s") % {"error": error},
        )
        raise
    return job.status
