"""Bytes → text for imported files.

Users bring files from Excel (UTF-8 with a BOM, or the Windows code page), from Google (UTF-16
with a BOM after a Windows program saved it), from macOS (UTF-16 without a BOM)… A BOM must
never reach the text: the first header would then be "\\ufeffName" and no mapping would match.
"""

from __future__ import annotations

import codecs
import unicodedata

import charset_normalizer
from charset_normalizer.md import mess_ratio
from django.utils.translation import gettext as _

from tandem.io.rows import UnreadableFile

# Longest first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SAMPLE = 4096
#: When charset-normalizer finds several code pages equally plausible (short files often decode
#: cleanly in all of them), windows-1252 wins: it is what Western European Windows and Excel
#: write, the likeliest origin of a legacy file brought to an English or French CRM.
_PREFERRED_LEGACY = "cp1252"
#: Control characters that plain text holds; any other one means the bytes are not text.
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1a")
_MAX_CONTROL_RATIO = 0.001
#: How much messier than the best candidate windows-1252 may look and still win: charset-normalizer
#: finds Mac code pages "cleaner" on short French text with guillemets or the euro sign.
_PREFERENCE_MARGIN = 0.1
#: An explicit encoding whose reading is this messy was the wrong one (UTF-16 read from
#: single-byte text gives CJK soup without any invalid byte).
_MAX_EXPLICIT_MESS = 0.5


def _python_name(encoding: str) -> str:
    return codecs.lookup(encoding).name


def _known_names(aliases: list[str]) -> set[str]:
    names = set()
    for alias in aliases:
        try:
            names.add(_python_name(alias))
        except LookupError:
            continue
    return names


def _bom(data: bytes) -> str | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def _nul_pattern(data: bytes) -> str | None:
    """UTF-16/32 without a BOM, recognised by where the NUL bytes fall: mostly-ASCII text in
    UTF-16 LE has a NUL after every character, in UTF-16 BE before it."""
    sample = data[: _SAMPLE - _SAMPLE % 4]
    if len(sample) < 2 or b"\x00" not in sample:
        return None
    quads = len(sample) // 4
    if quads:
        positions = [sample[offset::4][:quads].count(0) / quads for offset in range(4)]
        if positions[1] > 0.9 and positions[2] > 0.9 and positions[3] > 0.9 and positions[0] < 0.5:
            return "utf-32-le"
        if positions[0] > 0.9 and positions[1] > 0.9 and positions[2] > 0.9 and positions[3] < 0.5:
            return "utf-32-be"
    pairs = len(sample) // 2
    even = sample[0::2][:pairs].count(0) / pairs
    odd = sample[1::2][:pairs].count(0) / pairs
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _looks_like_text(text: str) -> bool:
    controls = sum(
        1
        for char in text[: _SAMPLE * 4]
        if char not in _TEXT_CONTROLS and unicodedata.category(char) == "Cc"
    )
    return controls <= _MAX_CONTROL_RATIO * min(len(text), _SAMPLE * 4)


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _decode_explicit(data: bytes, encoding: str) -> tuple[str, str]:
    try:
        name = _python_name(encoding)
    except LookupError:
        raise UnreadableFile(
            _("“%(encoding)s” is not an encoding Tandem knows.") % {"encoding": encoding}
        ) from None
    bom = _bom(data)
    if name in ("utf-16", "utf-32"):
        # No byte order given: take the BOM's, else the NUL pattern's, else little-endian.
        detected = bom if bom and bom.startswith(name) else _nul_pattern(data)
        name = detected if detected and detected.startswith(name) else f"{name}-le"
    elif name == "utf-8-sig":
        name = "utf-8"
    try:
        text = data.decode(name)
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            _(
                "The file cannot be read as %(encoding)s: the byte at position %(position)s is "
                "not valid in that encoding. Choose another encoding, or let Tandem detect it."
            )
            % {"encoding": encoding, "position": error.start}
        ) from None
    if not _looks_like_text(text) or mess_ratio(text[: _SAMPLE * 4], 1.0) > _MAX_EXPLICIT_MESS:
        raise UnreadableFile(
            _(
                "Read as %(encoding)s, the file does not look like text. Choose another "
                "encoding, or let Tandem detect it."
            )
            % {"encoding": encoding}
        )
    return _strip_bom(text), name


def _detect_legacy(data: bytes) -> tuple[str, str] | None:
    """The most plausible legacy code page: the least "messy" decoding, windows-1252 when it
    is about as clean as the best."""
    candidates: list[tuple[float, str, str]] = []
    for match in charset_normalizer.from_bytes(data):
        name = _python_name(match.encoding)
        if name.startswith(("utf-16", "utf-32")):
            continue  # handled by BOM and NUL detection, anything else here is a misreading
        if _PREFERRED_LEGACY in _known_names(match.could_be_from_charset):
            name = _PREFERRED_LEGACY
        candidates.append((match.chaos, name, str(match)))
    try:
        text = data.decode(_PREFERRED_LEGACY)
    except UnicodeDecodeError:
        pass
    else:
        best = min((chaos for chaos, _name, _text in candidates), default=1.0)
        if mess_ratio(text[: _SAMPLE * 4], 1.0) <= best + _PREFERENCE_MARGIN:
            return text, _PREFERRED_LEGACY
    if not candidates:
        return None
    _chaos, name, text = min(candidates, key=lambda candidate: candidate[0])
    return text, name


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode an imported file; return the text (without BOM) and the encoding's Python name.

    An explicit ``encoding`` is obeyed, and refused with a translated message when the bytes
    do not decode with it. Otherwise: a BOM decides, then the NUL pattern of UTF-16/32 without
    BOM, then strict UTF-8 (a file that decodes as UTF-8 almost surely is), then the legacy
    code pages charset-normalizer finds plausible.
    """
    if encoding:
        return _decode_explicit(data, encoding)
    name = _bom(data) or _nul_pattern(data)
    if name:
        try:
            return _strip_bom(data.decode(name)), name
        except UnicodeDecodeError:
            pass  # a coincidence of bytes: fall through to the other detections
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        found = None if b"\x00" in data else _detect_legacy(data)
    else:
        found = (_strip_bom(text), "utf-8")
    if found is None or not _looks_like_text(found[0]):
        raise UnreadableFile(
            _(
                "This file does not contain text in an encoding Tandem recognises: it may be "
                "a binary file. Import a CSV, XLSX or vCard file."
            )
        )
    return found
