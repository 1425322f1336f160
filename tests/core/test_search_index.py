"""The substring index behind searches: every word is found as ``LIKE '%word%'`` finds it, on
every database, and SQLite's FTS5 copy of the search text follows every kind of write."""

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tandem.core.models import Entity
from tandem.core.search import (
    ensure_sqlite_search_index,
    fold,
    search_text_q,
    search_words_q,
)
from tandem.core.selectors import copied_in_search_text, filter_text
from tandem.core.services import create_entity, delete_entity, update_entity
from tandem.persons.models import Contact, Organisation

pytestmark = pytest.mark.django_db

# Letters, FTS5 query syntax ("quotes", *, ^, :, -, parentheses, NEAR) and LIKE's own signs.
ALPHABET = 'abcdeé œß"*^:-()%_\\NEAR'
NAMES = [
    'Acme "Quoted" Logistics',
    "NEAR (west) 100% bio*",
    "Œuvre-Straße ^up:",
    "plain_name \\ back",
    "Abc",
]


def _matching(text: str) -> set[str]:
    return set(Organisation.objects.filter(search_words_q(text)).values_list("name", flat=True))


def _expected(text: str) -> set[str]:
    words = fold(text).split()
    return {
        organisation.name
        for organisation in Organisation.objects.all()
        if all(word in organisation.search_text for word in words)
    }


@pytest.fixture
def organisations(user):
    for name in NAMES:
        create_entity(model=Organisation, user=user, data={"name": name})


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=ALPHABET, min_size=1, max_size=8))
@example(text='"quoted"')
@example(text="near")
@example(text="100%")
@example(text="e_n")
@example(text="bio*")
def test_search_finds_exactly_the_entities_whose_text_contains_every_word(organisations, text):
    with transaction.atomic():
        assert _matching(text) == _expected(text)


def test_short_words_are_found_without_the_index(organisations):
    assert _matching("ab") == {"Abc"}
    assert _matching("œ") == {"Œuvre-Straße ^up:"}


def test_the_index_follows_creation_change_and_deletion(user):
    organisation = create_entity(model=Organisation, user=user, data={"name": "Zephyrine Works"})
    assert _matching("zephyr") == {"Zephyrine Works"}
    organisation = update_entity(
        entity=organisation, user=user, data={"name": "Boreal Works"}, version=organisation.version
    )
    assert _matching("zephyr") == set()
    assert _matching("boreal") == {"Boreal Works"}
    delete_entity(entity=organisation, user=user)
    assert _matching("boreal") == set()


def test_the_index_follows_writes_below_the_services(user):
    organisation = create_entity(model=Organisation, user=user, data={"name": "Quasar Ltd"})
    Entity.objects.filter(pk=organisation.pk).update(search_text="nebula ltd")
    assert _matching("quasar") == set()
    assert _matching("nebula") == {"Quasar Ltd"}


def test_search_uses_the_database_substring_index(user):
    """SQLite asks FTS5, PostgreSQL has pg_trgm's index on the column; MariaDB has none."""
    create_entity(model=Organisation, user=user, data={"name": "Indexed Name"})
    sql = str(Entity.objects.filter(search_text_q("indexed")).query)
    if connection.vendor == "sqlite":
        assert "core_entity_search MATCH" in sql
    else:
        assert "LIKE" in sql.upper()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'entity_search_trigram'"
            )
            assert "gin_trgm_ops" in cursor.fetchone()[0]


def test_writes_missed_by_the_index_maintenance_are_found_after_migrate(user):
    """SQLite: Django rebuilds a table to alter it, which drops its triggers; after migrate
    the missing trigger is made again and what was written meanwhile is indexed. PostgreSQL
    and MariaDB index the column itself: the same writes are found at once, and the hook
    run after migrate leaves them alone."""
    from tandem.core.search import keep_search_index

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER core_entity_search_insert")
    create_entity(model=Organisation, user=user, data={"name": "Written Meanwhile"})
    if connection.vendor == "sqlite":
        assert _matching("meanwhile") == set()
        assert ensure_sqlite_search_index(connection) is True
        assert ensure_sqlite_search_index(connection) is False  # nothing left to mend
    else:
        assert _matching("meanwhile") == {"Written Meanwhile"}
    keep_search_index(sender=None, using=connection.alias)
    assert _matching("meanwhile") == {"Written Meanwhile"}


def test_column_searches_narrow_through_the_index_only_where_the_search_text_holds_the_column():
    assert copied_in_search_text(Contact, "label")
    assert copied_in_search_text(Contact, "email")
    assert not copied_in_search_text(Contact, "extra_emails")  # a list, of any length
    assert not copied_in_search_text(Contact, "department")  # after that list
    assert not copied_in_search_text(Organisation, "name")  # not one of its search fields


@pytest.mark.parametrize("typed", ["ÉLAN@", "élan@exa", "XAMPLE.ORG", "n@e"])
def test_a_column_search_on_an_indexed_column_finds_what_the_column_holds(make_contact, typed):
    make_contact("Ann", "Other", email="someone@else.org")
    wanted = make_contact("Bob", "Elan Wanted", email="elan@example.org")
    found = filter_text(Contact.objects.all(), "email", typed)
    assert list(found) == [wanted]
    if connection.vendor == "sqlite" and len(fold(typed)) >= 3:
        assert "core_entity_search MATCH" in str(found.query)
