"""CSV and XLSX files → :class:`~tandem.io.rows.SourceTable`.

What real files do and this module copes with: Excel in French writes ``;`` and a decimal
comma, others write tabs or pipes; a quoted address runs over several lines, so a record's
line is not its index; headers repeat or are blank; spreadsheets put numbers, dates and cached
formula results in cells. Values are kept as the file holds them (text stays text, "01000"
keeps its zero): typing them is the importer's job, with :mod:`tandem.io.values`.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import is_datetime

from tandem.io.decoding import decode
from tandem.io.rows import SourceRow, SourceTable, UnreadableFile, unneutralise

DELIMITERS = (",", ";", "\t", "|")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_ROWS = 1_000_000
#: An XLSX file is a zip archive: its sheets may uncompress to far more than the upload.
XLSX_EXPANSION = 20

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SAMPLE_CHARS = 64 * 1024
_SAMPLE_RECORDS = 50
_EXCEL_SEP = re.compile(r"sep=(.)\r?\n?", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n?")
_VCARD = re.compile(r"\s*BEGIN:VCARD", re.IGNORECASE)
_VCARD_EXTENSIONS = (".vcf", ".vcard")


def max_bytes() -> int:
    """The largest file an import reads (setting ``TANDEM_IMPORT_MAX_BYTES``)."""
    return getattr(settings, "TANDEM_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_rows() -> int:
    """The most rows an import reads (setting ``TANDEM_IMPORT_MAX_ROWS``)."""
    return getattr(settings, "TANDEM_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def _check_size(data: bytes) -> None:
    if not data or not data.strip():
        raise UnreadableFile(_("The file is empty."))
    if len(data) > max_bytes():
        raise UnreadableFile(
            _("The file is larger than %(size)s MB, the most Tandem imports at once. Split it.")
            % {"size": max_bytes() // (1024 * 1024)}
        )


def _check_signature(data: bytes) -> None:
    """Refuse the binary formats a user may take for a spreadsheet, saying what to do."""
    if data.startswith(_OLE):
        raise UnreadableFile(
            _(
                "This is an old Excel (.xls) file, or a password-protected workbook, which "
                "Tandem cannot read. Open it in your spreadsheet and save it as .xlsx (without a "
                "password) or as CSV, then import that file."
            )
        )


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _unique(names: list[str]) -> list[str]:
    """Repeated names get " (2)", " (3)"…, skipping names the file already has."""
    given = set(names)
    seen: set[str] = set()
    result = []
    for name in names:
        unique, number = name, 2
        while unique in seen or (unique != name and unique in given):
            unique, number = f"{name} ({number})", number + 1
        seen.add(unique)
        result.append(unique)
    return result


def _column_name(position: int) -> str:
    return _("Column %(number)s") % {"number": position}


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.date):
        value = value.isoformat()
    return " ".join(str(value).split())


def _build_table(
    records: Iterable[tuple[int, list[Any]]], header_row: int, **table: Any
) -> SourceTable:
    """Rows from ``(line, cells)`` records: the header is the first non-blank record at or
    after ``header_row`` (0: no header), blank records are skipped, cells past the header go
    under "Column N", columns with neither a name nor a value are left out."""
    if header_row < 0:
        raise ValueError("header_row must be 0 or more")
    header: list[str] | None = [] if header_row == 0 else None
    rows: list[tuple[int, list[Any]]] = []
    limit = max_rows()
    for line, cells in records:
        if line < header_row or all(_is_blank(cell) for cell in cells):
            continue
        if header is None:
            header = [_header_text(unneutralise(cell)) for cell in cells]
            continue
        rows.append((line, cells))
        if len(rows) > limit:
            raise UnreadableFile(
                _("The file has more than %(max)s rows, the most Tandem imports at once. Split it.")
                % {"max": limit}
            )
    if header is None:
        if header_row > 1:
            raise UnreadableFile(
                _("The file has no header on line %(line)s or after it.") % {"line": header_row}
            )
        raise UnreadableFile(_("The file is empty."))
    if not rows:
        raise UnreadableFile(
            _("The file has column names but no rows to import.")
            if header_row
            else _("The file is empty.")
        )
    width = max(len(header), *(len(cells) for _line, cells in rows))
    used = [
        (position < len(header) and bool(header[position]))
        or any(position < len(cells) and not _is_blank(cells[position]) for _l, cells in rows)
        for position in range(width)
    ]
    positions = [position for position in range(width) if used[position]]
    names = _unique(
        [
            (header[position] if position < len(header) else "") or _column_name(position + 1)
            for position in positions
        ]
    )
    if not names:
        raise UnreadableFile(_("The file is empty."))
    result = []
    for line, cells in rows:
        values = {
            name: unneutralise(cells[position]) if position < len(cells) else None
            for name, position in zip(names, positions, strict=True)
        }
        notes = []
        extra = [
            position
            for position in range(len(header), len(cells))
            if header_row and not _is_blank(cells[position])
        ]
        if extra:
            notes.append(
                _(
                    "This row has more cells than the header has names: the cells past "
                    "column %(count)s are under “%(first)s”…"
                )
                % {"count": len(header), "first": _column_name(extra[0] + 1)}
            )
        result.append(SourceRow(line=line, values=values, warnings=notes))
    return SourceTable(columns=names, rows=result, **table)


# --- CSV -------------------------------------------------------------------------------------


def _records(text: str, delimiter: str, start_line: int = 1) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the physical line each starts on (a quoted cell may hold line breaks,
    so a record's line is not its index)."""
    # The csv module refuses cells over 128 KiB by default; the file's own size limit is
    # the one that matters (a long note is not an error).
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes()))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = start_line
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # The csv module's own words are English and technical: the line is what helps.
            raise UnreadableFile(
                _("Line %(line)s cannot be read as CSV.")
                % {"line": start_line + reader.line_num - 1}
            ) from error
        # A line break inside a quoted cell is one "\n", whatever the file's line endings.
        yield line, [_LINE_BREAK.sub("\n", cell) if "\r" in cell else cell for cell in cells]
        line = start_line + reader.line_num


def detect_delimiter(text: str) -> str:
    """The delimiter among ``, ; tab |`` that splits the first records into the same number
    of fields (more than one), the header included.

    csv.Sniffer counts characters and prefers "," on a tie, so "Nom;Ville, Pays" fools it;
    parsing with each candidate lets quotes protect what they hold. Ties go to the delimiter
    whose fields do not start with a space (", " is prose, a delimiter is rarely followed by a
    space), then to the one giving more fields.
    """
    sample = text[:_SAMPLE_CHARS]
    truncated = len(text) > _SAMPLE_CHARS
    best: tuple[Any, ...] | None = None
    chosen = ","
    for preference, delimiter in enumerate(DELIMITERS):
        records = []
        try:
            for _line, cells in _records(sample, delimiter):
                if cells and not all(_is_blank(cell) for cell in cells):
                    records.append(cells)
                if len(records) > _SAMPLE_RECORDS:
                    break
        except UnreadableFile:
            continue
        if truncated and len(records) > 1:
            records.pop()  # the sample may have cut the last record
        if not records:
            continue
        counts = Counter(len(cells) for cells in records)
        fields, frequency = counts.most_common(1)[0]
        if fields < 2:
            continue
        cells = [cell for record in records for cell in record[1:]]
        spaced = sum(1 for cell in cells if cell[:1] == " ") / max(len(cells), 1)
        score = (
            len(records[0]) == fields,
            frequency / len(records),
            -round(spaced, 2),
            fields,
            -preference,
        )
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen


def _excel_separator(text: str) -> tuple[str | None, str]:
    """Excel's own "sep=;" first line names the delimiter; it is not the header."""
    match = _EXCEL_SEP.match(text)
    ends_line = match and (match.end() == len(text) or text[match.end() - 1] == "\n")
    if match and ends_line and match[1] in DELIMITERS:
        return match[1], text[match.end() :]
    return None, text


def _read_csv_text(text: str, encoding: str, delimiter: str | None, header_row: int) -> SourceTable:
    declared, body = _excel_separator(text)
    start_line = 2 if declared else 1
    delimiter = delimiter or declared or detect_delimiter(body)
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise UnreadableFile(
            _("“%(delimiter)s” cannot separate columns: give a single character.")
            % {"delimiter": delimiter}
        )
    table = _build_table(
        _records(body, delimiter, start_line),
        header_row,
        format="csv",
        encoding=encoding,
        delimiter=delimiter,
    )
    last = table.rows[-1]
    if body.count('"') % 2 and any("\n" in str(value) for value in last.values.values()):
        # The csv module reads an unclosed quote to the end of the file without a word.
        message = _(
            "Line %(line)s opens a quote that is never closed: the rest of the file was "
            "read as one cell."
        ) % {"line": last.line}
        last.warnings.append(message)
        table.warnings.append(message)
    return table


def read_csv(
    data: bytes, *, encoding: str | None = None, delimiter: str | None = None, header_row: int = 1
) -> SourceTable:
    """Read a CSV file: the encoding and delimiter are detected unless given; ``header_row``
    is the line holding the column names (lines above it are skipped), 0 when there is none
    (columns are then "Column 1", "Column 2"…)."""
    _check_size(data)
    _check_signature(data)
    if data.startswith(_ZIP):
        raise UnreadableFile(_("This is a zip archive or an XLSX file, not a CSV file."))
    text, found = decode(data, encoding)
    return _read_csv_text(text, found, delimiter, header_row)


# --- XLSX ------------------------------------------------------------------------------------


def _cell_value(cell: Any) -> Any:
    """What the importer gets from a cell: integral numbers as int, a date-only format as a
    date, times and durations as text; text is kept as is."""
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime.datetime):
        kind = is_datetime(getattr(cell, "number_format", None) or "")
        if kind == "date" or (kind is None and value.time() == datetime.time()):
            return value.date()
        return value
    if isinstance(value, datetime.time | datetime.timedelta):
        return str(value)
    return value


def _check_archive(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableFile(_("This file is a damaged zip archive or XLSX file.")) from None
    with archive:
        names = set(archive.namelist())
        if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
            raise UnreadableFile(
                _(
                    "This is an OpenDocument spreadsheet (.ods), which Tandem cannot read. Save "
                    "it as .xlsx or as CSV, then import that file."
                )
            )
        if "xl/workbook.xml" not in names:
            raise UnreadableFile(_("This zip archive is not an XLSX file."))
        if sum(info.file_size for info in archive.infolist()) > max_bytes() * XLSX_EXPANSION:
            raise UnreadableFile(
                _("This XLSX file is too large once uncompressed, the most Tandem imports at once.")
            )


def read_xlsx(data: bytes, *, sheet: str | None = None, header_row: int = 1) -> SourceTable:
    """Read one sheet of an XLSX file (the first unless ``sheet`` names another) with the
    values Excel last computed for formulas. ``header_row`` is the sheet row holding the column
    names, 0 when there is none."""
    import openpyxl

    _check_size(data)
    _check_signature(data)
    _check_archive(data)
    with warnings.catch_warnings():
        # "Workbook contains no default style", unsupported extensions: nothing for the user.
        warnings.simplefilter("ignore", UserWarning)
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises anything on a broken file
            raise UnreadableFile(
                _("This XLSX file cannot be read: %(error)s") % {"error": error}
            ) from None
        try:
            sheets = list(workbook.sheetnames)
            if sheet is None:
                worksheet = workbook.worksheets[0]
            elif sheet in sheets:
                worksheet = workbook[sheet]
            else:
                raise UnreadableFile(
                    _("The file has no sheet “%(sheet)s”; its sheets are: %(sheets)s.")
                    % {"sheet": sheet, "sheets": ", ".join(f"“{name}”" for name in sheets)}
                )
            # Some writers store a wrong size: read what the sheet holds, not what it claims.
            worksheet.reset_dimensions()
            records = (
                (line, [_cell_value(cell) for cell in cells])
                for line, cells in enumerate(worksheet.iter_rows(), start=1)
            )
            try:
                return _build_table(
                    records,
                    header_row,
                    format="xlsx",
                    sheet=worksheet.title,
                    sheets=sheets,
                )
            except UnreadableFile:
                raise
            except Exception as error:  # a damaged sheet part
                raise UnreadableFile(
                    _("This XLSX file cannot be read: %(error)s") % {"error": error}
                ) from None
        finally:
            workbook.close()


# --- Any file --------------------------------------------------------------------------------

_OPTIONS = {"encoding", "delimiter", "header_row", "sheet"}


def read_table(data: bytes, filename: str, **options: Any) -> SourceTable:
    """Read an uploaded file by what it holds: XLSX (a zip archive), vCard (``BEGIN:VCARD``
    or a .vcf name), else CSV. ``options`` are those of the readers (``encoding``,
    ``delimiter``, ``header_row``, ``sheet``); those that do not apply to the file are
    ignored, so a form can pass them all."""
    unknown = set(options) - _OPTIONS
    if unknown:
        raise TypeError(f"unknown read_table options: {', '.join(sorted(unknown))}")
    options = {name: value for name, value in options.items() if value is not None}
    _check_size(data)
    _check_signature(data)
    header_row = options.get("header_row", 1)
    if data.startswith(_ZIP):
        return read_xlsx(data, sheet=options.get("sheet"), header_row=header_row)
    text, encoding = decode(data, options.get("encoding"))
    if _VCARD.match(text) or filename.lower().endswith(_VCARD_EXTENSIONS):
        from tandem.io.vcard import read_vcards

        return read_vcards(data, encoding=options.get("encoding"))
    return _read_csv_text(text, encoding, options.get("delimiter"), header_row)
