"""The report pages: asking for a report, watching it, downloading it, and who may."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks, Settings

from psp.models import AuditAction, AuditEntry, Program, User
from reporting import documents
from reporting.models import Report, ReportStatus, ReportStep
from reporting.quarters import Quarter
from tests.factories import ProgramFactory
from tests.reporting.conftest import Councils

pytestmark = pytest.mark.django_db

Q2_2026 = {"quarter": "2026-2"}


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def finished(program: Program | None, *, suppressed: bool = True, **fields: Any) -> Report:
    report = Report(
        program=program,
        year=2026,
        quarter=2,
        suppressed=suppressed,
        status=ReportStatus.DONE,
        progress=100,
        step=ReportStep.DONE,
        finished_at=timezone.now(),
        pdf_sha256="a" * 64,
        csv_sha256="b" * 64,
        **fields,
    )
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    report.csv.save("report.csv", ContentFile(b"section,metric,value\r\n"), save=False)
    report.save()
    return report


def post_generate(client: Client, data: dict[str, str], capture: Any) -> Any:
    with capture(execute=True):
        return client.post("/reports/generate/", data)


# --- Asking for a report ---------------------------------------------------------------


def test_coordinator_generates_a_report_and_sees_it_ready(
    data: Councils,
    door: Program,
    personas: dict[str, Any],
    client_for: Callable[[User | None], Client],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = client_for(personas["door_coordinator"])
    response = post_generate(
        client, {**Q2_2026, "program": str(door.pk)}, django_capture_on_commit_callbacks
    )
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{report.pk}/"
    assert (report.program, report.period.label, report.requested_by) == (
        door,
        "2026 Q2",
        personas["door_coordinator"],
    )
    assert report.status == ReportStatus.DONE
    page = client.get(response["Location"]).content.decode()
    assert "Ready" in page
    assert f'href="/reports/{report.pk}/pdf/"' in page
    assert f'href="/reports/{report.pk}/csv/"' in page
    assert 'hx-trigger="every 2s"' not in page  # finished: no more polling


def test_form_offers_only_what_the_user_may_ask_for(
    door: Program,
    rock: Program,
    personas: dict[str, Any],
    client_for: Callable[[User | None], Client],
) -> None:
    coordinator = client_for(personas["door_coordinator"]).get("/reports/")
    programs = [value for value, _label in coordinator.context["form"].fields["program"].choices]
    assert programs == [str(door.pk)]
    quarters = coordinator.context["form"].fields["quarter"].choices
    assert len(quarters) == 6
    state = client_for(personas["state"]).get("/reports/")
    choices = [value for value, _label in state.context["form"].fields["program"].choices]
    assert choices == ["statewide", str(door.pk), str(rock.pk)]
    # The Parent Partner Coordinator reads reports but does not ask for them.
    assert client_for(personas["door_pp_coordinator"]).get("/reports/").context["form"] is None


def test_other_programs_coordinator_cannot_ask_for_ours(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    response = client_for(personas["rock_coordinator"]).post(
        "/reports/generate/", {**Q2_2026, "program": str(door.pk)}
    )
    assert response.status_code == 200
    assert "Choose a program from the list." in response.content.decode()
    assert not Report.objects.exists()


def test_coordinator_cannot_ask_for_the_statewide_report(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    response = client_for(personas["door_coordinator"]).post(
        "/reports/generate/", {**Q2_2026, "program": "statewide"}
    )
    assert response.status_code == 200
    assert "Choose a program from the list." in response.content.decode()
    assert not Report.objects.exists()


def test_quarter_not_yet_over_is_refused(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    this_quarter = timezone.localdate()
    value = f"{this_quarter.year}-{(this_quarter.month - 1) // 3 + 1}"
    response = client_for(personas["door_coordinator"]).post(
        "/reports/generate/", {"quarter": value, "program": str(door.pk)}
    )
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Choose a quarter that has ended." in page
    assert not Report.objects.exists()


def test_parent_partner_coordinator_may_not_ask(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    response = client_for(personas["door_pp_coordinator"]).post(
        "/reports/generate/", {**Q2_2026, "program": str(door.pk)}
    )
    assert response.status_code == 403


# --- Progress and failure --------------------------------------------------------------


def test_status_part_polls_while_the_report_is_made(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    report = Report.objects.create(
        program=door,
        year=2026,
        quarter=2,
        status=ReportStatus.RUNNING,
        progress=45,
        step=ReportStep.PDF,
    )
    response = client_for(personas["door_coordinator"]).get(f"/reports/{report.pk}/status/")
    part = response.content.decode()
    assert f'hx-get="/reports/{report.pk}/status/"' in part
    assert 'hx-trigger="every 2s"' in part
    assert 'value="45"' in part
    assert "Being made: Laying out the PDF" in part
    assert "<html" not in part  # the part alone


def test_lost_report_stops_polling_and_offers_to_try_again(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    report = Report.objects.create(
        program=door,
        year=2026,
        quarter=2,
        status=ReportStatus.RUNNING,
        created_at=timezone.now() - datetime.timedelta(hours=1),
    )
    part = client_for(personas["door_coordinator"]).get(f"/reports/{report.pk}/status/")
    text = part.content.decode()
    assert "hx-trigger" not in text
    assert "Try again" in text


def test_failed_report_shows_the_error_and_try_again_makes_a_new_one(
    data: Councils,
    door: Program,
    personas: dict[str, Any],
    client_for: Callable[[User | None], Client],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(html: str) -> bytes:
        raise MemoryError("out of memory in the layout")

    monkeypatch.setattr(documents, "render_pdf", broken)
    client = client_for(personas["door_coordinator"])
    response = post_generate(
        client, {**Q2_2026, "program": str(door.pk)}, django_capture_on_commit_callbacks
    )
    failed = Report.objects.get()
    assert failed.status == ReportStatus.FAILED
    page = client.get(response["Location"]).content.decode()
    assert "The report could not be made" in page
    assert "Laying out the PDF" in page
    assert "memory" not in page
    assert "Try again" in page
    assert 'name="quarter" value="2026-2"' in page
    assert f'name="program" value="{door.pk}"' in page
    assert "hx-trigger" not in page

    monkeypatch.undo()
    again = post_generate(
        client, {**Q2_2026, "program": str(door.pk)}, django_capture_on_commit_callbacks
    )
    retried = Report.objects.exclude(pk=failed.pk).get()
    assert again["Location"] == f"/reports/{retried.pk}/"
    assert retried.status == ReportStatus.DONE


def test_pp_coordinator_sees_a_failure_without_try_again(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    report = Report.objects.create(
        program=door, year=2026, quarter=2, status=ReportStatus.FAILED, error="It broke."
    )
    page = client_for(personas["door_pp_coordinator"]).get(f"/reports/{report.pk}/").content
    assert b"It broke." in page
    assert b"Try again" not in page
    assert b"Ask your Program Coordinator" in page


# --- Downloads ---------------------------------------------------------------------------


def test_download_is_audited_and_named(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    report = finished(door)
    response = client_for(personas["state"]).get(f"/reports/{report.pk}/pdf/")
    assert response.status_code == 200
    assert response.getvalue().startswith(b"%PDF")  # joins the streamed file
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="psp-report-door-2026-q2.pdf"' in response["Content-Disposition"]
    assert "attachment" in response["Content-Disposition"]
    # This report's entries only: the append-only audit log may hold earlier tests' too.
    exports = AuditEntry.objects.filter(
        action=AuditAction.EXPORT, object_type="reporting.report", object_id=str(report.pk)
    )
    entry = exports.get()
    assert entry.actor_id == personas["state"].pk
    assert entry.changes == {"file": "pdf", "sha256": "a" * 64}

    csv = client_for(personas["door_pp_coordinator"]).get(f"/reports/{report.pk}/csv/")
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="psp-report-door-2026-q2.csv"' in csv["Content-Disposition"]
    assert exports.count() == 2


def test_statewide_download_name(
    personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    report = finished(None)
    response = client_for(personas["state"]).get(f"/reports/{report.pk}/csv/")
    assert 'filename="psp-report-statewide-2026-q2.csv"' in response["Content-Disposition"]


def test_unfinished_report_has_nothing_to_download(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    report = Report.objects.create(program=door, year=2026, quarter=2)
    response = client_for(personas["door_coordinator"]).get(f"/reports/{report.pk}/pdf/")
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(
        action=AuditAction.EXPORT, object_type="reporting.report", object_id=str(report.pk)
    ).exists()


def test_missing_file_is_a_404_not_a_crash(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    report = finished(door)
    report.pdf.storage.delete(report.pdf.name)
    response = client_for(personas["door_coordinator"]).get(f"/reports/{report.pk}/pdf/")
    assert response.status_code == 404


def test_other_program_gets_404(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    report = finished(door)
    client = client_for(personas["rock_coordinator"])
    for suffix in ["", "status/", "pdf/", "csv/"]:
        assert client.get(f"/reports/{report.pk}/{suffix}").status_code == 404


def test_state_staff_never_see_a_report_with_small_counts_shown(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    private = finished(door, suppressed=False, requested_by=personas["door_coordinator"])
    shared = finished(door)
    client = client_for(personas["state"])
    assert client.get(f"/reports/{private.pk}/pdf/").status_code == 404
    listed = list(client.get("/reports/").context["page"].object_list)
    assert listed == [shared]
    coordinator = client_for(personas["door_coordinator"]).get("/reports/")
    assert list(coordinator.context["page"].object_list) == [shared, private]


# --- The list ----------------------------------------------------------------------------


def test_list_is_newest_first_with_status_and_links(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    older = finished(door, created_at=timezone.now() - datetime.timedelta(days=2))
    failed = Report.objects.create(program=door, year=2026, quarter=1, status=ReportStatus.FAILED)
    response = client_for(personas["door_coordinator"]).get("/reports/")
    assert list(response.context["page"].object_list) == [failed, older]
    page = response.content.decode()
    assert "Failed" in page and "Ready" in page
    assert f'href="/reports/{older.pk}/pdf/"' in page
    assert f'href="/reports/{failed.pk}/pdf/"' not in page


def test_nav_has_reports_for_coordinators_and_state_only(
    personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    for persona, shown in [
        ("door_coordinator", True),
        ("door_pp_coordinator", True),
        ("state", True),
        ("door_parent_partner", False),
        ("admin", False),
    ]:
        page = client_for(personas[persona]).get("/dashboard/").content.decode()
        assert ('href="/reports/"' in page) is shown, persona


@pytest.mark.parametrize("persona", ["door_coordinator", "state"])
def test_list_query_count_does_not_grow_with_reports(
    door: Program,
    personas: dict[str, Any],
    client_for: Callable[[User | None], Client],
    django_assert_max_num_queries: DjangoAssertNumQueries,
    persona: str,
) -> None:
    ProgramFactory(slug="jefferson", county="Jefferson")
    client = client_for(personas[persona])
    for _ in range(3):
        finished(door, requested_by=personas["door_coordinator"])
    client.get("/reports/")  # warm the session
    # 12, and 4 for where closing the last quarter stands (its closings, the programs that
    # must close it, the statewide closing).
    with django_assert_max_num_queries(16) as three:
        client.get("/reports/")
    for _ in range(27):
        Report.objects.create(program=door, year=2026, quarter=1, status=ReportStatus.FAILED)
    with django_assert_max_num_queries(len(three.captured_queries)):
        response = client.get("/reports/")
    assert len(response.context["page"].object_list) == 25


def test_admin_lists_reports_read_only(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    report = finished(door)
    client = client_for(personas["admin"])
    assert client.get("/admin/reporting/report/").status_code == 200
    assert client.get(f"/admin/reporting/report/{report.pk}/change/").status_code == 200
    assert client.get("/admin/reporting/report/add/").status_code == 403


def test_last_quarter_may_be_asked_for_and_this_one_not_at_any_hour(
    at_local: datetime.datetime,
    door: Program,
    personas: dict[str, Any],
    client_for: Callable[[User | None], Client],
) -> None:
    this_quarter = Quarter.from_date(at_local.date())
    last_quarter = this_quarter.previous()
    client = client_for(personas["door_coordinator"])
    refused = client.post(
        "/reports/generate/",
        {"quarter": f"{this_quarter.year}-{this_quarter.number}", "program": str(door.pk)},
    )
    assert "Choose a quarter that has ended." in refused.content.decode()
    asked = client.post(
        "/reports/generate/",
        {"quarter": f"{last_quarter.year}-{last_quarter.number}", "program": str(door.pk)},
    )
    assert asked.status_code == 302
    report = Report.objects.get()
    assert (report.year, report.quarter) == (last_quarter.year, last_quarter.number)


def test_detail_names_the_small_count_threshold_as_set(
    personas: dict[str, Any], client_for: Any, settings: Any
) -> None:
    settings.PSP_SMALL_COUNT_THRESHOLD = 11
    report = finished(None)
    page = client_for(personas["state"]).get(f"/reports/{report.pk}/").content.decode()
    assert "Race and ethnicity counts from 1 to 10 are hidden" in page
    assert "1 to 4" not in page


def test_an_analyst_reading_spanish_may_still_ask_for_the_english_report(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    analyst = personas["state"]
    analyst.language = "es"
    analyst.save()
    client = client_for(analyst)
    page = client.get("/reports/").content.decode()
    assert "Idioma del informe" in page
    form = client.get("/reports/").context["form"]
    assert form["language"].value() == "es"
    # Each option's label is marked as written in its own language.
    labels = BeautifulSoup(page, "html.parser").select('input[name="language"] + label span')
    assert [(label["lang"], label.get_text()) for label in labels] == [
        ("en", "English"),
        ("es", "Español"),
        ("hmn", "Hmoob"),
    ]
    # Not run here (no commit in this test): only what was asked for is looked at.
    client.post("/reports/generate/", {**Q2_2026, "program": str(door.pk), "language": "en"})
    client.post("/reports/generate/", {**Q2_2026, "program": str(door.pk)})
    assert list(Report.objects.order_by("pk").values_list("language", flat=True)) == ["en", "es"]
    response = client.post(
        "/reports/generate/", {**Q2_2026, "program": str(door.pk), "language": "xx"}
    )
    assert "Elija un idioma de la lista." in response.content.decode()
    assert Report.objects.count() == 2
