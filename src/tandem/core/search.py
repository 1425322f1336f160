"""Search normalisation: the folded form stored in ``Entity.search_text`` and used by lookups.

Folding is done in Python rather than by database collations so that SQLite, PostgreSQL and
MariaDB find exactly the same rows for the same input.
"""

import re
import unicodedata

from django.db.models import Func, Q, TextField

# Letters that carry no decomposable accent but that users type without it.
_SPECIAL_LETTERS = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "œ": "oe",
        "æ": "ae",
        "ŀ": "l",
    }
)
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Return ``text`` case-folded, without accents and with single spaces.

    >>> fold("  Société   GÉNÉRALE ")
    'societe generale'
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    folded = folded.translate(_SPECIAL_LETTERS)
    return _SPACES.sub(" ", folded).strip()


# Folding inside the database, for filters on any text column (list quick searches). SQLite
# calls ``fold`` itself; PostgreSQL translates the accented letters ``fold`` knows about;
# MySQL/MariaDB's utf8mb4_unicode_ci collation already compares without case or accents.
def _postgresql_folding_tables() -> tuple[str, str, dict[str, str]]:
    single_from, single_to, multiple = [], [], {}
    for code_point in range(0xC0, 0x250):
        char = chr(code_point)
        folded = fold(char)
        if folded == char or not folded.isascii():
            continue
        if len(folded) == 1:
            single_from.append(char)
            single_to.append(folded)
        else:
            multiple[char] = folded
    return "".join(single_from), "".join(single_to), multiple


_PG_FROM, _PG_TO, _PG_MULTIPLE = _postgresql_folding_tables()


def _mysql_replacements() -> dict[str, str]:
    """Letters ``fold`` changes beyond what a collation ignores (case and accents): ``ł``,
    ``ø``, ``œ``, ``ß``…; LIKE compares letter by letter, so ``œ`` never equals ``oe`` there."""
    replacements = {}
    for code_point in range(0xC0, 0x250):
        char = chr(code_point)
        decomposed = unicodedata.normalize("NFKD", char.lower())
        plain = "".join(part for part in decomposed if not unicodedata.combining(part))
        if fold(char) != plain and fold(char).isascii():
            replacements[char] = fold(char)
    return replacements


_MYSQL_REPLACEMENTS = _mysql_replacements()


class Folded(Func):
    """``fold(expression)`` computed by the database, comparable with ``fold(user_input)``."""

    function = "tandem_fold"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        sql = f"translate(lower({sql}::text), %s, %s)"
        params = [*params, _PG_FROM, _PG_TO]
        for char, folded in _PG_MULTIPLE.items():
            sql = f"replace({sql}, %s, %s)"
            params.extend([char, folded])
        return sql, params

    def as_mysql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        sql, params = f"LOWER({sql})", list(params)
        for char, folded in _MYSQL_REPLACEMENTS.items():
            sql = f"REPLACE({sql}, %s, %s)"
            params.extend([char, folded])
        return sql, params


def register_sqlite_fold(sender, connection, **kwargs) -> None:
    """Give every SQLite connection the ``tandem_fold`` function ``Folded`` calls."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("tandem_fold", 1, _fold_or_none, deterministic=True)


def _fold_or_none(value):
    return None if value is None else fold(str(value))


# --------------------------------------------------------------------------------------------
# The substring index behind searches.
#
# Searches look for each word anywhere in ``Entity.search_text`` (``LIKE '%word%'``), which no
# B-tree index serves: on a million entities a rare word read the whole table. PostgreSQL has
# pg_trgm's GIN index (migration core 0008), used by the plain ``LIKE``. SQLite has FTS5's
# trigram tokenizer: an external-content table over ``core_entity.search_text``, kept in step
# by triggers, so raw SQL and bulk writes are indexed too. It is (re)made after every
# ``migrate`` rather than by a migration, because Django rebuilds a SQLite table to alter it
# and the rebuild drops the table's triggers. MariaDB has no substring index: it scans.

#: The FTS5 table that indexes ``core_entity.search_text`` on SQLite (named literally in the
#: statements below, which hold no value from outside).
SQLITE_SEARCH_TABLE = "core_entity_search"
NUL = "\x00"
#: Trigram indexes find words of at least this many characters; shorter ones scan.
INDEXED_WORD_LENGTH = 3

_SQLITE_SEARCH_TABLE_SQL = (
    "CREATE VIRTUAL TABLE core_entity_search USING fts5(search_text, "
    "content='core_entity', content_rowid='id', tokenize='trigram')"
)
_SQLITE_TRIGGERS = {
    "core_entity_search_insert": """
        CREATE TRIGGER core_entity_search_insert AFTER INSERT ON core_entity BEGIN
            INSERT INTO core_entity_search(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
    "core_entity_search_delete": """
        CREATE TRIGGER core_entity_search_delete AFTER DELETE ON core_entity BEGIN
            INSERT INTO core_entity_search(core_entity_search, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        END""",
    "core_entity_search_update": """
        CREATE TRIGGER core_entity_search_update AFTER UPDATE OF search_text ON core_entity
        WHEN old.search_text IS NOT new.search_text BEGIN
            INSERT INTO core_entity_search(core_entity_search, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
            INSERT INTO core_entity_search(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
}
_SQLITE_MATCH_SQL = "SELECT rowid FROM core_entity_search WHERE core_entity_search MATCH %s"


def ensure_sqlite_search_index(connection) -> bool:
    """Create the FTS5 table and its triggers where missing, and fill the table if anything
    was missing (a trigger lost to a table rebuild may have let writes through unindexed).
    Returns whether it had to rebuild."""
    wanted = {SQLITE_SEARCH_TABLE, *_SQLITE_TRIGGERS}
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {name for (name,) in cursor.fetchall()}
        if "core_entity" not in present:  # migrated backwards past the entity table
            return False
        missing = wanted - present
        if not missing:
            return False
        if SQLITE_SEARCH_TABLE in missing:
            cursor.execute(_SQLITE_SEARCH_TABLE_SQL)
        for name, statement in _SQLITE_TRIGGERS.items():
            if name in missing:
                cursor.execute(statement)
        cursor.execute("INSERT INTO core_entity_search(core_entity_search) VALUES ('rebuild')")
    return True


def keep_search_index(sender, using: str = "default", **kwargs) -> None:
    """After ``migrate``: the SQLite substring index exists and is complete."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        ensure_sqlite_search_index(connection)


def search_text_q(word: str) -> Q:
    """Entities whose folded ``search_text`` contains ``word`` (already folded), through the
    database's substring index where it has one."""
    from django.db import connection
    from django.db.models.expressions import RawSQL

    if NUL in word:  # no stored text holds one; FTS5 and PostgreSQL refuse it in a query
        return Q(pk__in=[])
    if connection.vendor == "sqlite" and len(word) >= INDEXED_WORD_LENGTH:
        # A quoted FTS5 phrase is the text itself, quotes doubled: no query syntax gets in,
        # and the word is a parameter.
        phrase = '"' + word.replace('"', '""') + '"'
        return Q(pk__in=RawSQL(_SQLITE_MATCH_SQL, (phrase,)))  # noqa: S611
    return Q(search_text__contains=word)


def search_words_q(text: str) -> Q:
    """Entities whose search text contains every word of ``text`` (case- and accent-blind)."""
    q = Q()
    for word in fold(text).split():
        q &= search_text_q(word)
    return q
