import pytest

from tandem.core.search import fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Société Générale", "societe generale"),
        ("ŒUVRE", "oeuvre"),
        ("Straße", "strasse"),
        ("İstanbul", "istanbul"),
        ("Łódź", "lodz"),
        ("Ørsted", "orsted"),
        ("Cre\u0300me", "creme"),  # decomposed accent
        ("  two\t\nspaces ", "two spaces"),
        ("ﬁle", "file"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded
