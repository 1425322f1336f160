"""What every reader produces and the importer consumes: a table of rows with line numbers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

#: What a spreadsheet reads as the start of a formula (OWASP's "CSV injection" list). Exports
#: put an apostrophe before such a cell; readers take it off again, so a round trip is exact.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _looks_like_a_formula(text: str) -> bool:
    """Whether ``text``, past any leading apostrophes, starts as a formula would."""
    return text.lstrip("'").startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would run it as a formula, or
    when it already has apostrophes before a formula sign (so ``unneutralise`` gives it back
    exactly)."""
    return "'" + text if _looks_like_a_formula(text) else text


def unneutralise(value: Any) -> Any:
    """``value`` without the apostrophe ``neutralise`` put before a would-be formula."""
    if isinstance(value, str) and value.startswith("'") and _looks_like_a_formula(value):
        return value[1:]
    return value


@dataclass
class SourceRow:
    """One record of a file.

    ``line`` is the 1-based number a user sees: the physical line where a CSV record starts
    (a quoted multi-line field makes the next record start further down), the sheet row of an
    XLSX file, the line of a vCard's ``BEGIN:VCARD``. ``values`` maps column names to what the
    file holds: text for CSV; text, int, float, Decimal, date, datetime, bool or None for
    XLSX; typed values for vCard (see ``tandem.io.vcard``). ``warnings`` are translated
    messages about what the reader could not take (a corrupt photo, an undecodable byte).
    """

    line: int
    values: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


@dataclass
class SourceTable:
    """A file as read: its columns in file order and its rows.

    ``columns`` are unique (a repeated header gets " (2)", " (3)"…). ``format`` is "csv",
    "xlsx" or "vcf"; ``encoding`` and ``delimiter`` say what was detected or chosen (None
    where it does not apply); ``sheets`` lists an XLSX file's sheet names.
    """

    format: str
    columns: list[str]
    rows: list[SourceRow]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[SourceRow]:
        return iter(self.rows)


class UnreadableFile(ValueError):
    """A file that cannot be read at all (not a CSV, XLSX or vCard file, no card, no header);
    the message is translated and says why."""
