"""Keeping SQLite's query planner informed of the data's shape.

Without statistics SQLite guesses that ``entity_type = ?`` picks out a handful of rows, so it
walks a type's whole index even where a search or a filter has already named the few
entities a list needs (seconds on a million entities, for a page of a few hundred matches).
``ANALYZE`` tells it that a type holds half the table. PostgreSQL (autovacuum) and MariaDB
(InnoDB's persistent statistics) keep their own up to date; SQLite never runs it by itself,
so Tandem does after ``migrate`` (every ``tandem setup``, so every ``make run``) and after
an import, the two moments when the data's size changes the most.
"""

from __future__ import annotations

from django.db import connections


def refresh_planner_statistics(using: str = "default") -> bool:
    """Run ``ANALYZE`` on a SQLite database (a few seconds per million entities); returns
    whether it did (other databases keep their statistics themselves)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return True


def refresh_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """``post_migrate`` receiver: the planner starts from the database's present shape."""
    refresh_planner_statistics(using)
