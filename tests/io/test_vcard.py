"""The vCard reader on real exports (tests/io/files, provenance in its README.md) and on small
broken inputs: the exact decoded values the import cases C001–C008a ask for."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from PIL import Image

from tandem.io.rows import SourceTable, UnreadableFile
from tandem.io.vcard import COLUMNS, read_vcards

FILES = Path(__file__).parent / "files"
N = "Ñ"


@pytest.fixture(autouse=True)
def _english():
    """Warnings are matched on their English text."""
    with translation.override("en"):
        yield


def read(name: str) -> SourceTable:
    return read_vcards((FILES / name).read_bytes())


def strings(value: Any) -> list[str]:
    """Every text inside a row value, to check what must never reach the data."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in strings(item)]
    return []


def all_strings(table: SourceTable) -> list[str]:
    return [s for row in table for s in strings(row.values)]


def image(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


def png(size: tuple[int, int] = (3, 2)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, format="PNG")
    return out.getvalue()


def card(*lines: str, end: bool = True) -> str:
    body = ["BEGIN:VCARD", *lines] + (["END:VCARD"] if end else [])
    return "\r\n".join(body) + "\r\n"


# --- C001: Android 2.1, quoted-printable, soft line breaks ----------------------------------


def test_c001_android_v21_qp_multicard():
    table = read("C001_android_v21_qp_multicard.vcf")
    assert table.format == "vcf"
    assert [row.line for row in table] == [1, 6, 11, 18, 36, 71]
    one, two, three, four, five, six = table.rows

    # Cards 1–2: e-mail only, no name: kept as rows for the importer's policy.
    assert one.values == {"email": "john.doe@example.com", "properties": ["My Contacts"]}
    assert two.values == {"email": "jane.doe@example.com", "properties": ["My Contacts"]}

    # Card 3: the trailing "=20" of the last name is trimmed.
    assert three.values["last_name"] == "Ñ Ñ Ñ Ñ"
    assert "first_name" not in three.values
    assert three.values["phones"] == [{"kind": "mobile", "number": "123456789", "primary": True}]

    # Card 4: N and FN continue after a soft line break (no leading space).
    assert four.values["last_name"] == "Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ"
    assert four.values["full_name"] == "Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ"
    assert [(p["kind"], p["number"]) for p in four.values["phones"]] == [
        ("mobile", "123456"),
        ("home", "234567"),
        ("mobile", "3456789"),
        ("home", "45678901"),
    ]
    assert [p["primary"] for p in four.values["phones"]] == [True, False, False, False]
    # The two identical QP notes, decoded (soft breaks join "Ñ" and "Ñ"), kept once.
    note = four.values["description"]
    assert note == "Ñ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ "
    assert "=C3=91" not in note

    # Card 5: bad second e-mail kept raw, one organisation for two identical ORG lines,
    # URL as typed, corrupt 2.1 photo → a warning and no photo.
    assert five.values["last_name"] == "Ñ Ñ"
    assert five.values["first_name"] == "Ñ Ñ Ñ"
    assert five.values["email"] == "bob@example.com"
    assert five.values["extra_emails"] == [N * 14]
    assert five.values["organisation"] == N * 12
    assert "department" not in five.values
    assert five.values["website"] == "www.example.com"
    assert "photo" not in five.values
    assert any("Line 52" in w and "picture" in w for w in five.warnings)
    assert not any("organisation" in w for w in five.warnings)
    assert [(p["kind"], p["primary"]) for p in five.values["phones"]] == [
        ("mobile", True),
        ("work", False),
        ("fax", False),
    ]

    # Card 6: "=" then an empty line ends each ORG; the lone 0x80 is replaced with a warning.
    assert six.values["organisation"] == N * 44
    assert six.values["email"] == "henry@example.com"
    assert six.values["phones"] == [{"kind": "mobile", "number": "55556666", "primary": True}]
    assert six.values["properties"] == ["My Contacts"]
    assert any("Line 82" in w and "not valid" in w for w in six.warnings)

    assert table.warnings == []
    assert not any(s.endswith("\r") for s in all_strings(table))


# --- C003: Outlook 2003 / 2007 "Save as vCard" ------------------------------------------------


def test_c003_outlook2003():
    table = read("C003_outlook2003_v21.vcf")
    (row,) = table.rows
    assert row.line == 1
    assert row.warnings == []
    values = row.values
    assert {k: values[k] for k in ("prefix", "first_name", "last_name", "suffix")} == {
        "prefix": "Mr.",
        "first_name": "John",
        "last_name": "Doe",
        "suffix": "III",
    }
    assert values["full_name"] == "John Doe III"
    assert values["nickname"] == "Joey"
    assert values["title"] == "The Job Title"
    assert values["organisation"] == "Company, The"
    assert values["department"] == "TheDepartment"
    assert values["birthday"] == (1980, 3, 21)
    assert values["email"] == "jdoe@example.net"
    assert "extra_emails" not in values
    assert values["billing_address"] == {
        "extended": "TheOffice",
        "street": "123 Main St",
        "city": "Austin",
        "region": "TX",
        "postal_code": "12345",
        "country": "United States of America",
    }
    assert "shipping_address" not in values
    # 4 lines, the third empty, and the trailing break split over the soft line break.
    assert values["description"] == (
        "This is the note field!!\nSecond line\n\nThird line is empty\n"
    )
    # Literal words as numbers are passed on for phone validation, not dropped here.
    assert values["phones"] == [
        {"kind": "work", "number": "BusinessPhone", "primary": False},
        {"kind": "home", "number": "HomePhone", "primary": False},
        {"kind": "mobile", "number": "MobilePhone", "primary": False},
        {"kind": "fax", "number": "BusinessFaxPhone", "primary": False},
    ]
    assert values["website"] == "http://www.example.org"
    assert "photo" not in values
    # KEY (indented base64 then two blank lines) and the junk FBURL are skipped cleanly.
    assert table.warnings == ["Ignored vCard properties: LABEL, ROLE, KEY, FBURL."]


def test_c003_outlook2007():
    table = read("C003_outlook2007_v21.vcf")
    (row,) = table.rows
    assert row.warnings == []
    values = row.values
    assert values["prefix"] == "Mr."
    assert values["first_name"] == "Lucas"
    assert values["last_name"] == "Martin"
    assert values["suffix"] == "Jr."
    assert values["full_name"] == "Mr. Lucas Martin Jr."
    assert values["organisation"] == "TheCompany"
    assert values["department"] == "TheDepartment"
    assert values["birthday"] == (1922, 3, 10)
    assert values["email"] == "lucas.martin@example.com"
    assert values["description"] == (
        "This is the NOTE field\t\n"
        "I assume it encodes this text inside a NOTE vCard type.\n"
        "But I'm not sure because there's text formatting going on here.\n"
        "It does not preserve the formatting"
    )
    # Home and work URL are the same: stored once, nothing reported.
    assert values["website"] == "http://www.example.name"
    assert values["billing_address"]["street"] == "222 Broadway"
    assert [p["number"] for p in values["phones"]] == [
        "(111) 555-1111",
        "(111) 555-2222",
        "(111) 555-4444",
        "(111) 555-3333",
    ]
    picture = image(values["photo"])
    assert picture.format == "JPEG"
    assert picture.size == (72, 86)
    (ignored,) = table.warnings
    for name in ("X-MS-OL-DESIGN", "X-MS-TEL", "X-MS-MANAGER", "X-MS-SPOUSE", "KEY"):
        assert name in ignored
    assert "X-MS-OL-DEFAULT-POSTAL-ADDRESS" in ignored


# --- C004: iPhone 3.0, CR CR LF, item groups, X-ABLabel, photo --------------------------------


def test_c004_iphone_v30_crcrlf_photo():
    table = read("C004_iphone_v30_crcrlf_photo.vcf")
    (row,) = table.rows
    assert row.warnings == []
    values = row.values
    assert not any(s.endswith("\r") or "\r" in s for s in strings(values))
    assert {
        k: values[k]
        for k in ("prefix", "first_name", "middle_name", "last_name", "suffix", "nickname")
    } == {
        "prefix": "Mr.",
        "first_name": "John",
        "middle_name": "Richter James",
        "last_name": "Doe",
        "suffix": "Sr.",
        "nickname": "Johny",
    }
    assert values["full_name"] == "Mr. John Richter James Doe Sr."
    assert values["organisation"] == "Exemple Corp"
    assert values["department"] == "Accounting"
    assert values["title"] == "Money Counter"
    assert values["email"] == "john.doe@example.com"
    assert values["phones"] == [
        {"kind": "mobile", "number": "905-555-1234", "primary": True},
        {"kind": "home", "number": "905-666-1234", "primary": False},
        {"kind": "work", "number": "905-777-1234", "primary": False},
        {"kind": "fax", "number": "905-888-1234", "primary": False},
        {"kind": "fax", "number": "905-999-1234", "primary": False},
        {"kind": "pager", "number": "905-111-1234", "primary": False},
        {"kind": "other", "number": "905-222-1234", "primary": False, "label": "AssistantPhone"},
    ]
    assert values["shipping_address"] == {
        "street": "Silicon Alley 5,",
        "city": "New York",
        "region": "New York",
        "postal_code": "12345",
        "country": "United States of America",
    }
    assert values["billing_address"] == {
        "street": "Street4\nBuilding 6\nFloor 8",
        "city": "New York",
        "postal_code": "12345",
        "country": "USA",
    }
    assert values["website"] == "http://www.example.com"
    assert values["birthday"] == (2012, 6, 6)
    assert values["photo"][:2] == b"\xff\xd8"
    assert image(values["photo"]).format == "JPEG"
    assert table.warnings == ["Ignored vCard properties: X-ABADR."]


# --- C005: company cards ----------------------------------------------------------------------


def test_c005_company_cards():
    table = read("C005_company_cards_missing_n.vcf")
    assert [row.line for row in table] == [1, 37, 45, 52]
    apple, bakery, publisher, nameless = table.rows

    assert apple.values["is_company"] is True
    assert apple.values["organisation"] == "Exemple Informatik AG"
    assert apple.values["billing_address"] == {
        "street": "Musterstrasse 4a",
        "city": "Wallisellen-Zürich",
        "postal_code": "8304",
        "country": "Switzerland",
    }
    assert apple.values["website"] == "http://www.example.ch"
    logo = image(apple.values["photo"])
    assert (logo.format, logo.size) == ("JPEG", (48, 48))
    assert not {"last_name", "first_name"} & set(apple.values)

    assert bakery.values["is_company"] is True
    assert bakery.values["organisation"] == "Boulangerie Dupain & Fils"
    assert bakery.values["phones"] == [
        {"kind": "work", "number": "+33 1 99 00 12 34", "primary": False}
    ]
    assert bakery.values["billing_address"]["city"] == "Besançon"
    assert "last_name" not in bakery.values

    assert publisher.values == {
        "organisation": "Éditions Exemple SARL",
        "email": "contact@example.fr",
        "is_company": True,
    }
    assert nameless.values == {"email": "no-name@example.org"}
    assert all(row.warnings == [] for row in table)
    assert table.warnings == ["Ignored vCard properties: X-ABADR, X-ABUID."]


# --- C006a, C007a: legacy code page, UTF-16BE without BOM ------------------------------------


def test_c006a_charset_windows1252():
    table = read("C006a_v21_charset_windows1252_raw.vcf")
    (row,) = table.rows
    assert row.warnings == []
    assert row.values["last_name"] == "Doë"
    assert row.values["first_name"] == "John"
    assert row.values["full_name"] == "John Doë"
    assert row.values["email"] == "john.doe@example.com"  # HOME;TYPE=pref
    assert row.values["extra_emails"] == ["inbox@example.net"]
    assert row.values["billing_address"]["country"] == "Cayman Islands"
    assert not any("\ufffd" in s for s in all_strings(table))


def test_c007a_utf16be_without_bom():
    table = read("C007a_utf16be_nobom.vcf")
    assert table.encoding == "utf-16-be"
    (row,) = table.rows
    assert row.line == 1
    assert row.warnings == []
    assert row.values == {
        "first_name": "Ǽgean",
        "last_name": "ĽdaMonté",
        "full_name": "Ǽgean ĽdaMonté",
        "billing_address": {
            "street": "169 Mária Canal",
            "city": "LaPaz",
            "region": "Conceptión",
            "postal_code": "245-876",
            "country": "Perú",
        },
    }
    assert table.warnings == ["Ignored vCard properties: X-ABADR, X-ABUID."]


# --- C008a: vCard 4.0 ------------------------------------------------------------------------


def test_c008a_vcard40():
    table = read("C008a_vcard40_rfc6350_lf.vcf")
    (row,) = table.rows
    assert row.warnings == []
    values = row.values
    assert values["full_name"] == "Simon Exemple"
    assert values["last_name"] == "Exemple"
    assert values["first_name"] == "Simon"
    assert values["suffix"] == "ing. jr M.Sc."
    assert values["birthday"] == (None, 2, 3)
    assert values["organisation"] == "Exemple Labs"
    assert values["billing_address"] == {
        "extended": "Suite D2-630",
        "street": "1 rue Exemple",
        "city": "Quebec",
        "region": "QC",
        "postal_code": "G1V 2M2",
        "country": "Canada",
    }
    assert values["phones"] == [
        {"kind": "work", "number": "+1-418-555-0154", "primary": True, "extension": "102"},
        {"kind": "mobile", "number": "+1-418-555-0101", "primary": False},
    ]
    assert values["email"] == "simon.exemple@example.ca"
    assert values["website"] == "http://www.example.org"
    assert table.warnings == ["Ignored vCard properties: ANNIVERSARY, GENDER, LANG, GEO, KEY, TZ."]


def test_columns_follow_the_contract_order():
    table = read("C004_iphone_v30_crcrlf_photo.vcf")
    assert table.columns == [key for key in COLUMNS if key in table.rows[0].values]
    assert table.columns[:4] == ["prefix", "first_name", "middle_name", "last_name"]


# --- bad paths -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"\xef\xbb\xbf", b"Name,E-mail\r\nJohn,john@example.com\r\n", b"END:VCARD\r\n"],
)
def test_no_card_is_unreadable(data):
    with pytest.raises(UnreadableFile, match="BEGIN:VCARD"):
        read_vcards(data)


def test_unknown_encoding_argument_is_unreadable():
    with pytest.raises(UnreadableFile):
        read_vcards(card("FN:A").encode(), encoding="no-such-codec")


def test_card_without_end_is_kept_and_the_next_card_read():
    data = card("VERSION:3.0", "FN:First", end=False) + card("VERSION:3.0", "FN:Second")
    table = read_vcards(data.encode())
    assert [(row.line, row.values) for row in table] == [
        (1, {"full_name": "First"}),
        (4, {"full_name": "Second"}),
    ]
    assert any("END:VCARD" in w for w in table.rows[0].warnings)
    assert table.rows[1].warnings == []


def test_truncated_file_inside_a_photo():
    photo = base64.b64encode(png()).decode()
    data = card("VERSION:3.0", "N:Doe;Jane;;;", f"PHOTO;ENCODING=b;TYPE=PNG:{photo}", end=False)
    table = read_vcards(data.encode()[: -len(photo) // 2])
    (row,) = table.rows
    assert row.values == {"first_name": "Jane", "last_name": "Doe"}
    assert any("END:VCARD" in w for w in row.warnings)
    assert any("picture" in w for w in row.warnings)


def test_junk_lines_do_not_abort_the_card_or_the_file():
    data = card("VERSION:2.1", "FN:Broken", "this is not a property", " ") + card("FN:Next")
    table = read_vcards(b"garbage before\r\n" + data.encode())
    assert [row.values for row in table] == [{"full_name": "Broken"}, {"full_name": "Next"}]
    assert any("Line 5" in w for w in table.rows[0].warnings)
    assert any("line 1" in w for w in table.warnings)


def test_empty_card_is_a_row_with_a_warning():
    (row,) = read_vcards(card("VERSION:3.0").encode()).rows
    assert row.values == {}
    assert row.warnings == ["The card holds no contact data."]


def test_agent_card_stays_inside_its_parent():
    data = card("VERSION:2.1", "FN:Boss", "AGENT:", "BEGIN:VCARD", "FN:Assistant", "END:VCARD")
    table = read_vcards(data.encode())
    (row,) = table.rows
    assert row.values == {"full_name": "Boss"}
    assert table.warnings == ["Ignored vCard properties: AGENT."]


# --- encodings and line endings --------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_whole_file_unicode_with_or_without_bom(codec):
    data = card("VERSION:3.0", "N;CHARSET=UTF-8:Müller;Zoë;;;", "FN:Zoë Müller").encode(codec)
    table = read_vcards(data)
    assert table.rows[0].values == {
        "first_name": "Zoë",
        "last_name": "Müller",
        "full_name": "Zoë Müller",
    }
    assert table.rows[0].warnings == []


def test_bom_of_concatenated_files_never_reaches_the_data():
    one = card("VERSION:3.0", "FN:One").encode("utf-8-sig")
    two = card("VERSION:3.0", "FN:Two").encode("utf-8-sig")
    table = read_vcards(one + two)
    assert [row.values for row in table] == [{"full_name": "One"}, {"full_name": "Two"}]


def test_mixed_and_old_mac_line_endings():
    data = b"BEGIN:VCARD\rVERSION:3.0\r\r\nFN:Mixed\nNOTE:a\\nb\r\nEND:VCARD\r"
    (row,) = read_vcards(data).rows
    assert row.values == {"full_name": "Mixed", "description": "a\nb"}


def test_folding_in_30_drops_one_space_and_in_21_all_indentation():
    v30 = card("VERSION:3.0", "NOTE:Hello", "  World")
    v21 = card("VERSION:2.1", "NOTE:Hello", "    World")
    assert read_vcards(v30.encode()).rows[0].values["description"] == "Hello World"
    assert read_vcards(v21.encode()).rows[0].values["description"] == "HelloWorld"


def test_escapes():
    data = card("VERSION:3.0", r"NOTE:a\, b\; c\: d\\e\nf", r"ORG:Smith\; Sons;Sales\, EU")
    values = read_vcards(data.encode()).rows[0].values
    assert values["description"] == "a, b; c: d\\e\nf"
    assert values["organisation"] == "Smith; Sons"
    assert values["department"] == "Sales, EU"


def test_undeclared_legacy_bytes_fall_back_to_windows_1252_with_a_warning():
    data = card("VERSION:2.1", "FN:Ren\xe9").encode("latin-1")
    (row,) = read_vcards(data).rows
    assert row.values == {"full_name": "René"}
    assert any("windows-1252" in w for w in row.warnings)


def test_encoding_argument_is_the_default_charset():
    data = card("VERSION:2.1", "FN:Ren\xe9", "NOTE;CHARSET=UTF-8:caf\xc3\xa9").encode("latin-1")
    (row,) = read_vcards(data, encoding="cp1252").rows
    assert row.values == {"full_name": "René", "description": "café"}
    assert row.warnings == []


def test_invalid_utf8_in_qp_is_replaced_with_a_warning():
    data = card("VERSION:2.1", "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Caf=C3=A9=80")
    (row,) = read_vcards(data.encode()).rows
    assert row.values == {"full_name": "Café\ufffd"}
    assert any("not valid" in w for w in row.warnings)


def test_qp_value_wrongly_ending_in_equals_does_not_swallow_the_next_property():
    data = card("VERSION:2.1", "NOTE;ENCODING=QUOTED-PRINTABLE:one=", "TEL;CELL:123")
    values = read_vcards(data.encode()).rows[0].values
    assert values["description"] == "one"
    assert values["phones"] == [{"kind": "mobile", "number": "123", "primary": False}]


# --- photos ----------------------------------------------------------------------------------


def test_photo_as_40_data_uri_and_21_bare_base64():
    encoded = base64.b64encode(png()).decode()
    v40 = card("VERSION:4.0", "FN:A", f"PHOTO:data:image/png;base64,{encoded}")
    v21 = card("VERSION:2.1", "FN:B", f"PHOTO;PNG;BASE64:{encoded[:20]}", f" {encoded[20:]}", "")
    for data in (v40, v21):
        (row,) = read_vcards(data.encode()).rows
        assert row.values["photo"] == png()
        assert image(row.values["photo"]).size == (3, 2)
        assert row.warnings == []


def test_photo_that_is_not_an_image_gives_a_warning_and_no_photo():
    fake = base64.b64encode(b"\xff\xd8 not really a jpeg").decode()
    (row,) = read_vcards(card("FN:A", f"PHOTO;ENCODING=b;TYPE=JPEG:{fake}").encode()).rows
    assert row.values == {"full_name": "A"}
    assert any("not a readable picture" in w for w in row.warnings)


def test_photo_link_is_not_downloaded():
    data = card("VERSION:3.0", "FN:A", "PHOTO;VALUE=uri:https://example.com/a.jpg")
    (row,) = read_vcards(data.encode()).rows
    assert "photo" not in row.values
    assert any("link" in w for w in row.warnings)


# --- values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("BDAY:1980-03-21", (1980, 3, 21)),
        ("BDAY:19800321T000000Z", (1980, 3, 21)),
        ("BDAY:--0119", (None, 1, 19)),
        ("BDAY;X-APPLE-OMIT-YEAR=1604:1604-02-29", (None, 2, 29)),
    ],
)
def test_birthdays(line, expected):
    assert read_vcards(card("FN:A", line).encode()).rows[0].values["birthday"] == expected


@pytest.mark.parametrize("line", ["BDAY:1980-02-30", "BDAY;VALUE=text:circa 1800"])
def test_birthday_that_is_not_a_date_is_reported(line):
    (row,) = read_vcards(card("FN:A", line).encode()).rows
    assert "birthday" not in row.values
    assert any("birthday" in w for w in row.warnings)


def test_emails_prefer_the_lowest_40_pref_and_deduplicate():
    data = card(
        "VERSION:4.0",
        "FN:A",
        "EMAIL;PREF=2:second@example.com",
        "EMAIL;PREF=1:first@example.com",
        "EMAIL:Second@example.com",
        "EMAIL:other@example.com",
    )
    values = read_vcards(data.encode()).rows[0].values
    assert values["email"] == "first@example.com"
    assert values["extra_emails"] == ["second@example.com", "other@example.com"]


def test_untyped_address_takes_the_first_free_slot():
    data = card("VERSION:3.0", "FN:A", "ADR:;;1 Free St;Town;;;", "ADR;TYPE=WORK:;;2 Work St;;;;")
    values = read_vcards(data.encode()).rows[0].values
    assert values["billing_address"] == {"street": "2 Work St"}
    assert values["shipping_address"] == {"street": "1 Free St", "city": "Town"}


def test_categories_and_kind_org():
    data = card("VERSION:4.0", "KIND:org", "FN:Acme", "ORG:Acme", "CATEGORIES:a,b\\,c,a")
    values = read_vcards(data.encode()).rows[0].values
    assert values["is_company"] is True
    assert values["properties"] == ["a", "b,c"]


@pytest.mark.parametrize("charset", ["x-nonsense", "base64"])
def test_unusable_charset_is_reported_and_read_with_the_default(charset):
    (row,) = read_vcards(card(f"FN;CHARSET={charset}:Ann").encode()).rows
    assert row.values == {"full_name": "Ann"}
    assert any(charset in w for w in row.warnings)


def test_nul_bytes_never_reach_the_data():
    (row,) = read_vcards(card("FN:A\x00nn").encode()).rows
    assert row.values == {"full_name": "Ann"}


def test_nul_pattern_wins_over_a_wrong_encoding_argument():
    data = card("VERSION:3.0", "FN:Zoë").encode("utf-16-le")
    table = read_vcards(data, encoding="cp1252")
    assert table.encoding == "utf-16-le"
    assert table.rows[0].values == {"full_name": "Zoë"}
