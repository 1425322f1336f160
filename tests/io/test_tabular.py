"""CSV and XLSX files as users bring them → SourceTable: encodings, delimiters, quoted
multi-line fields, line numbers, headers, spreadsheet cell types, and the files refused."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tandem.io.rows import UnreadableFile
from tandem.io.tabular import detect_delimiter, read_csv, read_table, read_xlsx

FILES = Path(__file__).parent / "files"


def junk(size: int) -> bytes:
    """Bytes as random as a binary file's, the same on every run."""
    blocks = (hashlib.sha256(str(n).encode()).digest() for n in range(size // 32 + 1))
    return b"".join(blocks)[:size]


def written(tmp_path: Path, name: str, data: bytes) -> bytes:
    """Write the file to disk and read it back, as an upload would arrive."""
    path = tmp_path / name
    path.write_bytes(data)
    return path.read_bytes()


# --- Real files ------------------------------------------------------------------------------


def test_c010a_utf8_bom_first_header_is_exactly_display_name():
    table = read_csv((FILES / "C010a_utf8_bom_all_columns.csv").read_bytes())
    assert table.format == "csv"
    assert table.encoding == "utf-8"
    assert table.delimiter == ","
    assert table.columns[0] == "Display Name"
    assert len(table.columns) == 61
    [row] = table.rows
    assert row.line == 2
    assert row.values["Display Name"] == "Display Name"
    assert row.values["Email Home"] == "home@example.com"
    assert row.values["Birthday"] == "20/01/1991"
    assert row.values["Categories"] == "test"


def test_c011a_and_c011b_give_identical_tables():
    utf8 = read_csv((FILES / "C011a_google_csv_legacy.csv").read_bytes())
    utf16 = read_csv((FILES / "C011b_google_csv_legacy_utf16le_bom.csv").read_bytes())
    assert (utf8.encoding, utf16.encoding) == ("utf-8", "utf-16-le")
    assert utf8.delimiter == utf16.delimiter == ","
    assert utf8.columns == utf16.columns
    assert utf8.columns[0] == "Name"
    assert [(row.line, row.values) for row in utf8] == [(row.line, row.values) for row in utf16]
    [row] = utf8.rows
    assert row.line == 2
    # The quoted multi-line "Formatted" address is one field, not extra rows.
    assert row.values["Address 1 - Formatted"] == (
        "home_street\nhome_pobox\nhome_city, home_state home_zip\nhome_country"
    )
    assert row.values["Address 2 - Country"] == "work_country"
    assert row.values["Notes"] == 'note"note'
    assert row.values["Group Membership"] == "* My Contacts ::: Test"
    assert row.values["E-mail 3 - Type"] == ""
    assert row.values["Website 2 - Value"] == "www.example.net"


def test_c012b_outlook_e_mail_columns():
    table = read_csv((FILES / "C012b_outlook_csv_email_2_3.csv").read_bytes())
    assert table.columns == ["E-mail Address", "E-mail 2 Address", "E-mail 3 Address"]
    assert [row.values for row in table] == [
        {
            "E-mail Address": "test1@domain.tld",
            "E-mail 2 Address": "test2@domain.tld",
            "E-mail 3 Address": "test3@domain.tld",
        }
    ]


def test_sp500_constituents():
    table = read_table((FILES / "constituents.csv").read_bytes(), "constituents.csv")
    assert table.format == "csv"
    assert table.delimiter == ","
    assert table.columns == [
        "Symbol",
        "Security",
        "GICS Sector",
        "GICS Sub-Industry",
        "Headquarters Location",
        "Date added",
        "CIK",
        "Founded",
    ]
    assert len(table.rows) == 503
    first = table.rows[0]
    assert first.line == 2
    assert first.values["Security"] == "3M"
    assert first.values["Headquarters Location"] == "Saint Paul, Minnesota"
    assert table.rows[-1].line == 504
    abbvie = next(row for row in table if row.values["Symbol"] == "ABBV")
    assert abbvie.values["Founded"] == "2013 (1888)"


# --- Synthetic files -------------------------------------------------------------------------


def test_french_excel_csv_in_windows_1252_with_semicolons_and_decimal_commas(tmp_path):
    text = (
        "Prénom;Nom;Code postal;Montant;Remarque\r\n"
        "Jérôme;Lefèvre;01000;1 234,50;Très bien, merci\r\n"
        "Hélène;Dupré;75001;12,5;\r\n"
    )
    table = read_csv(written(tmp_path, "export.csv", text.encode("cp1252")))
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    assert table.columns == ["Prénom", "Nom", "Code postal", "Montant", "Remarque"]
    assert [row.line for row in table] == [2, 3]
    assert table.rows[0].values == {
        "Prénom": "Jérôme",
        "Nom": "Lefèvre",
        "Code postal": "01000",
        "Montant": "1 234,50",
        "Remarque": "Très bien, merci",
    }
    assert table.rows[1].values["Remarque"] == ""


def test_utf16be_without_bom(tmp_path):
    text = "Name\tCity\r\nZoé\tSão Paulo\r\n"
    table = read_csv(written(tmp_path, "mac.txt", text.encode("utf-16-be")))
    assert (table.encoding, table.delimiter) == ("utf-16-be", "\t")
    assert table.rows[0].values == {"Name": "Zoé", "City": "São Paulo"}


def test_pipe_separated(tmp_path):
    data = b"name|address|city\nDupont|1, rue de la Paix|Paris\nMartin|2, place X|Lyon\n"
    table = read_csv(written(tmp_path, "export.txt", data))
    assert table.delimiter == "|"
    assert table.rows[0].values["address"] == "1, rue de la Paix"


def test_tab_separated_with_commas_in_values(tmp_path):
    data = b"Name\tLocation\nAlice\tParis, France\nBob\tLyon, France\n"
    table = read_csv(written(tmp_path, "export.tsv", data))
    assert table.delimiter == "\t"
    assert table.rows[1].values == {"Name": "Bob", "Location": "Lyon, France"}


def test_quoted_fields_holding_other_delimiters_do_not_fool_detection(tmp_path):
    data = b'"Nom";"Ville"\n"Dupont, Jean";"Lyon"\n"Martin, Paul";"Paris, 75"\n'
    table = read_csv(written(tmp_path, "quoted.csv", data))
    assert table.delimiter == ";"
    assert table.rows[0].values == {"Nom": "Dupont, Jean", "Ville": "Lyon"}


def test_a_file_where_csv_sniffer_guesses_wrong(tmp_path):
    text = "Nom;Ville, Pays\nDupont;Lyon, France\nMartin;Paris, France\n"
    assert csv.Sniffer().sniff(text, delimiters=",;\t|").delimiter == ","
    assert detect_delimiter(text) == ";"
    table = read_csv(written(tmp_path, "sniffer.csv", text.encode()))
    assert table.delimiter == ";"
    assert table.columns == ["Nom", "Ville, Pays"]
    assert table.rows[0].values == {"Nom": "Dupont", "Ville, Pays": "Lyon, France"}


def test_the_delimiter_can_be_chosen():
    table = read_csv(b"a;b,c\n1;2,3\n", delimiter=",")
    assert table.delimiter == ","
    assert table.columns == ["a;b", "c"]


def test_excel_sep_line_names_the_delimiter():
    table = read_csv(b"sep=;\r\nName;City, Country\r\nBob;Lyon, France\r\n")
    assert table.delimiter == ";"
    assert table.columns == ["Name", "City, Country"]
    assert table.rows[0].line == 3


def test_lines_blank_records_and_multi_line_fields():
    data = b'Name,Notes\n\nAnn,"one\ntwo\nthree"\n,\n  ,   \nBob,x\r\n\r\nCy,"a\r\nb"\n'
    table = read_csv(data)
    assert [(row.line, row.values["Name"]) for row in table] == [(3, "Ann"), (8, "Bob"), (10, "Cy")]
    assert table.rows[0].values["Notes"] == "one\ntwo\nthree"
    assert table.rows[2].values["Notes"] == "a\nb"


def test_header_row_is_chosen():
    data = b"Export of 2024-05-01\n\nName,City\nAnn,Paris\n"
    table = read_csv(data, header_row=3)
    assert table.columns == ["Name", "City"]
    assert [(row.line, row.values) for row in table] == [(4, {"Name": "Ann", "City": "Paris"})]


def test_no_header_gives_numbered_columns():
    table = read_csv(b"Ann,Paris\nBob,Lyon\n", header_row=0)
    assert table.columns == ["Column 1", "Column 2"]
    assert [row.line for row in table] == [1, 2]
    assert table.rows[1].values == {"Column 1": "Bob", "Column 2": "Lyon"}


def test_headers_trimmed_repeated_blank_and_rows_longer_than_the_header():
    data = b" Name , Phone ,Phone,,Column 5\nAnn,1,2,,x,extra\nBob,3\n"
    table = read_csv(data)
    assert table.columns == ["Name", "Phone", "Phone (2)", "Column 5", "Column 6"]
    ann, bob = table.rows
    assert ann.values == {
        "Name": "Ann",
        "Phone": "1",
        "Phone (2)": "2",
        "Column 5": "x",
        "Column 6": "extra",
    }
    assert ann.warnings and "Column 6" in ann.warnings[0]
    assert bob.values == {
        "Name": "Bob",
        "Phone": "3",
        "Phone (2)": None,
        "Column 5": None,
        "Column 6": None,
    }
    assert bob.warnings == []


def test_values_are_kept_as_text_exactly():
    table = read_csv(b"zip,phone,note\n01000,0612345678,  spaced  \n")
    assert table.rows[0].values == {"zip": "01000", "phone": "0612345678", "note": "  spaced  "}


def test_an_unclosed_quote_is_reported():
    table = read_csv(b'Name,Notes\nAnn,"never closed\nBob,x\n')
    assert len(table.rows) == 1
    assert table.rows[0].warnings
    assert "Line 2" in table.warnings[0]


# --- XLSX ------------------------------------------------------------------------------------

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""  # noqa: E501
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""  # noqa: E501
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Contacts" sheetId="1" r:id="rId1"/><sheet name="Second" sheetId="2" r:id="rId2"/></sheets>
</workbook>"""  # noqa: E501
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""  # noqa: E501
# Style 1: built-in format 14 (a date), style 2: built-in format 22 (date and time).
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
</styleSheet>"""  # noqa: E501
_STRINGS = ["Name", "Postal code", "Amount", "Double", "Since", "Greeting", "Dupont", "01000"]
_SHARED = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'count="{len(_STRINGS)}" uniqueCount="{len(_STRINGS)}">'
    + "".join(f"<si><t>{text}</t></si>" for text in _STRINGS)
    + "</sst>"
)
# What Excel writes: formulas keep their last computed value in <v>; a formatted but empty
# cell (H2) and a formatted empty row (4) are not data; row 5 is missing altogether.
_SHEET1 = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<dimension ref="A1:H6"/>
<sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c></row>
<row r="2"><c r="A2" t="s"><v>6</v></c><c r="B2" t="s"><v>7</v></c><c r="C2"><v>1234.5</v></c><c r="D2"><f>C2*2</f><v>2469</v></c><c r="E2" s="1"><v>33258</v></c><c r="F2" t="str"><f>A2&amp;"!"</f><v>Dupont!</v></c><c r="H2" s="1"/></row>
<row r="3"><c r="A3" t="inlineStr"><is><t>Martin</t></is></c><c r="B3"><v>75001</v></c><c r="C3"><v>12</v></c><c r="D3"><f>C3*2</f><v>24</v></c><c r="E3" s="2"><v>33258.5</v></c></row>
<row r="4"><c r="A4" s="1"/></row>
<row r="6"><c r="A6" t="inlineStr"><is><t>Durand</t></is></c><c r="D6"><f>C6*2</f></c></row>
</sheetData>
</worksheet>"""  # noqa: E501
_SHEET2 = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Other</t></is></c></row>
<row r="2"><c r="A2"><v>7</v></c></row></sheetData>
</worksheet>"""


def excel_like_xlsx() -> bytes:
    """An XLSX file written part by part as Excel writes it, since openpyxl cannot write the
    cached values of formulas."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        archive.writestr("xl/sharedStrings.xml", _SHARED)
        archive.writestr("xl/worksheets/sheet1.xml", _SHEET1)
        archive.writestr("xl/worksheets/sheet2.xml", _SHEET2)
    return buffer.getvalue()


def test_xlsx_with_cached_formula_values_dates_and_text(tmp_path):
    data = written(tmp_path, "contacts.xlsx", excel_like_xlsx())
    table = read_xlsx(data)
    assert table.format == "xlsx"
    assert (table.sheet, table.sheets) == ("Contacts", ["Contacts", "Second"])
    assert table.columns == ["Name", "Postal code", "Amount", "Double", "Since", "Greeting"]
    assert [row.line for row in table] == [2, 3, 6]
    dupont, martin, durand = (row.values for row in table)
    assert dupont == {
        "Name": "Dupont",
        "Postal code": "01000",
        "Amount": 1234.5,
        "Double": 2469,
        "Since": datetime.date(1991, 1, 20),
        "Greeting": "Dupont!",
    }
    assert martin["Postal code"] == 75001
    assert martin["Double"] == 24
    assert type(martin["Amount"]) is int
    assert martin["Since"] == datetime.datetime(1991, 1, 20, 12, 0)
    assert durand == {
        "Name": "Durand",
        "Postal code": None,
        "Amount": None,
        "Double": None,  # a formula never computed has no value
        "Since": None,
        "Greeting": None,
    }


def test_xlsx_second_sheet_and_unknown_sheet():
    data = excel_like_xlsx()
    table = read_xlsx(data, sheet="Second")
    assert (table.sheet, table.columns) == ("Second", ["Other"])
    assert table.rows[0].values == {"Other": 7}
    with pytest.raises(UnreadableFile, match="“Contacts”, “Second”"):
        read_xlsx(data, sheet="Missing")


def test_xlsx_written_by_openpyxl(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "First"
    sheet.append(["Code", "Ratio", "Born", "Seen", "Flag", None, None])
    sheet.append(["01000", 0.25, datetime.date(1980, 3, 21), datetime.datetime(2024, 5, 1, 9, 30)])
    sheet.append(["75001", 1.0, None, None, True])
    sheet.append([None, None, None])
    sheet.cell(row=10, column=12).number_format = "0.00"  # formatted, never filled
    other = workbook.create_sheet("Others")
    other.append(["Name"])
    other.append(["Ann"])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    table = read_table(path.read_bytes(), "book.xlsx", header_row=1, encoding="ignored")
    assert table.sheets == ["First", "Others"]
    assert table.columns == ["Code", "Ratio", "Born", "Seen", "Flag"]
    first, second = table.rows
    assert first.values == {
        "Code": "01000",
        "Ratio": 0.25,
        "Born": datetime.date(1980, 3, 21),
        "Seen": datetime.datetime(2024, 5, 1, 9, 30),
        "Flag": None,
    }
    assert second.values["Ratio"] == 1
    assert second.values["Flag"] is True
    assert read_table(path.read_bytes(), "book.xlsx", sheet="Others").rows[0].values == {
        "Name": "Ann"
    }


# --- read_table ------------------------------------------------------------------------------


def test_read_table_dispatches_on_content_not_name():
    assert read_table(excel_like_xlsx(), "contacts.csv").format == "xlsx"
    table = read_table(b"a;b\n1;2\n", "contacts.xlsx.txt", delimiter=None)
    assert (table.format, table.delimiter) == ("csv", ";")
    with pytest.raises(TypeError):
        read_table(b"a,b\n1,2\n", "x.csv", separator=";")


def test_read_table_dispatches_vcard_to_the_vcard_reader():
    table = read_table((FILES / "C008a_vcard40_rfc6350_lf.vcf").read_bytes(), "card.txt")
    assert table.format == "vcf"
    table = read_table((FILES / "C007a_utf16be_nobom.vcf").read_bytes(), "card.vcf")
    assert table.format == "vcf"


# --- Refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \r\n\n", b",,,\n,,\n"])
def test_empty_files_are_refused(data):
    with pytest.raises(UnreadableFile, match="empty"):
        read_table(data, "empty.csv")


def test_binary_junk_is_refused():
    with pytest.raises(UnreadableFile, match="binary"):
        read_table(junk(2048), "junk.csv")


def test_old_excel_xls_is_refused_saying_what_to_do():
    data = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
    for reader in (lambda: read_table(data, "old.xls"), lambda: read_csv(data)):
        with pytest.raises(UnreadableFile, match=r"\.xls.*save it as \.xlsx.*CSV"):
            reader()


def test_zip_files_that_are_not_xlsx_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    with pytest.raises(UnreadableFile, match="OpenDocument"):
        read_table(buffer.getvalue(), "sheet.ods")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(UnreadableFile, match="not an XLSX"):
        read_table(buffer.getvalue(), "archive.zip")
    with pytest.raises(UnreadableFile, match="damaged"):
        read_table(b"PK\x03\x04 truncated", "broken.xlsx")


def test_a_wrong_explicit_encoding_is_refused_naming_it():
    data = "Nom;Ville\nDupré;Orléans\n".encode("cp1252")
    with pytest.raises(UnreadableFile, match="utf-8"):
        read_csv(data, encoding="utf-8")
    with pytest.raises(UnreadableFile, match="utf-8"):
        read_table(data, "x.csv", encoding="utf-8")


def test_a_header_without_rows_is_refused():
    with pytest.raises(UnreadableFile, match="no rows"):
        read_csv(b"Name,City\r\n\r\n")
    workbook = openpyxl.Workbook()
    workbook.active.append(["Name", "City"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(UnreadableFile, match="no rows"):
        read_xlsx(buffer.getvalue())


def test_a_header_row_past_the_end_is_refused():
    with pytest.raises(UnreadableFile, match="line 5"):
        read_csv(b"Name\nAnn\n", header_row=5)


def test_files_over_the_limits_are_refused(settings):
    settings.TANDEM_IMPORT_MAX_ROWS = 2
    assert len(read_csv(b"n\n1\n2\n").rows) == 2
    with pytest.raises(UnreadableFile, match="more than 2 rows"):
        read_csv(b"n\n1\n2\n3\n")
    settings.TANDEM_IMPORT_MAX_BYTES = 1024 * 1024
    with pytest.raises(UnreadableFile, match="larger than 1 MB"):
        read_table(b"n\n" + b"1\n" * (600 * 1024), "big.csv")


def test_a_cell_over_the_csv_modules_default_limit_is_read():
    note = "x" * 300_000
    table = read_csv(f"Name,Note\r\nAcme,{note}\r\n".encode())
    assert table.rows[0].values["Note"] == note
