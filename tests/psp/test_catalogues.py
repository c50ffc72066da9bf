"""The translation catalogues: Spanish complete, Hmong in step with it and waiting for a
translator (docs/translating.md), and the compiled files the server reads in step with both."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def keys(po: polib.POFile) -> set[tuple[str | None, str]]:
    return {(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete}


def test_every_spanish_string_is_translated_and_none_is_fuzzy():
    po = catalogue("es")
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []


def test_hmong_has_every_string_and_no_invented_translation():
    hmong = catalogue("hmn")
    assert keys(hmong) == keys(catalogue("es"))
    assert [entry.msgid for entry in hmong.translated_entries()] == []
    assert hmong.metadata["Language"] == "hmn"
    assert hmong.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert "NEEDS A TRANSLATOR" in hmong.header


@pytest.mark.parametrize("language", ["es", "hmn"])
def test_the_compiled_catalogue_is_in_step_with_its_source(language):
    """``make messages`` compiles them; a .po changed without it would not reach the pages."""
    source = {
        (entry.msgctxt, entry.msgid): entry.msgstr_plural or entry.msgstr
        for entry in catalogue(language).translated_entries()
    }
    compiled = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    assert {
        (entry.msgctxt, entry.msgid): entry.msgstr_plural or entry.msgstr
        for entry in compiled
        if entry.msgid
    } == source


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs gettext's msgfmt")
def test_the_all_empty_hmong_catalogue_compiles(tmp_path):
    result = subprocess.run(
        [
            "msgfmt",
            "--check",
            "-o",
            str(tmp_path / "django.mo"),
            str(LOCALE / "hmn" / "LC_MESSAGES" / "django.po"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
