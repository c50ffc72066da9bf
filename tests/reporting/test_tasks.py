"""The quarterly run (Celery beat) and the task's own guards."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from psp.models import AuditAction, AuditEntry, Program
from reporting import documents
from reporting.models import Report, ReportStatus
from reporting.quarters import Quarter
from reporting.schedule import generate_last_quarter
from reporting.tasks import generate_report
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def quick_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about which reports are made, not their layout."""
    monkeypatch.setattr(documents, "render_pdf", lambda html: b"%PDF-1.7 quick")


def test_beat_runs_it_at_two_on_the_first_day_of_each_quarter() -> None:
    entry = django_settings.CELERY_BEAT_SCHEDULE["reporting-last-quarter"]
    assert entry["task"] == "reporting.generate_last_quarter"
    assert entry["schedule"] == crontab(hour=2, minute=0, day_of_month=1, month_of_year="1,4,7,10")


def test_makes_every_active_programs_report_and_the_statewide_one(
    door: Program,
    rock: Program,
    quick_pdf: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    ProgramFactory(slug="closed", county="Closed", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        made = generate_last_quarter.delay().get()
    reports = Report.objects.filter(pk__in=made)
    quarter = Quarter.last_completed()
    assert {report.program for report in reports} == {None, door, rock}
    for report in reports:
        assert (report.year, report.quarter) == (quarter.year, quarter.number)
        assert report.requested_by is None
        assert report.suppressed  # for state staff to read
        assert report.status == ReportStatus.DONE
    # Only these reports' entries: the append-only audit log keeps earlier tests' entries.
    created = AuditEntry.objects.filter(
        action=AuditAction.CREATE,
        object_type="reporting.report",
        object_id__in=[str(pk) for pk in made],
    )
    assert created.count() == 3
    assert set(created.values_list("actor_id", flat=True)) == {None}


def test_skips_reports_already_done_or_on_their_way(
    door: Program,
    rock: Program,
    personas: dict[str, Any],
    quick_pdf: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    quarter = Quarter.last_completed()
    period = {"year": quarter.year, "quarter": quarter.number}
    Report.objects.create(program=door, status=ReportStatus.DONE, **period)
    Report.objects.create(program=None, status=ReportStatus.RUNNING, **period)
    # Not skipped: failed, lost long ago, for an older quarter, or shown to Rock only.
    Report.objects.create(program=rock, status=ReportStatus.FAILED, **period)
    Report.objects.create(
        program=rock,
        status=ReportStatus.QUEUED,
        created_at=timezone.now() - datetime.timedelta(hours=2),
        **period,
    )
    Report.objects.create(
        program=rock, status=ReportStatus.DONE, year=quarter.previous().year,
        quarter=quarter.previous().number,
    )  # fmt: skip
    Report.objects.create(program=rock, status=ReportStatus.DONE, suppressed=False, **period)
    with django_capture_on_commit_callbacks(execute=True):
        made = generate_last_quarter()
    assert [Report.objects.get(pk=pk).program for pk in made] == [rock]

    with django_capture_on_commit_callbacks(execute=True):
        assert generate_last_quarter() == []


def test_a_finished_report_is_not_made_twice(door: Program, quick_pdf: None) -> None:
    report = Report.objects.create(program=door, year=2026, quarter=2, status=ReportStatus.DONE)
    assert generate_report(report.pk) == ReportStatus.DONE
    report.refresh_from_db()
    assert not report.pdf


def test_a_deleted_report_is_ignored(db: None) -> None:
    assert generate_report(123456) == "missing"


def test_the_quarterly_run_makes_the_quarter_before_todays_at_any_hour(
    at_local: datetime.datetime, door: Program
) -> None:
    """On 1 January the run makes October to December; on 31 March, October to December
    still; on 1 April, January to March. The reports themselves are made after commit."""
    expected = Quarter.from_date(at_local.date()).previous()
    made = generate_last_quarter()
    assert {(report.year, report.quarter) for report in Report.objects.filter(pk__in=made)} == {
        (expected.year, expected.number)
    }
