# A partial index on our own organisations (issue 6), where the database has partial indexes.
#
# "Our" companies are a handful among possibly millions of organisations: every detail page
# (its "Become a customer…" buttons) and the built-in "My customers / prospects / suspects"
# filters read them, and without an index that read visits every organisation (239 ms on a
# million on PostgreSQL; 0.07 ms with it). PostgreSQL and SQLite get an index of the managed
# ones only; MariaDB has no partial indexes, and an index of every name would be dead weight
# there, so it goes without. Not in ``Organisation.Meta.indexes`` for that reason (Django
# would build a full index on MariaDB and warn on every ``migrate``).

from django.db import migrations, models

INDEX = models.Index(
    fields=["name"], condition=models.Q(is_managed=True), name="organisation_managed"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.features.supports_partial_indexes:
        schema_editor.add_index(apps.get_model("persons", "Organisation"), INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.features.supports_partial_indexes:
        schema_editor.remove_index(apps.get_model("persons", "Organisation"), INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0011_saved_list_settings"),
        ("persons", "0003_email_index"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
