"""`tandem import`: detection and guessed mapping without options, every option, the JSON
report, and exit codes (0 when the file was processed, even with rejected rows)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tandem.persons.models import Contact, Organisation

FILES = Path(__file__).parent / "files"

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("root", password="a-long-password-42")


def run(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("import", *args, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def test_sp500_from_the_command_line_without_options(admin):
    code, out = run(str(FILES / "constituents.csv"), "--type", "organisations")
    assert code == 0
    assert "503 rows — 503 created" in out and "CSV, utf-8, delimiter ','" in out
    assert Organisation.objects.get(name="Zoetis").billing_address.city == "Parsippany"
    assert Organisation.objects.filter(name="3M").get().owner == admin


def test_json_report_and_rejected_rows_still_exit_0(admin):
    code, out = run(str(FILES / "C005_company_cards_missing_n.vcf"), "--type", "contacts", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["counts"]["created"] == 3 and report["counts"]["rejected"] == 1
    assert report["rows"][0]["line"] == 52


def test_nothing_imported_exits_1(admin):
    code, out = run(str(FILES / "C012b_outlook_csv_email_2_3.csv"), "--type", "contacts")
    assert code == 1
    assert "1 rejected" in out and "line 2: rejected" in out


def test_dry_run_writes_nothing(admin):
    code, out = run(
        str(FILES / "C010a_utf8_bom_all_columns.csv"), "--type", "contacts", "--dry-run"
    )
    assert code == 0 and "dry run" in out
    assert not Contact.objects.exists()


def test_options_encoding_delimiter_date_order_key_and_duplicates(admin, tmp_path):
    path = tmp_path / "people.txt"
    path.write_bytes(
        "Nom|Prénom|Naissance|Courriel\nDurand|Zoé|03/04/1990|z@example.fr\n".encode("cp1252")
    )
    code, _out = run(
        str(path),
        "--type",
        "contacts",
        "--encoding",
        "cp1252",
        "--delimiter",
        "|",
        "--date-order",
        "mdy",
    )
    assert code == 0
    zoe = Contact.objects.get(first_name="Zoé")
    assert (zoe.birth_month, zoe.birth_day) == (3, 4)
    code, out = run(str(path), "--type", "contacts", "--key", "email", "--on-duplicate", "skip")
    assert code == 0 and "1 skipped" in out
    code, out = run(str(path), "--type", "contacts", "--on-duplicate", "create")
    assert Contact.objects.filter(first_name="Zoé").count() == 2


def test_a_saved_mapping_runs_the_same_import(admin, tmp_path):
    mapping = tmp_path / "mapping.json"
    code, _out = run(
        str(FILES / "constituents.csv"),
        "--type",
        "organisations",
        "--dry-run",
        "--save-mapping",
        str(mapping),
    )
    saved = json.loads(mapping.read_text())
    assert saved["columns"]["Security"] == {"target": "name"}
    del saved["columns"]["GICS Sector"]
    mapping.write_text(json.dumps(saved))
    code, _out = run(
        str(FILES / "constituents.csv"), "--type", "organisations", "--mapping", str(mapping)
    )
    assert code == 0
    assert Organisation.objects.get(name="3M").sector is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "planets"], "“planets” is not a type of record"),
        (["--type", "contacts", "--mapping", "/nonexistent.json"], "No mapping file at"),
        (["--type", "contacts", "--user", "ghost"], "No user is called “ghost”"),
    ],
)
def test_wrong_arguments_are_refused(admin, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("import", str(FILES / "constituents.csv"), *args)


def test_a_missing_file_and_an_unreadable_one_are_refused(admin, tmp_path):
    with pytest.raises(CommandError, match="No file at"):
        call_command("import", str(tmp_path / "nope.csv"), "--type", "contacts")
    junk = tmp_path / "junk.xls"
    junk.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(CommandError, match=r"old Excel \(.xls\) file"):
        call_command("import", str(junk), "--type", "contacts")


def test_a_bad_mapping_file_names_the_problem(admin, tmp_path):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"columns": {"Security": {"target": "shoe_size"}}}))
    with pytest.raises(CommandError, match="“shoe_size” is not a field"):
        call_command(
            "import",
            str(FILES / "constituents.csv"),
            "--type",
            "organisations",
            "--mapping",
            str(mapping),
        )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"columns": {\n', r"The mapping file .*mapping.json is not valid JSON \(line 2"),
        (None, r"No mapping file at .*mapping.json"),
    ],
)
def test_a_broken_or_missing_mapping_file_is_named(admin, tmp_path, content, message):
    mapping = tmp_path / "mapping.json"
    if content is not None:
        mapping.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command(
            "import", str(FILES / "constituents.csv"), "--type", "organisations",
            "--mapping", str(mapping),
        )  # fmt: skip


def test_without_an_administrator_the_command_says_what_to_do(db):
    with pytest.raises(CommandError, match="tandem setup"):
        call_command("import", str(FILES / "constituents.csv"), "--type", "organisations")


def test_demo_data_is_imported_once(admin):
    call_command("demo", stdout=StringIO())
    count = Organisation.objects.count()
    out = StringIO()
    call_command("demo", stdout=out)
    assert Organisation.objects.count() == count >= 503
    assert "0 organisations created, 503 already there" in out.getvalue()
    assert Contact.objects.filter(last_name="Moreau").count() == 1
