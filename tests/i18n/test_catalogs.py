"""The French, German, Italian and Spanish catalogs: complete, compiled, and faithful to the English."""

import gettext
import re

import pytest

from tests.support.catalogs import LANGUAGES, mo_path, placeholders, po_path, read_po


def _messages(language: str):
    entries = read_po(po_path(language))
    header, messages = entries[0], entries[1:]
    assert header.msgid == ""
    return header, messages


def _nplurals(header) -> int:
    return int(re.search(r"nplurals=(\d+)", header.msgstr[0]).group(1))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    header, messages = _messages(language)
    assert f"Language: {language}\n" in header.msgstr[0]
    assert "fuzzy" not in header.flags
    nplurals = _nplurals(header)
    fuzzy = [m.msgid for m in messages if "fuzzy" in m.flags]
    untranslated = [m.msgid for m in messages if not all(m.msgstr.values())]
    wrong_forms = [
        m.msgid for m in messages if m.msgid_plural is not None and sorted(m.msgstr) != list(range(nplurals))
    ]
    assert fuzzy == []
    assert untranslated == []
    assert wrong_forms == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_holds_exactly_the_english_messages(language):
    english = {m.key for m in read_po(po_path("en"))[1:]}
    assert len(english) > 500
    assert {m.key for m in _messages(language)[1]} == english


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_tags_and_code_are_kept(language):
    wrong = []
    for m in _messages(language)[1]:
        for index, text in m.msgstr.items():
            source = m.msgid if index == 0 else m.msgid_plural
            if placeholders(text) != placeholders(source):
                wrong.append((m.msgid, text))
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_matches_the_po_file(language):
    """The .mo files are committed (CI has no gettext): they must be compiled from the current .po."""
    with mo_path(language).open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = []
    for m in _messages(language)[1]:
        if m.msgid_plural is None:
            msgid = m.msgid if m.msgctxt is None else f"{m.msgctxt}\x04{m.msgid}"
            if compiled.gettext(msgid) != m.msgstr[0]:
                stale.append(m.msgid)
        else:
            for n, index in ((1, compiled.plural(1)), (2, compiled.plural(2)), (5, compiled.plural(5))):
                if compiled.ngettext(m.msgid, m.msgid_plural, n) != m.msgstr[index]:
                    stale.append(m.msgid)
    assert stale == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_has_no_english_left_in_long_sentences(language):
    """A sentence kept in English is an untranslated one, whatever its msgstr says."""
    same = [
        m.msgid
        for m in _messages(language)[1]
        if m.msgid_plural is None and len(m.msgid.split()) >= 4 and m.msgstr[0] == m.msgid
    ]
    assert same == []
