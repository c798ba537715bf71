"""The Chinese catalogue is complete, compiled, and used by default."""

from pathlib import Path

import polib
from django.utils import translation

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_has_a_chinese_translation():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural for entry in mo}
    stale = [
        entry.msgid
        for entry in po.translated_entries()
        if compiled.get((entry.msgctxt, entry.msgid)) != (entry.msgstr or entry.msgstr_plural)
    ]
    assert not stale, f"run `make messages`: {stale[:5]}"


def test_interface_strings_translate_both_ways():
    with translation.override("zh-hans"):
        assert translation.gettext("Households") == "回迁户"
    with translation.override("en"):
        assert translation.gettext("Households") == "Households"
