"""A tolerant vCard 2.1 / 3.0 / 4.0 reader.

Real address-book exports break the specifications in many small ways (Android quoted-printable
with soft line breaks, Outlook's indented base64 blocks, iPhone's CR CR LF line endings, raw
legacy-code-page bytes, UTF-16 without a BOM…), and strict parsers such as vobject give up on
whole files because of them. This reader works on bytes, decodes every property with its own
charset, and turns each card into a row whose keys are already import targets, so that one bad
card or one bad property costs a warning, never the file.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import io
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

from tandem.io.rows import SourceRow, SourceTable, UnreadableFile

__all__ = ["COLUMNS", "column_label", "read_vcards"]

#: Row keys in the order the contract gives them; ``SourceTable.columns`` keeps this order.
COLUMNS: tuple[str, ...] = (
    "prefix",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "nickname",
    "full_name",
    "organisation",
    "department",
    "title",
    "email",
    "extra_emails",
    "phones",
    "billing_address",
    "shipping_address",
    "website",
    "birthday",
    "description",
    "properties",
    "photo",
    "is_company",
    "uid",
)

#: What a user reads for each row key: the card's part, and the vCard property it comes from.
COLUMN_LABELS = {
    "prefix": gettext_lazy("Name prefix (N)"),
    "first_name": gettext_lazy("Given name (N)"),
    "middle_name": gettext_lazy("Additional names (N)"),
    "last_name": gettext_lazy("Family name (N)"),
    "suffix": gettext_lazy("Name suffix (N)"),
    "nickname": gettext_lazy("Nickname (NICKNAME)"),
    "full_name": gettext_lazy("Full name (FN)"),
    "organisation": gettext_lazy("Organisation (ORG)"),
    "department": gettext_lazy("Department (ORG)"),
    "title": gettext_lazy("Job title (TITLE)"),
    "email": gettext_lazy("E-mail (EMAIL)"),
    "extra_emails": gettext_lazy("Other e-mail addresses (EMAIL)"),
    "phones": gettext_lazy("Phones (TEL)"),
    "billing_address": gettext_lazy("Work or first address (ADR)"),
    "shipping_address": gettext_lazy("Home or second address (ADR)"),
    "website": gettext_lazy("Website (URL)"),
    "birthday": gettext_lazy("Birthday (BDAY)"),
    "description": gettext_lazy("Note (NOTE)"),
    "properties": gettext_lazy("Categories (CATEGORIES)"),
    "photo": gettext_lazy("Photo (PHOTO)"),
    "is_company": gettext_lazy("Company card (KIND, X-ABShowAs)"),
    "uid": gettext_lazy("Identifier (UID)"),
}


def column_label(table_format: str, column: str) -> str:
    """The name to show for a column: a vCard row key's label, a file's own header as is."""
    if table_format == "vcf" and column in COLUMN_LABELS:
        return str(COLUMN_LABELS[column])
    return column


# CR CR LF (iPhone), CR LF, LF and a lone CR are each one line break.
_LINE_BREAK = re.compile(rb"\r*\n|\r")
_BEGIN = b"BEGIN:VCARD"
_END = b"END:VCARD"
_VERSION_LINE = re.compile(rb"^\s*VERSION\s*:\s*([0-9.]+)", re.IGNORECASE)
_AGENT_OPEN = re.compile(rb"^(?:[A-Za-z0-9-]+\.)?AGENT\b[^:]*:\s*$", re.IGNORECASE)
_BASE64_LINE = re.compile(rb"[A-Za-z0-9+/=]+")
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
_DATE = re.compile(r"(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})")
_YEARLESS_DATE = re.compile(r"--(\d{2})-?(\d{2})")

# Property names a line must start with (upper case) to end a quoted-printable value whose last
# line wrongly ends in "=": without this, a writer's bug would swallow the rest of the card.
_PROPERTY_START = re.compile(
    rb"^(?:[A-Za-z0-9-]+\.)?(?:ADR|AGENT|ANNIVERSARY|BDAY|CATEGORIES|CLASS|EMAIL|FN|GENDER|GEO"
    rb"|IMPP|KEY|KIND|LABEL|LANG|LOGO|MAILER|N|NICKNAME|NOTE|ORG|PHOTO|PRODID|REV|ROLE|SOUND"
    rb"|SOURCE|TEL|TITLE|TZ|UID|URL|VERSION|X-[A-Z0-9-]+)[;:]"
)

_ENCODING_WORDS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})
_WIDE_CODECS = ("utf-16", "utf-32")
# Properties that describe the file rather than the contact, or that we consume as labels.
_SILENT = frozenset({"VERSION", "PRODID", "REV", "X-ABLABEL"})
_MAX_PHOTO_BYTES = 10 * 1024 * 1024
_MAX_PHOTO_PIXELS = 40_000_000
_ADDRESS_PARTS = ("po_box", "extended", "street", "city", "region", "postal_code", "country")


@dataclass
class _Context:
    """What holds for the whole file: how property bytes are to be decoded."""

    default_charset: str
    explicit_default: bool
    wide: bool  # the file was UTF-16/32 and has been re-encoded to UTF-8 bytes


@dataclass
class _Card:
    line: int
    lines: list[tuple[int, bytes]] = field(default_factory=list)
    terminated: bool = False


@dataclass
class _Property:
    line: int
    group: str
    name: str
    params: dict[str, list[str]]
    raw: bytes

    def param(self, key: str) -> list[str]:
        return self.params.get(key, [])

    @property
    def encoding(self) -> str:
        values = self.param("ENCODING")
        return values[0].upper() if values else ""

    @property
    def is_qp(self) -> bool:
        return self.encoding == "QUOTED-PRINTABLE"

    @property
    def is_base64(self) -> bool:
        return self.encoding in ("B", "BASE64")

    @property
    def types(self) -> set[str]:
        return {value.strip().upper() for value in self.param("TYPE") if value.strip()}

    def pref_rank(self) -> int | None:
        """vCard 4.0 ``PREF=n`` (1 is the most preferred) or 2.1/3.0 ``TYPE=pref``."""
        ranks = []
        for value in self.param("PREF"):
            try:
                ranks.append(int(value))
            except ValueError:
                ranks.append(1)
        if "PREF" in self.types:
            ranks.append(1)
        return min(ranks) if ranks else None


def read_vcards(data: bytes, encoding: str | None = None) -> SourceTable:
    """Read every card of a vCard file into one row each.

    ``encoding`` is the charset for properties that declare none (UTF-8 when not given); a
    ``CHARSET`` parameter always wins because old writers mix code pages within one file.
    Raises :class:`UnreadableFile` when the data holds no ``BEGIN:VCARD`` at all.
    """
    table_warnings: list[str] = []
    data, context, detected = _prepare(data, encoding, table_warnings)
    lines = _physical_lines(data)
    cards, stray = _split_cards(lines)
    if not cards:
        raise UnreadableFile(_("This is not a vCard file: it holds no BEGIN:VCARD line."))
    if stray:
        table_warnings.append(
            _("Lines outside any card were ignored (%(count)d, the first at line %(line)d).")
            % {"count": len(stray), "line": stray[0]}
        )
    rows: list[SourceRow] = []
    ignored: dict[str, None] = {}
    for card in cards:
        rows.append(_read_card_safely(card, context, ignored))
    if ignored:
        table_warnings.append(
            _("Ignored vCard properties: %(names)s.") % {"names": ", ".join(ignored)}
        )
    present = {key for row in rows for key in row.values}
    return SourceTable(
        format="vcf",
        columns=[key for key in COLUMNS if key in present],
        rows=rows,
        encoding=detected,
        warnings=table_warnings,
    )


# --- bytes, encodings and lines --------------------------------------------------------------


def _prepare(
    data: bytes, encoding: str | None, table_warnings: list[str]
) -> tuple[bytes, _Context, str]:
    """Strip a BOM and turn UTF-16/32 files into UTF-8 bytes, so that the line and property
    logic below only ever sees an ASCII-compatible byte stream."""
    requested = None
    if encoding:
        if not _usable_codec(encoding):
            raise UnreadableFile(_("Unknown encoding: %(encoding)s.") % {"encoding": encoding})
        requested = codecs.lookup(encoding).name
    wide = None
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            data = data[len(bom) :]
            if codec == "utf-8":
                requested = "utf-8"  # a BOM is unambiguous, whatever the caller guessed
            else:
                wide = codec
            break
    else:
        # NULs on every other byte are unambiguous too: no 8-bit vCard looks like that.
        wide = _sniff_utf16(data)
        if wide is None and requested and requested.startswith(_WIDE_CODECS):
            # No BOM and no NUL pattern: little-endian, as the codecs themselves assume.
            wide = requested if requested.endswith(("-le", "-be")) else requested + "-le"
    if wide is not None:
        requested = None
    if wide is not None:
        try:
            text = data.decode(wide)
        except UnicodeDecodeError:
            text = data.decode(wide, "replace")
            table_warnings.append(
                _("The file is not valid %(encoding)s; undecodable bytes were replaced.")
                % {"encoding": wide.upper()}
            )
        context = _Context(default_charset="utf-8", explicit_default=True, wide=True)
        return text.lstrip("\ufeff").encode("utf-8"), context, wide
    charset = requested or "utf-8"
    context = _Context(default_charset=charset, explicit_default=encoding is not None, wide=False)
    return data, context, charset


def _usable_codec(name: str) -> bool:
    """A text codec Python knows: refuses unknown names, NUL bytes in the name and bytes-to-bytes
    codecs such as "base64" (a CHARSET value comes from the file)."""
    try:
        b"a".decode(name)
    except UnicodeDecodeError:
        return True  # a real text codec that needs more than one byte
    except (LookupError, ValueError):
        return False
    return True


def _sniff_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as NUL bytes on every other position (vCard text is mostly
    ASCII): NULs first means big-endian, NULs second little-endian."""
    sample = data[:4000]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0 : pairs * 2 : 2].count(0)
    odd = sample[1 : pairs * 2 : 2].count(0)
    if even > pairs * 0.3 and odd < pairs * 0.05:
        return "utf-16-be"
    if odd > pairs * 0.3 and even < pairs * 0.05:
        return "utf-16-le"
    return None


def _physical_lines(data: bytes) -> list[tuple[int, bytes]]:
    """Numbered lines, without their breaks and without BOMs (concatenated exports carry one per
    original file)."""
    result = []
    for number, line in enumerate(_LINE_BREAK.split(data), start=1):
        while line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
        result.append((number, line))
    return result


def _split_cards(lines: list[tuple[int, bytes]]) -> tuple[list[_Card], list[int]]:
    """Cut the file at BEGIN/END lines. A BEGIN inside an open card closes it (its END is
    missing) unless it opens a 2.1 AGENT card, which stays inside its parent."""
    cards: list[_Card] = []
    stray: list[int] = []
    current: _Card | None = None
    depth = 0
    for number, raw in lines:
        marker = raw.strip().upper()
        if marker == _BEGIN:
            if current is not None and (depth or _opens_agent(current.lines)):
                depth += 1
                current.lines.append((number, raw))
                continue
            if current is not None:
                cards.append(current)
            current = _Card(line=number)
            depth = 0
        elif marker == _END:
            if current is None:
                stray.append(number)
            elif depth:
                depth -= 1
                current.lines.append((number, raw))
            else:
                current.terminated = True
                cards.append(current)
                current = None
        elif current is not None:
            current.lines.append((number, raw))
        elif marker:
            stray.append(number)
    if current is not None:
        cards.append(current)
    return cards, stray


def _opens_agent(lines: list[tuple[int, bytes]]) -> bool:
    for _number, raw in reversed(lines):
        if raw.strip():
            return bool(_AGENT_OPEN.match(raw))
    return False


def _card_version(card: _Card) -> str:
    for _number, raw in card.lines:
        match = _VERSION_LINE.match(raw)
        if match:
            return match.group(1).decode("ascii")
    return "3.0"


def _unfold(card: _Card, old_style: bool, row_warnings: list[str]) -> list[_Property]:
    """Join physical lines into properties.

    A line starting with a space or tab continues the previous one (3.0/4.0 drop one
    whitespace character, 2.1 writers indent with several). A quoted-printable value ending in
    ``=`` continues on the next line even without indentation, except on an empty line, which
    ends it. An empty line also ends a 2.1 base64 block.
    """
    properties: list[_Property] = []
    current: _Property | None = None
    chunks: list[bytes] = []  # the value's pieces, joined once (photos have thousands of lines)
    depth = 0

    def finish() -> None:
        nonlocal current
        if current is not None:
            current.raw = b"".join(chunks)
            properties.append(current)
            current = None

    for number, raw in card.lines:
        marker = raw.strip().upper()
        if depth or marker == _BEGIN:  # a nested AGENT card: not imported
            depth += (marker == _BEGIN) - (marker == _END)
            finish()
            continue
        if current is not None and current.is_qp and _drop_soft_break(chunks, dry_run=True):
            if not raw.strip():
                finish()
                continue
            if not _PROPERTY_START.match(raw):
                _drop_soft_break(chunks)
                chunks.append(raw)
                continue
        if raw[:1] in (b" ", b"\t"):
            if current is not None:
                chunks.append(raw.lstrip(b" \t") if old_style else raw[1:])
            elif raw.strip():
                row_warnings.append(
                    _("Line %(line)d: a continuation line without a property was ignored.")
                    % {"line": number}
                )
            continue
        if not raw.strip():
            finish()
            continue
        if (
            current is not None
            and current.is_base64
            and b":" not in raw
            and _BASE64_LINE.fullmatch(raw.strip())
        ):
            chunks.append(raw.strip())  # an unindented base64 line (old phones)
            continue
        finish()
        current = _parse_property_line(number, raw)
        if current is None:
            row_warnings.append(
                _("Line %(line)d: not a vCard property, ignored.") % {"line": number}
            )
        else:
            chunks = [current.raw]
    finish()
    return properties


def _drop_soft_break(chunks: list[bytes], dry_run: bool = False) -> bool:
    """Whether the value ends in a quoted-printable soft break ``=`` (trailing blanks aside);
    unless ``dry_run``, remove it so that the next line can be appended."""
    for index in range(len(chunks) - 1, -1, -1):
        stripped = chunks[index].rstrip(b" \t")
        if stripped:
            if not stripped.endswith(b"="):
                return False
            if not dry_run:
                chunks[index:] = [stripped[:-1]]
            return True
    return False


def _parse_property_line(number: int, raw: bytes) -> _Property | None:
    colon = _find_unquoted(raw, ord(":"))
    if colon is None:
        return None
    header = raw[:colon].decode("utf-8", "replace")
    parts = _split_unquoted(header, ";")
    group, _dot, name = parts[0].strip().rpartition(".")
    name = name.strip().upper()
    if not name:
        return None
    params: dict[str, list[str]] = {}
    for part in parts[1:]:
        part = part.strip()
        if not part:
            continue
        key, equals, value = part.partition("=")
        key = key.strip().upper()
        if not equals:  # a 2.1 bare parameter: TEL;CELL;PREF, PHOTO;BASE64
            params.setdefault("ENCODING" if key in _ENCODING_WORDS else "TYPE", []).append(key)
            continue
        value = value.strip()
        if key == "TYPE":
            values = [v.strip() for v in value.replace('"', "").split(",")]
        else:
            values = [value[1:-1] if len(value) > 1 and value[0] == value[-1] == '"' else value]
        params.setdefault(key, []).extend(v for v in values if v)
    return _Property(
        line=number, group=group.strip().upper(), name=name, params=params, raw=raw[colon + 1 :]
    )


def _find_unquoted(raw: bytes, char: int) -> int | None:
    quoted = False
    for index, byte in enumerate(raw):
        if byte == 0x22:
            quoted = not quoted
        elif byte == char and not quoted:
            return index
    return None


def _split_unquoted(text: str, separator: str) -> list[str]:
    parts, start, quoted = [], 0, False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


# --- values ----------------------------------------------------------------------------------


def _decode_qp(raw: bytes) -> bytes:
    """Quoted-printable without surprises: ``=XX`` is a byte, a trailing ``=`` is a soft break,
    anything else (a stray ``=``) is kept as written."""
    out = bytearray()
    index, length = 0, len(raw)
    while index < length:
        byte = raw[index]
        if byte == 0x3D:  # "="
            pair = raw[index + 1 : index + 3]
            if len(pair) == 2 and all(chr(b) in "0123456789abcdefABCDEF" for b in pair):
                out.append(int(pair, 16))
                index += 3
                continue
            if not raw[index + 1 :].strip():
                break
        out.append(byte)
        index += 1
    return bytes(out)


def _decode_base64(raw: bytes) -> bytes:
    """Strict base64 (whitespace from folding removed): a value with a wrong length is corrupt
    and must not produce a half image."""
    return base64.b64decode(b"".join(raw.split()), validate=True)


_UNESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", ":": ":", "\\": "\\"}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in _UNESCAPES:
            out.append(_UNESCAPES[text[index + 1]])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _split_escaped(text: str, separator: str) -> list[str]:
    """Split on separators not preceded by a backslash, keeping the escapes for _unescape."""
    parts, current, index = [], [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append(text[index : index + 2])
            index += 2
            continue
        if char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def _clean_label(label: str) -> str:
    match = _APPLE_LABEL.match(label.strip())
    return (match.group(1) if match else label).strip()


class _CardReader:
    """Turns one card's properties into row values and warnings."""

    def __init__(self, card: _Card, context: _Context, ignored: dict[str, None]) -> None:
        self.card = card
        self.context = context
        self.ignored = ignored
        self.version = _card_version(card)
        self.warnings: list[str] = []
        self.values: dict[str, Any] = {}

    def read(self) -> SourceRow:
        if not self.card.terminated:
            self.warnings.append(_("The card has no END:VCARD line; the file may be truncated."))
        properties = _unfold(self.card, self.version.startswith("2"), self.warnings)
        labels = {
            prop.group: _clean_label(self.text(prop))
            for prop in properties
            if prop.name == "X-ABLABEL" and prop.group
        }
        by_name: dict[str, list[_Property]] = {}
        for prop in properties:
            by_name.setdefault(prop.name, []).append(prop)
        handlers = {
            "N": self.read_name,
            "FN": self.read_full_name,
            "NICKNAME": self.read_nickname,
            "ORG": self.read_organisation,
            "TITLE": self.read_title,
            "EMAIL": self.read_emails,
            "TEL": lambda props: self.read_phones(props, labels),
            "ADR": self.read_addresses,
            "URL": self.read_websites,
            "BDAY": self.read_birthday,
            "NOTE": self.read_notes,
            "CATEGORIES": self.read_categories,
            "PHOTO": self.read_photo,
            "LOGO": self.read_photo,
            "UID": self.read_uid,
        }
        for name, props in by_name.items():
            handler = handlers.get(name)
            if handler is not None:
                if name != "LOGO" or "photo" not in self.values:
                    handler(props)
            elif name not in _SILENT and name not in ("X-ABSHOWAS", "KIND"):
                self.ignored.setdefault(name, None)
        self.read_company(by_name)
        if not self.values and self.card.terminated:
            self.warnings.append(_("The card holds no contact data."))
        values = {key: self.values[key] for key in COLUMNS if key in self.values}
        return SourceRow(line=self.card.line, values=values, warnings=self.warnings)

    # -- decoding --

    def text(self, prop: _Property) -> str:
        """The property's value as text: transfer encoding undone, charset applied, line
        breaks normalised (escapes are left for the structure-aware callers)."""
        raw = prop.raw
        if prop.is_qp:
            raw = _decode_qp(raw)
        elif prop.is_base64:
            try:
                raw = _decode_base64(raw)
            except (binascii.Error, ValueError):
                self.warnings.append(
                    _("Line %(line)d: the base64 value of %(property)s is corrupt.")
                    % {"line": prop.line, "property": prop.name}
                )
        declared = prop.param("CHARSET")
        if self.context.wide and not prop.is_qp:
            declared = []  # the file's own encoding has been applied already
        charset = declared[0] if declared else self.context.default_charset
        explicit = bool(declared) or self.context.explicit_default
        if not _usable_codec(charset):
            self.warnings.append(
                _("Line %(line)d: unknown charset %(charset)s, read as %(default)s.")
                % {"line": prop.line, "charset": charset, "default": self.context.default_charset}
            )
            charset = self.context.default_charset
        try:
            text = raw.decode(charset)
        except UnicodeDecodeError:
            if explicit:
                text = raw.decode(charset, "replace")
                self.warnings.append(
                    _(
                        "Line %(line)d: %(property)s is not valid %(charset)s; undecodable "
                        "bytes were replaced."
                    )
                    % {"line": prop.line, "property": prop.name, "charset": charset}
                )
            else:
                text = raw.decode("windows-1252", "replace")
                self.warnings.append(
                    _(
                        "Line %(line)d: %(property)s is not valid UTF-8 and declares no "
                        "charset; it was read as windows-1252."
                    )
                    % {"line": prop.line, "property": prop.name}
                )
        # NUL is never meant in a vCard text and databases refuse it.
        return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")

    def simple(self, prop: _Property) -> str:
        return _unescape(self.text(prop)).strip()

    def first_simple(self, props: Iterable[_Property]) -> str:
        for prop in props:
            value = self.simple(prop)
            if value:
                return value
        return ""

    # -- properties --

    def read_name(self, props: list[_Property]) -> None:
        components = _split_escaped(self.text(props[0]), ";")
        keys = ("last_name", "first_name", "middle_name", "prefix", "suffix")
        for key, component in zip(keys, components, strict=False):
            pieces = [component] if self.version.startswith("2") else _split_escaped(component, ",")
            value = " ".join(p for p in (_unescape(piece).strip() for piece in pieces) if p)
            if value:
                self.values[key] = value

    def read_full_name(self, props: list[_Property]) -> None:
        if value := self.first_simple(props):
            self.values["full_name"] = value

    def read_nickname(self, props: list[_Property]) -> None:
        if value := self.first_simple(props):
            self.values["nickname"] = value

    def read_title(self, props: list[_Property]) -> None:
        if value := self.first_simple(props):
            self.values["title"] = value

    def read_uid(self, props: list[_Property]) -> None:
        if value := self.first_simple(props):
            self.values["uid"] = value

    def read_organisation(self, props: list[_Property]) -> None:
        seen: list[tuple[str, str]] = []
        for prop in props:
            parts = [_unescape(part).strip() for part in _split_escaped(self.text(prop), ";")]
            name, department = parts[0], ", ".join(p for p in parts[1:] if p)
            if (name or department) and (name, department) not in seen:
                seen.append((name, department))
        if not seen:
            return
        name, department = seen[0]
        if name:
            self.values["organisation"] = name
        if department:
            self.values["department"] = department
        if len(seen) > 1:
            self.warnings.append(
                _("Only the first organisation was kept; ignored: %(names)s.")
                % {"names": ", ".join(other for other, _dept in seen[1:])}
            )

    def read_emails(self, props: list[_Property]) -> None:
        found: list[tuple[str, int | None]] = []
        for prop in props:
            value = self.simple(prop)
            if value.lower().startswith("mailto:"):
                value = value[len("mailto:") :].strip()
            if value:
                found.append((value, prop.pref_rank()))
        if not found:
            return
        ranked = [item for item in found if item[1] is not None]
        main = min(ranked, key=lambda item: item[1])[0] if ranked else found[0][0]
        self.values["email"] = main
        extra: list[str] = []
        seen = {main.casefold()}
        for value, _rank in found:
            if value.casefold() not in seen:
                seen.add(value.casefold())
                extra.append(value)
        if extra:
            self.values["extra_emails"] = extra

    def read_phones(self, props: list[_Property], labels: dict[str, str]) -> None:
        phones: list[dict[str, Any]] = []
        ranks: list[int | None] = []
        for prop in props:
            number = _unescape(self.text(prop)).strip()
            extension = ""
            if number.lower().startswith("tel:"):
                number, *uri_params = number[4:].split(";")
                number = unquote(number).strip()
                for uri_param in uri_params:
                    key, _eq, value = uri_param.partition("=")
                    if key.strip().lower() == "ext":
                        extension = unquote(value).strip()
            if not number:
                continue
            label = labels.get(prop.group, "") if prop.group else ""
            phone: dict[str, Any] = {
                "kind": _phone_kind(prop.types, label),
                "number": number,
                "primary": False,
            }
            if extension:
                phone["extension"] = extension
            if label:
                phone["label"] = label
            if any(_same_phone(phone, other) for other in phones):
                continue
            phones.append(phone)
            ranks.append(prop.pref_rank())
        if not phones:
            return
        ranked = [(rank, index) for index, rank in enumerate(ranks) if rank is not None]
        if ranked:
            phones[min(ranked)[1]]["primary"] = True
        self.values["phones"] = phones

    def read_addresses(self, props: list[_Property]) -> None:
        typed: list[tuple[str, int, dict[str, str]]] = []
        untyped: list[dict[str, str]] = []
        for order, prop in enumerate(props):
            parts = [_unescape(part).strip() for part in _split_escaped(self.text(prop), ";")]
            address = {
                key: value for key, value in zip(_ADDRESS_PARTS, parts, strict=False) if value
            }
            if not address:
                continue
            types = prop.types
            rank = prop.pref_rank()
            sort_key = (rank if rank is not None else 1000) * 1000 + order
            if "WORK" in types:
                typed.append(("billing_address", sort_key, address))
            elif "HOME" in types:
                typed.append(("shipping_address", sort_key, address))
            else:
                untyped.append(address)
        dropped = 0
        for key, _sort_key, address in sorted(typed, key=lambda item: item[1]):
            if key in self.values:
                dropped += 1
            else:
                self.values[key] = address
        for address in untyped:
            free = [k for k in ("billing_address", "shipping_address") if k not in self.values]
            if free:
                self.values[free[0]] = address
            else:
                dropped += 1
        if dropped:
            self.warnings.append(
                _("%(count)d further address(es) could not be placed and were ignored.")
                % {"count": dropped}
            )

    def read_websites(self, props: list[_Property]) -> None:
        urls: list[str] = []
        for prop in props:
            value = self.simple(prop)
            if value and value not in urls:
                urls.append(value)
        if urls:
            self.values["website"] = urls[0]
        if len(urls) > 1:
            self.warnings.append(
                _("Only the first web address was kept; ignored: %(urls)s.")
                % {"urls": ", ".join(urls[1:])}
            )

    def read_birthday(self, props: list[_Property]) -> None:
        prop = props[0]
        value = self.simple(prop)
        if not value:
            return
        birthday = _parse_birthday(value, prop.param("X-APPLE-OMIT-YEAR"))
        if birthday is None:
            self.warnings.append(
                _("Line %(line)d: the birthday %(value)s is not a date; it was left out.")
                % {"line": prop.line, "value": value}
            )
        else:
            self.values["birthday"] = birthday

    def read_notes(self, props: list[_Property]) -> None:
        notes: list[str] = []
        for prop in props:
            note = _unescape(self.text(prop))
            if note.strip() and note not in notes:
                notes.append(note)
        if notes:
            self.values["description"] = "\n\n".join(notes)

    def read_categories(self, props: list[_Property]) -> None:
        tags: list[str] = []
        for prop in props:
            for piece in _split_escaped(self.text(prop), ","):
                tag = _unescape(piece).strip()
                if tag and tag not in tags:
                    tags.append(tag)
        if tags:
            self.values["properties"] = tags

    def read_photo(self, props: list[_Property]) -> None:
        for prop in props:
            data = self.photo_bytes(prop)
            if data is None:
                continue
            problem = _image_problem(data)
            if problem is None:
                self.values["photo"] = data
                return
            self.warnings.append(
                _("Line %(line)d: the picture was left out: %(problem)s")
                % {"line": prop.line, "problem": problem}
            )

    def photo_bytes(self, prop: _Property) -> bytes | None:
        raw = prop.raw.strip()
        if not raw:
            return None
        try:
            if prop.is_base64:
                return _decode_base64(raw)
            if raw[:5].lower() == b"data:":
                header, comma, payload = raw[5:].partition(b",")
                if not comma:
                    raise ValueError("no data")
                if header.lower().endswith(b";base64"):
                    return _decode_base64(payload)
                return unquote_to_bytes(payload)
        except (binascii.Error, ValueError):
            self.warnings.append(
                _("Line %(line)d: the picture was left out: its base64 data is corrupt.")
                % {"line": prop.line}
            )
            return None
        if [v for v in prop.param("VALUE") if v.lower() in ("uri", "url")] or b"://" in raw[:12]:
            self.warnings.append(
                _("Line %(line)d: the picture is a link; it was not downloaded.")
                % {"line": prop.line}
            )
            return None
        try:  # some writers leave out ENCODING=b
            return _decode_base64(raw)
        except (binascii.Error, ValueError):
            self.warnings.append(
                _("Line %(line)d: the picture was left out: its data is not readable.")
                % {"line": prop.line}
            )
            return None

    def read_company(self, by_name: dict[str, list[_Property]]) -> None:
        show_as = {self.simple(p).upper() for p in by_name.get("X-ABSHOWAS", [])}
        kind = {self.simple(p).lower() for p in by_name.get("KIND", [])}
        organisation = self.values.get("organisation", "")
        person_keys = ("prefix", "first_name", "middle_name", "last_name", "suffix", "full_name")
        has_person_name = any(self.values.get(key) for key in person_keys)
        full_name = self.values.get("full_name", "")
        if (
            "COMPANY" in show_as
            or "org" in kind
            or (organisation and not has_person_name)
            or (organisation and full_name.casefold() == organisation.casefold())
        ):
            self.values["is_company"] = True


def _same_phone(phone: dict[str, Any], other: dict[str, Any]) -> bool:
    return all(phone.get(key) == other.get(key) for key in ("kind", "number", "extension"))


def _phone_kind(types: set[str], label: str) -> str:
    """Our phone kinds from vCard TYPEs (any FAX wins, then PAGER, CELL, HOME, WORK), else from an
    Apple label such as ``_$!<Mobile>!$_``."""
    if "FAX" in types:
        return "fax"
    if "PAGER" in types:
        return "pager"
    if types & {"CELL", "MOBILE", "IPHONE"}:
        return "mobile"
    if "HOME" in types:
        return "home"
    if "WORK" in types:
        return "work"
    lowered = label.lower()
    for word, kind in (
        ("fax", "fax"),
        ("pager", "pager"),
        ("mobile", "mobile"),
        ("iphone", "mobile"),
        ("cell", "mobile"),
        ("home", "home"),
        ("work", "work"),
    ):
        if word in lowered:
            return kind
    return "other"


def _parse_birthday(value: str, omit_year: list[str]) -> tuple[int | None, int, int] | None:
    """``(year, month, day)``; the year is None for ``--MMDD`` (4.0) and for Apple's
    ``X-APPLE-OMIT-YEAR`` placeholder year, so no year is ever invented."""
    text = value.strip()
    if "T" in text[1:]:
        text = text[: text.index("T", 1)]
    year: int | None
    match = _YEARLESS_DATE.fullmatch(text)
    if match:
        year, month, day = None, int(match.group(1)), int(match.group(2))
    else:
        match = _DATE.fullmatch(text)
        if not match:
            return None
        year, month, day = (int(group) for group in match.groups())
        if omit_year and omit_year[0].strip() == match.group(1):
            year = None
    try:
        date(year if year is not None else 2000, month, day)  # 2000: 29 February is valid
    except ValueError:
        return None
    return (year, month, day)


def _image_problem(data: bytes) -> str | None:
    """Why the bytes are not a picture we may store (None when Pillow can fully load them):
    a truncated or fake image must never be stored and served."""
    if len(data) > _MAX_PHOTO_BYTES:
        return _("the picture is too large.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > _MAX_PHOTO_PIXELS:
                    return _("the picture is too large.")
                image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return _("the picture is too large.")
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError… on broken data
        return _("the data is not a readable picture.")
    return None


def _read_card_safely(card: _Card, context: _Context, ignored: dict[str, None]) -> SourceRow:
    """One card's row; an unexpected failure becomes a row with a warning, so that the rest
    of the file is still read."""
    try:
        return _CardReader(card, context, ignored).read()
    except Exception as error:  # a tolerant reader must not lose the file for one card
        message = _("This card could not be read: %(error)s") % {"error": error}
        return SourceRow(line=card.line, values={}, warnings=[message])
