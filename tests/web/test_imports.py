"""The import wizard through the web client: upload, preview options, mapping, run (inline and
queued for the worker), report and the CSV of rejected rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.management.commands import db_worker

from tandem.core.models import HistoryEntry, Relation
from tandem.io.jobs import read_job_table
from tandem.io.models import ImportJob
from tandem.persons.constants import REL_SUB_EMPLOYED_BY
from tandem.persons.models import Contact, Organisation

FILES = Path(__file__).parents[1] / "io" / "files"
FRENCH_CSV = (
    "Prénom;Nom;Courriel;Société;Ville;Portable\r\n"
    "Léa;Martin;lea@example.fr;Dupain SA;Lyon;06 12 34 56 78\r\n"
    "Jean;Dupont;pas-une-adresse;Dupain SA;Besançon;3,36123E+11\r\n"
    ";;;;;\r\n"
    ";;sans-nom@example.fr;;Paris;\r\n"
).encode("cp1252")

pytestmark = pytest.mark.django_db


def upload(client, content: bytes, name: str = "contacts.csv", entity_type: str = "contacts"):
    return client.post(
        reverse("import_start"),
        {"entity_type": entity_type, "file": SimpleUploadedFile(name, content)},
    )


def mapping_form(page: str) -> dict[str, str]:
    """The selects' current values as the browser would post them."""
    import re

    form = {}
    for select in re.finditer(
        r'<select id="(column-\d+)" name="column-\d+">(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', select[2])
        form[select[1]] = chosen[1] if chosen else ""
    return form


def test_the_whole_wizard_on_a_french_excel_csv(client, user):
    client.force_login(user)
    response = upload(client, FRENCH_CSV)
    job = ImportJob.objects.get(user=user)
    assert response.url == reverse("import_preview", args=[job.uuid])
    assert job.read_options == {"encoding": "cp1252", "delimiter": ";"}

    preview = client.get(response.url).content.decode()
    assert "Besançon" in preview and "Prénom" in preview
    assert '<option value="cp1252" selected>' in preview

    to_mapping = client.post(
        response.url,
        {
            "encoding": "cp1252",
            "delimiter": ";",
            "header_row": "1",
            "date_order": "dmy",
            "next": "mapping",
        },
    )
    assert to_mapping.url == reverse("import_mapping", args=[job.uuid])
    page = client.get(to_mapping.url).content.decode()
    form = mapping_form(page)
    assert form["column-0"] == "first_name" and form["column-2"] == "email"
    assert form["column-3"].startswith(f"relation:{REL_SUB_EMPLOYED_BY}:organisations:name")

    done = client.post(to_mapping.url, {**form, "on_duplicate": "update", "action": "run"})
    assert done.url == reverse("import_job", args=[job.uuid])
    report = client.get(done.url).content.decode()
    job.refresh_from_db()
    assert job.status == "done"
    assert job.report["counts"]["created"] == 2 and job.report["counts"]["rejected"] == 1
    assert "scientific notation" in report and "pas-une-adresse" in report
    lea = Contact.objects.get(email="lea@example.fr")
    assert lea.billing_address.city == "Lyon"
    assert Relation.objects.filter(subject=lea, type_id=REL_SUB_EMPLOYED_BY).get().object.label == (
        "Dupain SA"
    )
    assert HistoryEntry.objects.filter(entity=lea, kind="imported").exists()

    rejected = client.get(reverse("import_rejected", args=[job.uuid]))
    rows = list(csv.reader(io.StringIO(rejected.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Line", "Reason", "Prénom"]
    assert rows[1][0] == "5" and "No name" in rows[1][1] and "sans-nom@example.fr" in rows[1]


def test_a_dry_run_writes_nothing_and_returns_to_the_mapping(client, user):
    client.force_login(user)
    upload(client, FRENCH_CSV)
    job = ImportJob.objects.get(user=user)
    page = client.get(reverse("import_mapping", args=[job.uuid])).content.decode()
    client.post(
        reverse("import_mapping", args=[job.uuid]),
        {**mapping_form(page), "on_duplicate": "update", "action": "check"},
    )
    job.refresh_from_db()
    assert job.dry_run and job.report["counts"]["created"] == 2
    assert not Contact.objects.filter(email="lea@example.fr").exists()
    again = client.post(reverse("import_again", args=[job.uuid]))
    assert again.url == reverse("import_mapping", args=[job.uuid])


def test_a_large_file_runs_in_the_background_worker(
    client, user, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.TANDEM_IMPORT_INLINE_ROWS = 0
    # The worker closes connections left in a transaction, as after a request; the test's
    # data lives in one, so it keeps it open, as Django's test client does for requests.
    # (tests/test_cli.py runs the real worker process against a real server.)
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    client.force_login(user)
    upload(client, (FILES / "constituents.csv").read_bytes(), "sp500.csv", "organisations")
    job = ImportJob.objects.get(user=user)
    page = client.get(reverse("import_mapping", args=[job.uuid])).content.decode()
    # The task is queued once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("import_mapping", args=[job.uuid]),
            {**mapping_form(page), "on_duplicate": "update", "action": "run"},
        )
    job.refresh_from_db()
    assert job.status == "queued"
    waiting = client.get(reverse("import_job", args=[job.uuid])).content.decode()
    assert 'hx-trigger="every 1s"' in waiting and "Waiting for the worker" in waiting
    call_command("worker", "--batch", verbosity=0)
    job.refresh_from_db()
    assert job.status == "done" and job.rows_done == 503
    assert Organisation.objects.filter(name="3M").exists()
    partial = client.get(reverse("import_job", args=[job.uuid]), HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in partial.content.decode()
    assert "503" in partial.content.decode()


def test_an_unreadable_file_is_refused_on_the_first_step(client, user):
    client.force_login(user)
    response = upload(client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls")
    assert response.status_code == 200
    assert "This is an old Excel (.xls) file" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_wrong_choice_of_file_type_and_no_file_are_told(client, user):
    client.force_login(user)
    page = client.post(reverse("import_start"), {"entity_type": "contacts"}).content.decode()
    assert "Choose a file to import." in page
    page = client.post(
        reverse("import_start"),
        {"entity_type": "planets", "file": SimpleUploadedFile("a.csv", b"a\n1\n")},
    ).content.decode()
    assert "Choose what the file holds." in page


def test_someone_else_s_import_is_not_found(client, user, other_user):
    client.force_login(user)
    upload(client, FRENCH_CSV)
    job = ImportJob.objects.get(user=user)
    client.force_login(other_user)
    for name in ("import_job", "import_preview", "import_mapping", "import_rejected"):
        assert client.get(reverse(name, args=[job.uuid])).status_code == 404


def test_the_mapping_can_be_saved_as_a_file_for_the_command_line(client, user):
    client.force_login(user)
    upload(client, FRENCH_CSV)
    job = ImportJob.objects.get(user=user)
    page = client.get(reverse("import_mapping", args=[job.uuid])).content.decode()
    response = client.post(
        reverse("import_mapping", args=[job.uuid]),
        {**mapping_form(page), "key": "email", "on_duplicate": "skip", "action": "download"},
    )
    assert response["Content-Disposition"] == 'attachment; filename="mapping.json"'
    import json

    saved = json.loads(response.content)
    assert saved["entity_type"] == "contacts" and saved["key"] == ["email"]
    assert saved["on_duplicate"] == "skip" and saved["columns"]["Prénom"] == {
        "target": "first_name"
    }


def test_a_fixed_relation_must_name_an_existing_record(client, user):
    client.force_login(user)
    upload(client, FRENCH_CSV)
    job = ImportJob.objects.get(user=user)
    page = client.get(reverse("import_mapping", args=[job.uuid])).content.decode()
    response = client.post(
        reverse("import_mapping", args=[job.uuid]),
        {
            **mapping_form(page),
            "fixed_type": REL_SUB_EMPLOYED_BY,
            "fixed_name": "Nobody Inc",
            "action": "run",
        },
    )
    assert "no record is named “Nobody Inc”" in response.content.decode()
    assert not Contact.objects.exists()


@pytest.mark.parametrize("slug", ["contacts", "organisations"])
def test_each_list_links_to_the_wizard_with_its_type(client, user, slug):
    client.force_login(user)
    page = client.get(f"/{slug}/").content.decode()
    assert f'href="/imports/?type={slug}"' in page
    start = client.get(f"/imports/?type={slug}").content.decode()
    assert f'value="{slug}" checked' in start


def test_default_values_fill_only_the_rows_that_have_none(client, user):
    client.force_login(user)
    content = b"First name,Last name,City\r\nAda,Lovelace,London\r\nAlan,Turing,\r\n"
    job_url = upload(client, content).url.replace("/preview/", "/mapping/")
    page = client.get(job_url).content.decode()
    assert 'name="default_target"' in page and '<option value="billing_address.city"' in page
    posted = {
        **mapping_form(page),
        "on_duplicate": "update",
        "default_target": ["billing_address.city", "description", ""],
        "default_value": ["Paris", "  ", "ignored"],
        "action": "run",
    }
    client.post(job_url, posted)
    job = ImportJob.objects.get(user=user)
    assert job.settings["defaults"] == {"billing_address.city": "Paris"}
    assert Contact.objects.get(first_name="Ada").billing_address.city == "London"
    assert Contact.objects.get(first_name="Alan").billing_address.city == "Paris"


def test_a_bad_default_value_is_reported_on_each_row_and_the_rows_imported(client, user):
    client.force_login(user)
    content = b"First name,Last name\r\nAda,Lovelace\r\n"
    job_url = upload(client, content).url.replace("/preview/", "/mapping/")
    page = client.get(job_url).content.decode()
    posted = {
        **mapping_form(page),
        "on_duplicate": "update",
        "default_target": ["email"],
        "default_value": ["not-an-address"],
        "action": "run",
    }
    client.post(job_url, posted)
    job = ImportJob.objects.get(user=user)
    assert job.report["counts"]["created"] == 1
    assert "not-an-address" in " ".join(job.report["rows"][0]["warnings"])
    assert Contact.objects.get(first_name="Ada").email == ""


def test_a_vcards_addresses_and_full_name_go_through_the_wizard(client, user):
    client.force_login(user)
    content = (FILES / "C005_company_cards_missing_n.vcf").read_bytes()
    job_url = upload(client, content, "cards.vcf").url.replace("/preview/", "/mapping/")
    form = mapping_form(client.get(job_url).content.decode())
    page = client.get(job_url).content.decode()
    columns = read_job_table(ImportJob.objects.get()).columns
    index = {name: number for number, name in enumerate(columns)}
    assert form[f"column-{index['billing_address']}"] == "billing_address"
    assert form[f"column-{index['full_name']}"] == "full_name"
    assert "Full name" in page
    client.post(job_url, {**form, "on_duplicate": "update", "action": "run"})
    job = ImportJob.objects.get()
    assert job.status == "done", job.error
    with_address = [
        org
        for org in Organisation.objects.all()
        if org.billing_address and org.billing_address.city
    ]
    assert with_address, job.report


def test_a_fixed_relation_to_nobody_is_refused_and_kept_in_the_form(client, user):
    client.force_login(user)
    job_url = upload(client, b"First name,Last name\r\nAda,Lovelace\r\n").url.replace(
        "/preview/", "/mapping/"
    )
    form = mapping_form(client.get(job_url).content.decode())
    posted = {
        **form,
        "on_duplicate": "update",
        "fixed_type": "persons-subject_prospect",
        "fixed_name": "No Such Company XYZ",
        "action": "run",
    }
    page = client.post(job_url, posted).content.decode()
    assert "no record is named “No Such Company XYZ”" in page
    assert 'value="No Such Company XYZ"' in page
    assert '<option value="persons-subject_prospect" selected>' in page
    assert not Contact.objects.filter(last_name="Lovelace").exists()


def test_a_wizard_abandoned_for_a_day_is_cleared_but_reports_stay(client, user):
    import datetime

    from django.utils import timezone

    client.force_login(user)
    upload(client, b"First name,Last name\r\nAda,Lovelace\r\n", "old.csv")
    upload(client, b"First name,Last name\r\nAlan,Turing\r\n", "recent.csv")
    old, _recent = ImportJob.objects.order_by("pk")
    day_ago = timezone.now() - datetime.timedelta(days=1, minutes=1)
    ImportJob.objects.filter(pk=old.pk).update(created=day_ago)
    finished = ImportJob.objects.create(
        user=user, entity_type="contacts", filename="done.csv", data=b"", status="done"
    )
    ImportJob.objects.filter(pk=finished.pk).update(created=day_ago)
    page = client.get(reverse("import_start")).content.decode()
    assert set(ImportJob.objects.values_list("filename", flat=True)) == {"recent.csv", "done.csv"}
    assert "old.csv" not in page and "recent.csv" in page and "done.csv" in page


def test_an_imported_records_history_names_the_file_and_the_line(client, user):
    client.force_login(user)
    job_url = upload(client, b"First name,Last name\r\nAda,Lovelace\r\n", "people.csv").url
    job_url = job_url.replace("/preview/", "/mapping/")
    form = mapping_form(client.get(job_url).content.decode())
    client.post(job_url, {**form, "on_duplicate": "update", "action": "run"})
    ada = Contact.objects.get(last_name="Lovelace")
    page = client.get(reverse("entity_detail", args=["contacts", ada.uuid])).content.decode()
    assert "from people.csv, line 2" in page
