"""Making a report in the background: the PDF and CSV on the hand-made data set (2026 Q2).

The task runs eagerly (CELERY_TASK_ALWAYS_EAGER in tests) once the request's transaction
commits, which ``django_capture_on_commit_callbacks(execute=True)`` stands in for.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.utils import translation
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from psp.models import AuditAction, AuditEntry, Program, User
from referrals.models import Parent, RaceEthnicity
from reporting import documents
from reporting.filing import filing_for
from reporting.models import Report, ReportStatus, ReportStep
from reporting.services import close_quarter, report_request
from tests import pdf_ua
from tests.reporting.conftest import Q2, Councils

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def make_report(django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> Any:
    def make(actor: User | None, program: Program | None) -> Report:
        with django_capture_on_commit_callbacks(execute=True):
            report = report_request(actor=actor, program=program, quarter=Q2)
        report.refresh_from_db()
        return report

    return make


def pdf_text(path: str) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", path, "-"], capture_output=True, check=True, text=True
    )
    return result.stdout


def pdf_pages(path: str) -> int:
    result = subprocess.run(["pdfinfo", path], capture_output=True, check=True, text=True)
    line = next(line for line in result.stdout.splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


def csv_rows(report: Report) -> dict[tuple[str, str], str]:
    with report.csv.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "metric", "value"]
    return {(section, metric): value for section, metric, value in rows[1:]}


def test_program_report_pdf_has_the_hand_counted_totals(
    data: Councils, door: Program, personas: dict[str, Any], make_report: Any
) -> None:
    report = make_report(personas["door_coordinator"], door)
    assert report.status == ReportStatus.DONE
    assert (report.progress, report.step) == (100, ReportStep.DONE)
    assert report.started_at and report.finished_at and report.error == ""
    text = pdf_text(report.pdf.path)
    assert "Door County PSP" in text
    assert "2026 quarter 2" in text
    squeezed = " ".join(text.split())
    assert "Referrals received 6 2 +4" in squeezed  # Q2, Q1, change
    assert "Families served 3 1 +2" in squeezed
    assert "Hours of contact 6.8 0.3 +6.5" in squeezed
    assert "Families served (each counted once) 3" in squeezed
    # CFSR permanency in 12 months: 1 of 1; re-entry: 0 of 1 (test_metrics), each with the
    # entries it follows.
    assert (
        "Permanency in 12 months for children entering care 1 of 1 100.0% too few to compare "
        "Children who entered care from Jul 1, 2024 to Jun 30, 2025"
    ) in squeezed
    assert (
        "Re-entry to care within 12 months of discharge 0 of 1 0.0% too few to compare "
        "Children who entered care from Jul 1, 2023 to Jun 30, 2024"
    ) in squeezed
    # The program's own coordinator asked: race/ethnicity counts in full.
    assert not report.suppressed
    assert "White 2" in squeezed and "Black or African American 1" in squeezed
    # Running head and page numbers on the pages after the cover; the appendix.
    assert "Door County PSP · 2026 Q2" in text
    assert "Page 2 of" in text
    assert "Appendix: how each number is counted" in text
    assert pdf_pages(report.pdf.path) >= 3


def test_pdf_is_tagged_with_a_title_and_language(
    data: Councils, door: Program, personas: dict[str, Any], make_report: Any
) -> None:
    report = make_report(personas["door_coordinator"], door)
    info = subprocess.run(
        ["pdfinfo", report.pdf.path], capture_output=True, check=True, text=True
    ).stdout
    assert "Parents Supporting Parents quarterly report: Door County PSP, 2026 Q2" in info
    assert "Tagged:          yes" in info
    metadata = subprocess.run(
        ["pdfinfo", "-meta", report.pdf.path], capture_output=True, check=True, text=True
    ).stdout
    assert 'pdfuaid:part="1"' in metadata  # PDF/UA-1
    with report.pdf.open("rb") as handle:
        raw = handle.read()
    assert raw.startswith(b"%PDF")
    # The catalog names the document's language.
    assert pdf_languages(report) == {b"en"}


def pdf_languages(report: Report) -> set[bytes]:
    """Every ``/Lang`` the PDF names: the document's (the catalog's) and any its tagged
    parts give, read with a PDF library rather than by searching the file's bytes (which
    found nothing when the catalog was not in a compressed stream)."""
    with report.pdf.open("rb") as handle, pikepdf.open(io.BytesIO(handle.read())) as pdf:
        found = {str(pdf.Root.get("/Lang", "")).encode()} - {b""}
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and "/Lang" in obj:
                found.add(str(obj.get("/Lang")).encode())
    return found


def test_a_spanish_speaking_coordinator_gets_the_report_in_spanish(
    data: Councils, door: Program, personas: dict[str, Any], make_report: Any
) -> None:
    coordinator = personas["door_coordinator"]
    coordinator.language = "es"
    coordinator.save()
    report = make_report(coordinator, door)
    assert report.status == ReportStatus.DONE
    assert report.language == "es"
    assert pdf_languages(report) == {b"es"}
    text = pdf_text(report.pdf.path)
    assert "Apéndice: cómo se cuenta cada cifra" in text
    assert "Door County PSP · T2 2026" in text
    assert "Appendix: how each number is counted" not in text


def test_the_english_report_when_asked_for(
    data: Councils,
    door: Program,
    personas: dict[str, Any],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    coordinator = personas["door_coordinator"]
    coordinator.language = "es"
    coordinator.save()
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(actor=coordinator, program=door, quarter=Q2, language="en")
    report.refresh_from_db()
    assert pdf_languages(report) == {b"en"}
    text = pdf_text(report.pdf.path)
    assert "Appendix: how each number is counted" in text
    assert "Apéndice" not in text


def test_pdf_html_has_the_svg_charts(data: Councils, door: Program) -> None:
    report = Report(program=door, year=2026, quarter=2, suppressed=False)
    with translation.override("en"):
        html = documents.render_html(documents.pdf_context(report, documents.report_data(report)))
    assert html.count("<svg") == 4
    for title in [
        "Referrals: received, accepted, declined and withdrawn",
        "Families served in each month of the quarter",
        "Contacts by type",
        "Children&#x27;s outcomes in the quarter",
    ]:
        assert re.search(f">{re.escape(title)}\\. [^<]+: \\d+", html)  # title, then numbers
    assert "<script" not in html
    assert "bootstrap" not in html.lower()


def test_a_family_never_asked_is_in_the_not_recorded_column(data: Councils, door: Program) -> None:
    # F2's only parent was never asked (blank). Door served F1 and F4 (white) and F2: white
    # 2, not recorded 1, and the column adds up to the 3 families served, in the PDF and CSV.
    Parent.objects.filter(family__program=door, race_ethnicity=RaceEthnicity.BLACK).update(
        race_ethnicity=""
    )
    report = Report(program=door, year=2026, quarter=2, suppressed=False)
    with translation.override("en"):
        numbers = documents.report_data(report)
        html = documents.render_html(documents.pdf_context(report, numbers))
        rows = {
            (section, metric): str(value)
            for section, metric, value in documents.csv_rows(report, numbers)
        }
    assert ("not_recorded", "Not recorded", "1") in numbers["race_rows"]
    assert ("black", "Black or African American", "0") in numbers["race_rows"]
    assert rows[("race_ethnicity", "white")] == "2"
    assert rows[("race_ethnicity", "not_recorded")] == "1"
    assert rows[("race_ethnicity", "total")] == rows[("families", "served")] == "3"
    assert re.search(r'<th scope="row">Not recorded</th><td class="num">1</td>', html)


def test_a_quarter_filed_before_not_recorded_keeps_its_columns(
    data: Councils, door: Program
) -> None:
    # Numbers filed before "Not recorded" was counted have no such column: the report prints
    # the eight columns it was filed with (white 2, Black 1, total 3), not a ninth.
    report = Report(program=door, year=2026, quarter=2, suppressed=False)
    numbers = documents.report_data(report)
    filed = dict(numbers["families_by_race_ethnicity"])
    del filed["not_recorded"]
    shown = documents.shaped(report, {**numbers, "families_by_race_ethnicity": filed})
    assert [code for code, _label, _shown in shown["race_rows"]] == list(RaceEthnicity.values)
    assert [code for code, _label in shown["race_columns"]] == list(RaceEthnicity.values)
    assert shown["race_total"] == "3"


def test_csv_has_the_same_numbers(
    data: Councils, door: Program, personas: dict[str, Any], make_report: Any
) -> None:
    report = make_report(personas["door_coordinator"], door)
    rows = csv_rows(report)
    assert rows[("report", "program")] == "door"
    assert rows[("report", "quarter")] == "2026 Q2"
    assert rows[("referrals", "received")] == "6"
    assert rows[("referrals", "declined_no_consent")] == "2"
    assert rows[("families", "served")] == "3"
    assert rows[("families", "average_per_month")] == "1.7"
    assert rows[("contacts", "hours")] == "6.8"
    assert rows[("contacts", "home_visit_count")] == "2"
    assert rows[("outcomes", "cfsr_permanency_12_months_numerator")] == "1"
    assert rows[("outcomes", "cfsr_permanency_12_months_denominator")] == "1"
    assert rows[("outcomes", "cfsr_permanency_12_months_percent")] == "100.0"
    assert rows[("outcomes", "cfsr_permanency_12_months_entered_from")] == "2024-07-01"
    assert rows[("outcomes", "cfsr_permanency_12_months_entered_to")] == "2025-06-30"
    assert rows[("summary", "referrals_received_change")] == "4"
    assert rows[("survey", "mean_change")] == "1.25"
    assert rows[("race_ethnicity", "white")] == "2"
    assert rows[("race_ethnicity", "total")] == "3"


def test_checksums_match_the_stored_files(
    data: Councils, door: Program, personas: dict[str, Any], make_report: Any
) -> None:
    report = make_report(personas["door_coordinator"], door)
    for stored, checksum in [(report.pdf, report.pdf_sha256), (report.csv, report.csv_sha256)]:
        with stored.open("rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == checksum
    assert report.pdf.name.startswith("reports/")
    assert report.pdf.name.endswith(".pdf")


def test_statewide_report_hides_small_counts(
    data: Councils, personas: dict[str, Any], make_report: Any, close_everywhere: Any
) -> None:
    close_everywhere()
    report = make_report(personas["state"], None)
    assert report.filing is not None
    assert report.suppressed
    rows = csv_rows(report)
    # Statewide: white 2, Black 1, Asian 1 -> all small, all hidden; the total is the
    # families served, printed above it anyway.
    assert rows[("race_ethnicity", "white")] == "*"
    assert rows[("race_ethnicity", "asian")] == "*"
    assert rows[("race_ethnicity", "total")] == "4"
    # The table by program: Door's white 2 and Black 1, Rock's Asian 1.
    assert rows[("race_ethnicity_by_program", "door.white")] == "*"
    assert rows[("race_ethnicity_by_program", "door.total")] == "3"
    assert rows[("race_ethnicity_by_program", "rock.asian")] == "*"
    squeezed = " ".join(pdf_text(report.pdf.path).split())
    assert "Statewide" in squeezed
    assert "White *" in squeezed
    assert "White 2" not in squeezed
    assert "Families served by program and race or ethnicity" in squeezed
    # Its last row: the eight answers and "Not recorded", every one hidden, and the total.
    assert "Statewide * * * * * * * * * 4" in squeezed
    assert "Referrals received 7" in squeezed
    # The wide table by program is tagged as the rest: every header with its scope.
    with report.pdf.open("rb") as handle:
        assert pdf_ua.problems(handle.read(), language="en") == []


def test_program_report_for_state_staff_hides_small_counts(
    data: Councils,
    door: Program,
    personas: dict[str, Any],
    make_report: Any,
    close_everywhere: Any,
) -> None:
    close_everywhere()
    report = make_report(personas["state"], door)
    assert report.suppressed
    assert csv_rows(report)[("race_ethnicity", "white")] == "*"


def test_report_for_state_staff_leaves_race_out_until_every_program_has_closed(
    data: Councils,
    door: Program,
    rock: Program,
    personas: dict[str, Any],
    make_report: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Two drafts of an open quarter could be subtracted: neither shows the table.
    report = make_report(personas["state"], door)
    rows = csv_rows(report)
    assert rows[("report", "status")] == "draft"
    assert rows[("race_ethnicity", "shown")].startswith("no")
    assert ("race_ethnicity", "white") not in rows
    assert "Not shown yet" in " ".join(pdf_text(report.pdf.path).split())
    # Door closes: Door's own report is filed; Rock is still open, so still no table for
    # state staff, and no statewide closing yet.
    with django_capture_on_commit_callbacks(execute=True):
        close_quarter(actor=personas["door_coordinator"], program=door, quarter=Q2)
    assert filing_for(None, Q2) is None
    assert ("race_ethnicity", "white") not in csv_rows(make_report(personas["state"], door))
    # Its coordinator sees every count (Door served white 2 and Black 1 in Q2).
    own = csv_rows(make_report(personas["door_coordinator"], door))
    assert (own[("race_ethnicity", "white")], own[("race_ethnicity", "black")]) == ("2", "1")
    # Rock closes last: the statewide quarter closes, and the reports for state staff are
    # made (statewide, Door, Rock), each showing the table.
    with django_capture_on_commit_callbacks(execute=True):
        close_quarter(actor=personas["rock_coordinator"], program=rock, quarter=Q2)
    statewide = filing_for(None, Q2)
    assert statewide is not None and statewide.closed_by is None
    made = Report.objects.filter(filing__isnull=False, suppressed=True, requested_by=None)
    assert sorted(str(report.scope_label) for report in made) == [
        "Door County PSP", "Rock County PSP", "Statewide"
    ]  # fmt: skip
    for report in made:
        assert csv_rows(report)[("race_ethnicity", "white")] == "*"


def test_request_is_audited(
    data: Councils, door: Program, personas: dict[str, Any], make_report: Any
) -> None:
    report = make_report(personas["door_coordinator"], door)
    entry = AuditEntry.objects.get(object_type="reporting.report", object_id=str(report.pk))
    assert entry.action == AuditAction.CREATE
    assert entry.program_id == door.pk
    assert entry.changes["quarter"] == 2


def test_failure_is_recorded_in_plain_words(
    data: Councils,
    door: Program,
    personas: dict[str, Any],
    make_report: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(html: str) -> bytes:
        raise RuntimeError("cairo exploded")

    monkeypatch.setattr(documents, "render_pdf", broken)
    report = make_report(personas["door_coordinator"], door)
    assert report.status == ReportStatus.FAILED
    assert report.step == ReportStep.PDF
    assert "“Laying out the PDF”" in report.error
    assert "Try again" in report.error
    assert "cairo" not in report.error  # the details go to the log
    assert "cairo exploded" in caplog.text
    assert not report.pdf and not report.csv
    assert report.finished_at is not None
