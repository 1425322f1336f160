"""Planner statistics, and what they change: a list narrowed to a few named entities is read
from those, not from every row of the type. SQLite needs Tandem to refresh them (after
migrate and after a big import); PostgreSQL and MariaDB keep their own, which these tests
refresh as their background jobs would."""

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

SQLITE = "sqlite"


def _statistics_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        return cursor.fetchone()[0]


def _forget_statistics() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1")
        cursor.execute("ANALYZE sqlite_schema")  # makes the planner reload the (empty) table


def _database_keeps_its_own_statistics() -> None:
    """What autovacuum would do on PostgreSQL. MariaDB's InnoDB recalculates them by itself,
    and its ANALYZE TABLE would commit the test's transaction (leaking its rows)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _many_organisations(count: int) -> None:
    """Rows written as the benchmark's generator writes them: below the services, for speed."""
    for n in range(count):
        organisation = Organisation(name=f"Org {n:05}")
        organisation.refresh_denormalised_fields()
        organisation.save()


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN " + ("QUERY PLAN " if connection.vendor == SQLITE else "") + sql, params
        )
        return "\n".join(" ".join(str(cell) for cell in row) for row in cursor.fetchall())


def test_only_sqlite_needs_telling():
    assert refresh_planner_statistics() is (connection.vendor == SQLITE)


def test_migrate_refreshes_the_statistics(make_org):
    make_org("Counted")
    if connection.vendor == SQLITE:
        _forget_statistics()
    call_command("migrate", verbosity=0)
    if connection.vendor == SQLITE:
        assert _statistics_rows("core_entity") > 0
    else:  # nothing of Tandem's to refresh there: the database does it
        assert refresh_planner_statistics() is False


def test_a_list_narrowed_to_named_entities_is_read_from_them():
    _many_organisations(1500)
    named = list(Organisation.objects.order_by("pk").values_list("pk", flat=True)[:30])
    rows = Organisation.objects.filter(
        NOT_TRASHED, entity_type_id=Organisation.get_entity_type().pk, pk__in=named
    ).order_by("sort_label", "pk")[:26]
    if connection.vendor == SQLITE:
        _forget_statistics()
        assert "entity_type" in _plan(rows)  # guessed: the type's index, every row of it
        refresh_planner_statistics()
        plan = _plan(rows)
        assert "entity_type" not in plan  # SQLite's plan names only the indexes it uses
        assert "SCAN core_entity" not in plan and "SCAN persons_organisation" not in plan
    else:
        # PostgreSQL and MariaDB plan from their own statistics; on a table this small they
        # rightly read it whole, so only the 1M-entity benchmark shows their plans.
        _database_keeps_its_own_statistics()
    found = list(rows)
    assert len(found) == 26 and {row.pk for row in found} <= set(named)


def test_a_big_import_refreshes_the_statistics(user, monkeypatch):
    monkeypatch.setattr(importer, "STATISTICS_AFTER_ROWS", 3)
    rows = [SourceRow(line=n + 2, values={"Name": f"Imported {n}"}) for n in range(3)]
    table = SourceTable(format="csv", columns=["Name"], rows=rows)
    settings = ImportSettings(entity_type="organisations", columns={"Name": {"target": "name"}})
    if connection.vendor == SQLITE:
        _forget_statistics()
    report = importer.run_import(table, settings, user=user)
    assert report.counts["created"] == 3
    if connection.vendor == SQLITE:
        assert _statistics_rows("core_entity") > 0
