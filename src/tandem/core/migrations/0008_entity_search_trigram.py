# A trigram index on Entity.search_text, on PostgreSQL only (issue 6).
#
# Searches match every word anywhere in the folded search text (``LIKE '%word%'``), which no
# B-tree index serves: on two million entities the global search and a list's quick search
# read the whole entity table for a rare word. pg_trgm's GIN index answers ``LIKE '%word%'``
# (words of three letters or more) from the index. SQLite and MariaDB have no such index
# type: there the migration does nothing. The index is not in ``Entity.Meta.indexes``
# because a GinIndex there would be created on every database.

import warnings

from django.db import DatabaseError, migrations, transaction

INDEX = "entity_search_trigram"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        warnings.warn(
            f"pg_trgm is not available ({error}): searches will read the whole entity table.",
            stacklevel=1,
        )
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON core_entity USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_history_merged"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
