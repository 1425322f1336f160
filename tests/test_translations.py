"""The French catalogue is complete and its compiled form matches it."""

import ast
import gettext
import re
from pathlib import Path

import tandem

LC_MESSAGES = Path(tandem.__file__).parent / "locale" / "fr" / "LC_MESSAGES"
ENTRY = re.compile(
    r'^(?P<flags>(?:#.*\n)*)(?:msgctxt (?P<context>".*")\n)?'
    r'msgid (?P<msgid>(?:".*"\n)+)msgstr (?P<msgstr>(?:".*"\n?)+)',
    re.MULTILINE,
)


def _unquote(block: str) -> str:
    return "".join(ast.literal_eval(line) for line in block.strip().splitlines())


def _entries(*, with_context: bool = False) -> list[tuple]:
    text = (LC_MESSAGES / "django.po").read_text(encoding="utf-8")
    return [
        (
            match["flags"],
            _unquote(match["msgid"]),
            _unquote(match["msgstr"]),
            *([_unquote(match["context"]) if match["context"] else None] if with_context else []),
        )
        for match in ENTRY.finditer(text)
    ]


def test_every_french_message_is_translated_and_not_fuzzy():
    entries = [entry for entry in _entries() if entry[1]]
    assert len(entries) > 200
    untranslated = [msgid for _flags, msgid, msgstr in entries if not msgstr]
    fuzzy = [msgid for flags, msgid, _msgstr in entries if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_po_file():
    with (LC_MESSAGES / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = [
        msgid
        for _flags, msgid, msgstr, context in _entries(with_context=True)
        if msgid
        and (catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)) != msgstr
    ]
    assert stale == [], "run `make messages` to recompile django.mo"


def test_placeholders_survive_translation():
    for _flags, msgid, msgstr in _entries():
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(
            re.findall(r"%\(\w+\)s", msgstr)
        ), msgid
