"""Search normalisation: the folded form stored in ``Entity.search_text`` and used by lookups.

Folding is done in Python rather than by database collations so that SQLite, PostgreSQL and
MariaDB find exactly the same rows for the same input.
"""

import re
import unicodedata

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
