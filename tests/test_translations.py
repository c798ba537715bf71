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


def test_every_string_in_the_code_is_in_the_catalogue_and_translated(
    tmp_path, monkeypatch, settings
):
    """Extract the messages afresh (as `make messages` does), in a copy of the sources and the
    catalogue: a string the catalogue lacks, e.g. marked with a gettext alias xgettext does not
    know, or a template added without its entries, shows up untranslated."""
    import shutil

    from django.core.management import call_command

    root = CATALOGUE.parent.parent.parent
    skip = shutil.ignore_patterns("__pycache__", "static", "*.pyc", "*.mo")
    for folder in ("resettlement", "api", "maps", "templates", "locale"):
        shutil.copytree(root / folder, tmp_path / folder, ignore=skip)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)
    po = polib.pofile(str(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in po.untranslated_entries() + po.fuzzy_entries()]
    assert not missing, f"translate these and run `make messages`: {missing[:10]}"
