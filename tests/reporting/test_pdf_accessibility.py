"""The quarterly report PDF as assistive technology reads it: the tagged structure (PDF/UA),
the charts' numbers as text, and numbers and money in the reader's language.

The report is made once per language for the whole module (WeasyPrint is slow) from the
hand-made 2026 Q2 data set, plus an outreach event and a stipend large enough to need a
thousands separator.
"""

from __future__ import annotations

import datetime
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import translation
from pytest_django import DjangoDbBlocker

from councils.models import CouncilKind, StipendStatus
from reporting import documents
from reporting.models import Report
from tests import pdf_ua
from tests.councils.factories import (
    CouncilFactory,
    CouncilMemberFactory,
    OutreachEventFactory,
    StipendFactory,
)
from tests.factories import ProgramFactory
from tests.reporting.conftest import Councils, build

# The module fixture makes the rows; the mark is what has pytest-django set the database up.
pytestmark = pytest.mark.django_db

AFTER_Q2 = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC)


@dataclass
class Rendered:
    language: str
    html: str
    pdf: bytes


@pytest.fixture(scope="module")
def rendered(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[dict[str, Rendered]]:
    """Door's 2026 Q2 report in English and in Spanish, made in a transaction rolled back
    afterwards, so the module's tests share it and leave no rows behind."""
    made: dict[str, Rendered] = {}
    with (
        django_db_blocker.unblock(),
        time_machine.travel(AFTER_Q2, tick=False),
        transaction.atomic(),
    ):
        door = ProgramFactory(slug="door", county="Door", name="Door County PSP")
        rock = ProgramFactory(slug="rock", county="Rock", name="Rock County PSP")
        councils = Councils(
            door=CouncilFactory(program=door),
            rock=CouncilFactory(program=rock),
            state=CouncilFactory(program=None, kind=CouncilKind.STATE),
        )
        build(door, rock, councils)
        OutreachEventFactory(program=door, held_on=datetime.date(2026, 5, 9), attendance=1250)
        StipendFactory(
            member=CouncilMemberFactory(council=councils.door, lived_experience=True),
            awarded_on=datetime.date(2026, 5, 1),
            amount=Decimal("1234.50"),
            paid_on=datetime.date(2026, 5, 15),
            status=StipendStatus.PAID,
        )
        report = Report(program=door, year=2026, quarter=2, suppressed=False)
        for language in ["en", "es"]:
            with translation.override(language):
                html = documents.render_html(
                    documents.pdf_context(report, documents.report_data(report))
                )
                made[language] = Rendered(language, html, documents.render_pdf(html))
        transaction.set_rollback(True)
    yield made


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode("utf-8").split())


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_pdf_passes_the_pdf_ua_checks(rendered: dict[str, Rendered], language: str) -> None:
    assert pdf_ua.problems(rendered[language].pdf, language=language) == []


def test_every_header_cell_has_a_scope_in_the_html_and_the_pdf(
    rendered: dict[str, Rendered],
) -> None:
    html = rendered["en"].html
    headers = re.findall(r"<th\b[^>]*>", html)
    assert len(headers) > 40
    assert [tag for tag in headers if not re.search(r'scope="(col|row)"', tag)] == []
    with pdf_ua.open_pdf(rendered["en"].pdf) as pdf:
        scopes = pdf_ua.header_scopes(pdf)
    # Column headers in each table's head, row headers down the first column.
    assert {scope for where, scope in scopes if where == "head"} == {"/Column"}
    assert {scope for where, scope in scopes if where == "body"} == {"/Row"}
    assert len(scopes) >= len(headers)  # a table split over two pages repeats its head


def test_each_charts_alternative_text_gives_its_numbers(rendered: dict[str, Rendered]) -> None:
    # A screen reader reads a figure's /Alt: the chart's name, then every bar's label and value.
    with pdf_ua.open_pdf(rendered["en"].pdf) as pdf:
        referrals, families, contacts, outcomes = pdf_ua.figure_alternatives(pdf)
    assert referrals == (
        "Referrals: received, accepted, declined and withdrawn. "
        "Received: 6; Accepted: 2; Declined: 3; Withdrawn: 1"
    )
    assert families == "Families served in each month of the quarter. April: 3; May: 1; June: 1"
    assert contacts.startswith("Contacts by type. Home visit: 2; Phone or text check-in: 1; ")
    assert outcomes.startswith("Children's outcomes in the quarter. Reunification with parents: 1;")
    assert outcomes.endswith(
        "Re-entered care within 12 months: 1; Re-entered care within 24 months: 2"
    )
    with pdf_ua.open_pdf(rendered["es"].pdf) as pdf:
        spanish = pdf_ua.figure_alternatives(pdf)
    assert spanish[1] == "Familias atendidas en cada mes del trimestre. abril: 3; mayo: 1; junio: 1"


def test_charts_numbers_are_also_printed_as_tables(rendered: dict[str, Rendered]) -> None:
    text = pdf_text(rendered["en"].pdf)
    assert "Month Families served April 3 May 1 June 1" in text
    assert "Outcome Children Reunification with parents 1 Living with other relatives 1" in text


def test_running_head_and_page_numbers_are_artifacts(rendered: dict[str, Rendered]) -> None:
    pdf = rendered["en"].pdf
    artifacts = pdf_ua.pagination_artifacts(pdf)
    assert 1 not in artifacts  # the cover has neither
    with pdf_ua.open_pdf(pdf) as opened:
        pages = len(opened.pages)
    # The running head's two sides and the page number, on every page after the cover.
    assert [page for page in range(2, pages + 1) if artifacts.get(page, 0) < 3] == []
    assert "Door County PSP · 2026 Q2" in pdf_text(pdf)


def test_numbers_and_money_in_english(rendered: dict[str, Rendered]) -> None:
    # Door's 18 people reached in the data set and 1,250 at the event added here; a $50
    # stipend and the $1,234.50 one.
    text = pdf_text(rendered["en"].pdf)
    assert "People reached 1,268" in text
    assert "Stipends paid 2 ($1,284.50)" in text
    assert "Hours of contact 6.8 0.3 +6.5" in text


def test_numbers_and_money_in_spanish_as_written_in_the_united_states(
    rendered: dict[str, Rendered],
) -> None:
    """Spanish-speaking readers in Wisconsin write numbers and dollars as the United States
    does (CLDR's es_US), not as Spain does (1.268, 1.284,50 US$)."""
    text = pdf_text(rendered["es"].pdf)
    assert "1,268" in text and "1.268" not in text
    assert "2 ($1,284.50)" in text and "US$" not in text
    assert "6.8 0.3 +6.5" in text and "6,8" not in text
    with pdf_ua.open_pdf(rendered["es"].pdf) as pdf:
        assert str(pdf.Root.Lang) == "es"


@pytest.mark.parametrize(
    ("language", "months"),
    [("en", ["April", "May", "June"]), ("es", ["abril", "mayo", "junio"])],
)
def test_the_families_chart_names_the_months_in_the_readers_language(
    rendered: dict[str, Rendered], language: str, months: list[str]
) -> None:
    """The chart's axis and its table say the quarter's months in the report's language."""
    html = rendered[language].html
    axis = re.findall(r"<text[^>]*>([^<]+)</text>", html)
    for month in months:
        assert month in axis, (month, axis)
    assert "April" not in html if language == "es" else "abril" not in html


def test_a_spanish_fourth_quarter_chart_says_diciembre(door: Any) -> None:
    report = Report(program=door, year=2026, quarter=4, suppressed=True, language="es")
    with (
        time_machine.travel(datetime.datetime(2027, 1, 1, 6, 30, tzinfo=datetime.UTC), tick=False),
        translation.override(report.language),
    ):
        rows = documents.chart_rows(documents.report_data(report))
        charts = documents.report_charts(rows)
    assert [label for label, _count in rows["families"][1]] == ["octubre", "noviembre", "diciembre"]
    assert ">diciembre</text>" in str(charts["families"])
    assert "December" not in str(charts["families"])
