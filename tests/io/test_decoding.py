"""Bytes → text: BOMs never reach the text, UTF-16 without BOM is recognised, UTF-8 is
preferred, legacy code pages are detected, an explicit encoding is obeyed or refused."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest

from tandem.io.decoding import decode
from tandem.io.rows import UnreadableFile

FILES = Path(__file__).parent / "files"


def junk(size: int) -> bytes:
    """Bytes as random as a binary file's, the same on every run."""
    blocks = (hashlib.sha256(str(n).encode()).digest() for n in range(size // 32 + 1))
    return b"".join(blocks)[:size]


FRENCH = "Prénom;Nom;Ville;Montant\nJérôme;Lefèvre;Besançon;1 234,50\nHélène;Dupré;Orléans;12,5\n"


def test_utf8_without_bom():
    assert decode(FRENCH.encode("utf-8")) == (FRENCH, "utf-8")


def test_the_utf8_bom_of_a_real_excel_file_never_reaches_the_text():
    data = (FILES / "C010a_utf8_bom_all_columns.csv").read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    text, encoding = decode(data)
    assert encoding == "utf-8"
    assert text.startswith("Display Name,Title,")


def test_utf16le_with_bom_of_a_real_google_export():
    text, encoding = decode((FILES / "C011b_google_csv_legacy_utf16le_bom.csv").read_bytes())
    assert encoding == "utf-16-le"
    assert text.startswith("Name,Given Name,")
    assert text.replace("\r\n", "\n") == (FILES / "C011a_google_csv_legacy.csv").read_text()


@pytest.mark.parametrize(
    ("bom", "codec", "expected"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8", "utf-8"),
    ],
)
def test_boms_decide_and_are_stripped(bom, codec, expected):
    assert decode(bom + FRENCH.encode(codec)) == (FRENCH, expected)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_bom_are_told_by_their_nul_bytes(codec):
    assert decode(FRENCH.encode(codec)) == (FRENCH, codec)


def test_a_real_utf16be_file_without_bom():
    text, encoding = decode((FILES / "C007a_utf16be_nobom.vcf").read_bytes())
    assert encoding == "utf-16-be"
    assert text.startswith("BEGIN:VCARD")
    assert "ĽdaMonté" in text


def test_windows_1252_from_french_excel():
    assert decode(FRENCH.encode("cp1252")) == (FRENCH, "cp1252")
    short = "Nom;Société\nŒuvre;«Éditions» – 2€\n"
    assert decode(short.encode("cp1252")) == (short, "cp1252")


def test_other_legacy_code_pages_through_charset_normalizer():
    russian = "Имя;Город\nИван;Москва\nПётр;Санкт-Петербург\n"
    assert decode(russian.encode("cp1251")) == (russian, "cp1251")
    japanese = "名前,都市\n田中,東京\n"
    assert decode(japanese.encode("shift_jis"))[0] == japanese


def test_utf8_is_preferred_when_it_decodes_strictly():
    # These bytes are also valid windows-1252 ("PrÃ©nom"): UTF-8 must win.
    assert decode("Prénom\nJérôme\n".encode())[1] == "utf-8"


def test_an_explicit_encoding_overrides_detection():
    data = "Nom\nDupré\n".encode("cp1252")
    assert decode(data, "latin-1") == ("Nom\nDupré\n", "iso8859-1")
    assert decode(b"Name\nBob\n", "windows-1252") == ("Name\nBob\n", "cp1252")
    assert decode(codecs.BOM_UTF8 + b"Name\n", "utf-8") == ("Name\n", "utf-8")
    assert decode(codecs.BOM_UTF16_BE + "Name\n".encode("utf-16-be"), "utf-16") == (
        "Name\n",
        "utf-16-be",
    )


def test_a_wrong_explicit_encoding_is_refused_naming_it():
    data = FRENCH.encode("cp1252")
    with pytest.raises(UnreadableFile, match="UTF-8"):
        decode(data, "UTF-8")
    with pytest.raises(UnreadableFile, match="utf-16"):
        decode(data, "utf-16")  # decodes to CJK soup without an invalid byte
    with pytest.raises(UnreadableFile, match="klingon"):
        decode(data, "klingon")


def test_binary_junk_is_not_text():
    with pytest.raises(UnreadableFile, match="binary"):
        decode(junk(4096))
    with pytest.raises(UnreadableFile, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
