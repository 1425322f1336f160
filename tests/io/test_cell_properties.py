"""Invariants of a cell's trip through an export and a read, for any text (hypothesis)."""

from __future__ import annotations

import csv
import io
import string

from hypothesis import assume, example, given
from hypothesis import strategies as st

from tandem.io.rows import FORMULA_STARTS, UnreadableFile, neutralise, unneutralise
from tandem.io.tabular import read_csv

# Cells as users type them: ASCII letters, digits and punctuation (= + - @ among them),
# French and German letters, spaces, tabs and line breaks. (A soup of rare characters in a
# tiny file is refused as "not text" by the decoder; that is the decoder's tests' business.)
texts = st.text(
    alphabet=st.sampled_from(
        string.ascii_letters + string.digits + string.punctuation + " \t\néèàçôùœÉÀÇ€ßü"
    ),
    max_size=40,
)


@given(texts)
@example("'=")
@example("''+1")
def test_unneutralise_gives_back_what_neutralise_was_given(text):
    assert unneutralise(neutralise(text)) == text


@given(texts)
def test_a_neutralised_cell_never_starts_a_formula(text):
    assert not neutralise(text).startswith(FORMULA_STARTS)


@given(st.lists(texts, min_size=1, max_size=4))
@example(["'="])
def test_a_csv_export_reads_back_to_the_same_cells(cells):
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    header = [f"Column {number}" for number in range(len(cells))]
    writer.writerow(header)
    writer.writerow([neutralise(cell) for cell in cells])
    # A row of blank cells is no row at all; give the reader one thing to keep.
    writer.writerow(["kept", *[""] * (len(cells) - 1)])
    try:
        table = read_csv(out.getvalue().encode("utf-8"), encoding="utf-8", delimiter=",")
    except UnreadableFile:
        # Odd strings in a tiny file ("A:A:AAAAA€") can look like mojibake to the decoder's
        # guard; what is read at all must read back exactly, which is the property here.
        assume(False)
    values = table.rows[0].values if any(cell.strip() for cell in cells) else None
    if values is not None:
        assert [values.get(name) or "" for name in header] == cells
