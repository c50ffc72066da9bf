"""Background jobs for reporting: making a report's PDF and CSV, and the quarterly run.

``generate_report`` records its progress on the row as it goes (cheap ``UPDATE``s the page
polls) and never raises: a failure is written on the report, in plain words, for the person
waiting for it, and the traceback goes to the log. WeasyPrint holds on to memory, so the
worker is recycled after ``CELERY_WORKER_MAX_TASKS_PER_CHILD`` tasks (settings).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from psp.models import Program
from reporting import documents
from reporting.models import STALE_AFTER, Report, ReportStatus, ReportStep
from reporting.quarters import Quarter

logger = logging.getLogger(__name__)


def _advance(report_id: int, progress: int, step: str, **fields: Any) -> None:
    Report.objects.filter(pk=report_id).update(progress=progress, step=step, **fields)


@shared_task(name="reporting.generate_report", soft_time_limit=15 * 60, time_limit=16 * 60)
def generate_report(report_id: int) -> str:
    """Make report ``report_id``'s PDF and CSV; returns its final status."""
    report = Report.objects.select_related("program", "requested_by").filter(pk=report_id).first()
    if report is None:
        return "missing"
    if report.is_finished:  # delivered twice: the first run finished it
        return report.status
    report.started_at = timezone.now()
    _advance(
        report_id, 5, ReportStep.METRICS, status=ReportStatus.RUNNING, started_at=report.started_at
    )
    step = ReportStep.METRICS
    with translation.override(settings.LANGUAGE_CODE):
        try:
            data = documents.report_data(report)
            step = ReportStep.CHARTS
            _advance(report_id, 35, step)
            context = documents.pdf_context(report, data)
            step = ReportStep.PDF
            _advance(report_id, 45, step)
            pdf = documents.render_pdf(documents.render_html(context))
            step = ReportStep.CSV
            _advance(report_id, 85, step)
            csv = documents.render_csv(report, data)
            step = ReportStep.SAVING
            _advance(report_id, 92, step)
            _store(report, pdf=pdf, csv=csv)
        except Exception as error:  # any failure must reach the person waiting for the report
            logger.exception("Report %s failed at the step %r", report_id, step)
            _discard_files(report)
            Report.objects.filter(pk=report_id).update(
                status=ReportStatus.FAILED,
                finished_at=timezone.now(),
                error=_explain(error, step, report_id),
            )
            return ReportStatus.FAILED
    return ReportStatus.DONE


def _store(report: Report, *, pdf: bytes, csv: bytes) -> None:
    stem = report.file_stem()
    report.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
    report.csv.save(f"{stem}.csv", ContentFile(csv), save=False)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.DONE,
        progress=100,
        step=ReportStep.DONE,
        finished_at=timezone.now(),
        pdf=report.pdf.name,
        csv=report.csv.name,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        csv_sha256=hashlib.sha256(csv).hexdigest(),
        error="",
    )


def _discard_files(report: Report) -> None:
    """A half-made report keeps no files."""
    for stored in (report.pdf, report.csv):
        if stored.name:
            try:
                stored.delete(save=False)
            except OSError:
                logger.warning("Could not remove %s of a failed report", stored.name)


def _explain(error: Exception, step: str, report_id: int) -> str:
    if isinstance(error, SoftTimeLimitExceeded):
        what = _("It took too long to make.")
    else:
        what = _("It stopped at the step “%(step)s”.") % {"step": ReportStep(step).label}
    return " ".join(
        [
            what,
            _("Nothing was saved. Try again. If it fails again, ask your administrator to look "
              "for report %(number)s in the server log.") % {"number": report_id},
        ]
    )  # fmt: skip


@shared_task(name="reporting.generate_last_quarter")
def generate_last_quarter() -> list[int]:
    """After a quarter ends (Celery beat): the statewide report and one for every active
    program, unless one that state staff may read is already done or on its way. Returns the
    new reports' ids."""
    from reporting.services import report_request  # services imports this module

    quarter = Quarter.last_completed()
    recent = timezone.now() - STALE_AFTER
    have = set(
        Report.objects.filter(year=quarter.year, quarter=quarter.number, suppressed=True)
        .filter(
            Q(status=ReportStatus.DONE)
            | Q(status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING], created_at__gte=recent)
        )
        .values_list("program_id", flat=True)
    )
    made = []
    for program in [None, *Program.objects.filter(is_active=True).order_by("name")]:
        if (program.pk if program else None) in have:
            continue
        made.append(report_request(actor=None, program=program, quarter=quarter).pk)
    return made
