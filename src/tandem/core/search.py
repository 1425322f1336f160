"""Search normalisation: the folded form stored in ``Entity.search_text`` and used by lookups.

Folding is done in Python rather than by database collations so that SQLite, PostgreSQL and
MariaDB find exactly the same rows for the same input.
"""

import re
import unicodedata

from django.db.models import Func, TextField

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
