"""The report's appendix: every definition says where it comes from, and the PDF prints it."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.html import escape

from psp.models import Program
from reporting import documents, metrics
from reporting.models import Report

pytestmark = pytest.mark.django_db


def test_every_definition_has_a_source() -> None:
    assert list(metrics.DEFINITION_SOURCES) == list(metrics.DEFINITIONS)
    for key, source in metrics.definition_sources().items():
        assert source.strip(), key


def test_a_definition_without_a_source_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(metrics.DEFINITIONS, "new_metric", "A metric added without a source.")
    with pytest.raises(KeyError, match="new_metric"):
        metrics.definition_sources()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_appendix_prints_each_definition_with_its_source(door: Program, language: str) -> None:
    report = Report(program=door, year=2026, quarter=2, suppressed=True)
    with translation.override(language):
        html = documents.render_html(documents.pdf_context(report, documents.report_data(report)))
        texts = metrics.definitions()
        sources = metrics.definition_sources()
        source_label = "Source:" if language == "en" else "Fuente:"
    appendix = html[html.index('<section class="appendix">') :]
    # A child-welfare program's report has no school-based section, nor its definition.
    texts.pop("school_based")
    # Nor the school programs' own definition of contacts: its contacts are child welfare's.
    school_contacts = texts.pop("contacts_school")
    assert escape(school_contacts) not in appendix
    if language == "en":
        assert "<dt>School-based Parent Peer Support</dt>" not in appendix
    for key, text in texts.items():
        with translation.override(language):
            title = str(documents.DEFINITION_TITLES[key])
        printed = (
            f"<dt>{escape(title)}</dt><dd><p>{escape(text)}</p>"
            f'<p class="source">{source_label} {escape(sources[key])}</p></dd>'
        )
        assert printed in appendix, key
    # The sources of the CFSR definitions keep their own entry, and name the documents.
    assert "Children&#x27;s Bureau" in appendix or "Children's Bureau" in appendix
    if language == "en":
        assert "<dt>Sources of the CFSR definitions</dt>" in appendix
        assert "PSP Case Management specification, section “Rules that hold everywhere”" in (
            appendix
        )
        assert "“Parents Supporting Parents: A Wisconsin Parent Partner Model”" in appendix
