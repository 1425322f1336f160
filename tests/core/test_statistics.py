"""SQLite's planner statistics: refreshed after migrate and after a big import, and what they
change: a list narrowed to a few named entities is read from those, not from the whole type."""

import pytest
from django.core.management import call_command
from django.db import connection

from tandem.core.selectors import NOT_TRASHED
from tandem.core.statistics import refresh_planner_statistics
from tandem.io import importer
from tandem.io.mapping import ImportSettings
from tandem.io.rows import SourceRow, SourceTable
from tandem.persons.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL and MariaDB keep their planner statistics themselves")


def _statistics_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        return cursor.fetchone()[0]


def _forget_statistics() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1")
        cursor.execute("ANALYZE sqlite_schema")  # makes the planner reload the (empty) table


def _many_organisations(count: int) -> None:
    """Rows written as the benchmark's generator writes them: below the services, for speed."""
    for n in range(count):
        organisation = Organisation(name=f"Org {n:05}")
        organisation.refresh_denormalised_fields()
        organisation.save()


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(row[-1] for row in cursor.fetchall())


def test_only_sqlite_needs_telling(sqlite_only):
    assert refresh_planner_statistics() is True


def test_migrate_refreshes_the_statistics(sqlite_only, make_org):
    make_org("Counted")
    _forget_statistics()
    call_command("migrate", verbosity=0)
    assert _statistics_rows("core_entity") > 0


def test_a_list_narrowed_to_named_entities_is_read_from_them(sqlite_only):
    _many_organisations(1500)
    named = list(Organisation.objects.order_by("pk").values_list("pk", flat=True)[:300])
    rows = Organisation.objects.filter(
        NOT_TRASHED, entity_type_id=Organisation.get_entity_type().pk, pk__in=named
    ).order_by("sort_label", "pk")[:26]
    _forget_statistics()
    assert "entity_type" in _plan(rows)  # guessed: the type's index, every row of the type
    refresh_planner_statistics()
    plan = _plan(rows)
    assert "entity_type" not in plan
    assert "persons_organisation" in plan.split("\n")[0]


def test_a_big_import_refreshes_the_statistics(sqlite_only, user, monkeypatch):
    monkeypatch.setattr(importer, "STATISTICS_AFTER_ROWS", 3)
    rows = [SourceRow(line=n + 2, values={"Name": f"Imported {n}"}) for n in range(3)]
    table = SourceTable(format="csv", columns=["Name"], rows=rows)
    settings = ImportSettings(entity_type="organisations", columns={"Name": {"target": "name"}})
    _forget_statistics()
    importer.run_import(table, settings, user=user)
    assert _statistics_rows("core_entity") > 0
