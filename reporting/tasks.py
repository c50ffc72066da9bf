"""Background jobs for reporting: making a report's PDF and CSV (the quarterly run that
asks for them is ``reporting.schedule``).

``generate_report`` records its progress on the row as it goes (cheap ``UPDATE``s the page
polls) and never raises: a failure is written on the report, in plain words, for the person
waiting for it, and the traceback goes to the log. WeasyPrint holds on to memory, so the
worker is recycled after ``CELERY_WORKER_MAX_TASKS_PER_CHILD`` tasks (settings).

It is safe to run twice: the message is acknowledged only when the task ends, so a report
whose worker was killed is delivered again (settings: ``CELERY_TASK_ACKS_LATE``,
``CELERY_TASK_REJECT_ON_WORKER_LOST``, the visibility timeout). One run at a time holds a
PostgreSQL advisory lock on the report (released by PostgreSQL if its worker dies); another
run finds it taken and leaves, and a run finds a finished report finished. The files get
names of their own per report, which a second run replaces rather than adds to.

``send_report`` hands a report to the broker and returns False instead of failing when the
broker is down; ``requeue_waiting`` (Celery beat, and each worker as it starts) sends again
the reports that were never sent or whose worker died.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import connection
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reporting import comparison, dashboards, documents, filing, outcomes
from reporting.models import (
    WAITING_LONG_AFTER,
    ComparisonEpisode,
    ComparisonExtract,
    ExtractStatus,
    OutcomeComparison,
    OutcomeStatus,
    Report,
    ReportStatus,
    ReportStep,
)

logger = logging.getLogger(__name__)

# The first key of the advisory locks a report run holds (the second is the report's id).
LOCK_NAMESPACE = 7_301
# A report still queued after this long was probably never sent (the broker was down).
REQUEUE_AFTER = WAITING_LONG_AFTER
# How hard a request tries to reach the broker before it leaves the report for requeue_waiting.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5,
                        "interval_max": 1}  # fmt: skip
TIME_LIMIT = 16 * 60


def send_report(report_id: int) -> bool:
    """Queue report ``report_id`` for a worker; False when the broker cannot be reached (the
    report stays queued and ``requeue_waiting`` sends it later)."""
    try:
        generate_report.apply_async((report_id,), retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as error:  # noqa: BLE001 - kombu, redis and socket errors alike
        logger.warning("Report %s could not be sent to the worker (%s); it waits", report_id, error)
        return False
    return True


@contextmanager
def _running_alone(report_id: int) -> Iterator[bool]:
    """True while this is the only run making the report (PostgreSQL); elsewhere (SQLite, the
    embedded default, with tasks run in-process) always True."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, report_id])
        alone = bool(cursor.fetchone()[0])
    try:
        yield alone
    finally:
        if alone:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, report_id])
            except Exception:  # noqa: BLE001 - a lost connection has released it already
                logger.warning("Report %s: could not release its lock", report_id)


def _being_made(report: Report) -> bool:
    """Whether a live run holds the report (a running report without one was abandoned)."""
    if connection.vendor != "postgresql":
        started = report.started_at or report.created_at
        return timezone.now() - started < datetime.timedelta(seconds=TIME_LIMIT)
    with _running_alone(report.pk) as alone:
        return not alone


def _advance(report_id: int, progress: int, step: str, **fields: Any) -> None:
    Report.objects.filter(pk=report_id).update(progress=progress, step=step, **fields)


@shared_task(
    name="reporting.generate_report",
    soft_time_limit=TIME_LIMIT - 60,
    time_limit=TIME_LIMIT,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def generate_report(report_id: int) -> str:
    """Make report ``report_id``'s PDF and CSV; returns its final status."""
    with _running_alone(report_id) as alone:
        if not alone:  # delivered twice: another worker is making it now
            return "busy"
        return _generate(report_id)


def _generate(report_id: int) -> str:
    report = (
        Report.objects.select_related(
            "program", "requested_by", "filing__program", "filing__closed_by"
        )
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        return "missing"
    if report.is_finished:  # delivered twice: the first run finished it
        return report.status
    report.started_at = timezone.now()
    _advance(
        report_id, 5, ReportStep.METRICS, status=ReportStatus.RUNNING, started_at=report.started_at
    )
    step = ReportStep.METRICS
    # In the language it was asked for (the PDF's /Lang follows the page's lang).
    with translation.override(report.language or settings.LANGUAGE_CODE):
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
    # Named after the report itself, so that a second run (its worker was killed after
    # writing) replaces the first run's files instead of storing a second copy.
    stem = f"{report.file_stem()}-{report.pk}"
    for stored, content, extension in ((report.pdf, pdf, "pdf"), (report.csv, csv, "csv")):
        name = stored.field.generate_filename(report, f"{stem}.{extension}")
        if stored.storage.exists(name):
            stored.storage.delete(name)
        stored.save(name.rsplit("/", 1)[-1], ContentFile(content), save=False)
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


@shared_task(name="reporting.requeue_waiting", ignore_result=True)
def requeue_waiting() -> list[int]:
    """Send again the reports still queued a while after they were asked for (the broker was
    down) and those left running by a worker that died. A report sent twice is made once.
    Returns the ids sent."""
    waiting = Report.objects.filter(
        Q(status=ReportStatus.QUEUED, created_at__lt=timezone.now() - REQUEUE_AFTER)
        | Q(status=ReportStatus.RUNNING)
    ).order_by("created_at", "pk")
    sent = []
    for report in waiting:
        if report.status == ReportStatus.RUNNING and _being_made(report):
            continue
        if not send_report(report.pk):
            break  # the broker is still down; the next run tries again
        sent.append(report.pk)
    return sent


@shared_task(name="reporting.find_amendments", ignore_result=True)
def find_amendments() -> int:
    """Nightly (Celery beat): look for changes to the recently filed quarters' numbers
    (``reporting.filing``). Returns how many amendments those quarters have."""
    today = timezone.localdate()
    return sum(filing.find_amendments(closing) for closing in filing.recent_filings(today))


@shared_task(name="reporting.refresh_dashboard_numbers", ignore_result=True)
def refresh_dashboard_numbers() -> int:
    """Every few minutes (Celery beat, ``REFRESH_DASHBOARDS_SECONDS``), before they expire:
    the dashboards' numbers of every program and statewide, so that no visitor waits seconds
    for them (``reporting.dashboards.refresh_numbers``). Returns how many programs."""
    return dashboards.refresh_numbers()


@worker_ready.connect
def _requeue_when_a_worker_starts(**kwargs: Any) -> None:
    requeue_waiting.delay()
    refresh_dashboard_numbers.delay()


# --- The state comparison extract -----------------------------------------------------------

# How many accepted rows go to the database at a time, and how often the page's progress
# bar moves (rows read).
EXTRACT_BATCH_SIZE = 2_000
EXTRACT_PROGRESS_EVERY = 5_000
# The most problems kept on the extract for its page (all are counted).
EXTRACT_PROBLEMS_KEPT = 500
EXTRACT_TIME_LIMIT = 30 * 60


def extract_storage() -> Storage:
    """The private storage of families' documents (``STORAGES["documents"]``): no address
    serves it. Comparison extracts are kept there under ``comparison-extracts/``."""
    return storages["documents"]


def delete_extract_file(name: str) -> None:
    try:
        extract_storage().delete(name)
    except OSError:
        logger.warning("Could not remove the comparison extract file %s", name)


@shared_task(
    name="reporting.check_comparison_extract",
    soft_time_limit=EXTRACT_TIME_LIMIT - 60,
    time_limit=EXTRACT_TIME_LIMIT,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def check_comparison_extract(extract_id: int) -> str:
    """Read and check extract ``extract_id``'s file (``reporting.comparison``), store its
    accepted rows, and end it ``checked`` (with its counts and first problems), ``refused``
    (the whole file, with the reason) or ``failed`` (anything unexpected: its rows are
    deleted). Never raises; returns the final status. Its file is deleted at the end.

    Delivered again after its worker died, it starts over: the rows of the first run are
    deleted first."""
    extract = ComparisonExtract.objects.select_related("uploaded_by").filter(pk=extract_id).first()
    if extract is None:
        return "missing"
    if extract.status != ExtractStatus.CHECKING:  # delivered twice: the first run ended it
        return extract.status
    language = extract.uploaded_by.language_or_default if extract.uploaded_by else None
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            status = _check_extract(extract)
        except Exception:  # any failure must reach the person waiting, and leave nothing
            logger.exception("Comparison extract %s failed", extract_id)
            ComparisonEpisode.objects.filter(extract_id=extract_id).delete()
            ComparisonExtract.objects.filter(pk=extract_id).update(
                status=ExtractStatus.FAILED, finished_at=timezone.now(), stored_name=""
            )
            status = ExtractStatus.FAILED
    if extract.stored_name:
        delete_extract_file(extract.stored_name)
    return status


def _check_extract(extract: ComparisonExtract) -> str:
    ComparisonEpisode.objects.filter(extract_id=extract.pk).delete()  # an earlier run's
    period = comparison.Period(extract.period_start, extract.period_end, extract.data_as_of)
    storage = extract_storage()
    size = max(storage.size(extract.stored_name), 1)
    batch: list[ComparisonEpisode] = []
    problems: list[dict[str, int | str]] = []
    counts = {"read": 0, "accepted": 0, "rejected": 0, "problems": 0}

    def store() -> None:
        ComparisonEpisode.objects.bulk_create(batch, batch_size=EXTRACT_BATCH_SIZE)
        batch.clear()

    with storage.open(extract.stored_name, "rb") as handle:
        try:
            for result in comparison.read_extract(handle, period):
                counts["read"] += 1
                if isinstance(result, comparison.Rejected):
                    counts["rejected"] += 1
                    counts["problems"] += len(result.problems)
                    room = EXTRACT_PROBLEMS_KEPT - len(problems)
                    problems.extend(problem.as_dict() for problem in result.problems[:room])
                else:
                    counts["accepted"] += 1
                    batch.append(_episode(extract.pk, result))
                    if len(batch) >= EXTRACT_BATCH_SIZE:
                        store()
                if counts["read"] % EXTRACT_PROGRESS_EVERY == 0:
                    ComparisonExtract.objects.filter(pk=extract.pk).update(
                        progress=min(95, 100 * _position(handle) // size), rows_read=counts["read"]
                    )
            store()
        except comparison.Refused as refused:
            ComparisonEpisode.objects.filter(extract_id=extract.pk).delete()
            ComparisonExtract.objects.filter(pk=extract.pk).update(
                status=ExtractStatus.REFUSED,
                refusal=refused.message,
                progress=100,
                rows_read=counts["read"],
                finished_at=timezone.now(),
                stored_name="",
            )
            return ExtractStatus.REFUSED
    ComparisonExtract.objects.filter(pk=extract.pk).update(
        status=ExtractStatus.CHECKED,
        progress=100,
        rows_read=counts["read"],
        rows_accepted=counts["accepted"],
        rows_rejected=counts["rejected"],
        problems=problems,
        problems_total=counts["problems"],
        finished_at=timezone.now(),
        stored_name="",
    )
    return ExtractStatus.CHECKED


def _position(handle: Any) -> int:
    """How far into the file the reading is (0 when the storage cannot tell)."""
    try:
        return int(handle.tell())
    except (OSError, AttributeError, ValueError):
        return 0


def _episode(extract_id: int, row: comparison.Episode) -> ComparisonEpisode:
    return ComparisonEpisode(
        extract_id=extract_id,
        episode_id=row.episode_id,
        child_id=row.child_id,
        county=row.county,
        age_at_entry=row.age_at_entry,
        sex=row.sex,
        race_ethnicity=row.race_ethnicity,
        removal_reasons=row.removal_reasons,
        placement_setting=row.placement_setting,
        prior_removals=row.prior_removals,
        entry_date=row.entry_date,
        discharge_date=row.discharge_date,
        discharge_reason=row.discharge_reason,
    )


# --- The outcomes comparison ----------------------------------------------------------------


@shared_task(name="reporting.compare_outcomes", ignore_result=True)
def compare_outcomes() -> int:
    """Compare the outcomes of served children with their matched comparison group
    (``reporting.outcomes``), statewide and for each program county, from the extract in
    use: when an extract is put in use, and every night (our records move). Each comparison
    records its progress on its row for the page; a failure is written on the row and never
    raised. Returns how many comparisons were made."""
    extract = ComparisonExtract.objects.filter(status=ExtractStatus.IN_USE).first()
    if extract is None:
        return 0
    counties = [outcomes.STATEWIDE, *sorted(outcomes.program_counties())]
    rows = []
    for county in counties:
        row, _created = OutcomeComparison.objects.get_or_create(extract=extract, county=county)
        rows.append(row)
    OutcomeComparison.objects.filter(extract=extract).exclude(county__in=counties).delete()
    for row in rows:
        _compare(extract, row)
    return len(rows)


def _compare(extract: ComparisonExtract, row: OutcomeComparison) -> None:
    def advance(percent: int) -> None:
        OutcomeComparison.objects.filter(pk=row.pk).update(progress=min(percent, 99))

    OutcomeComparison.objects.filter(pk=row.pk).update(
        status=OutcomeStatus.RUNNING, progress=0, started_at=timezone.now()
    )
    try:
        compared = outcomes.compare(extract, row.county, progress=advance)
    except Exception as error:  # written on the row for the page; the traceback to the log
        logger.exception("Outcomes comparison %s failed", row.pk)
        OutcomeComparison.objects.filter(pk=row.pk).update(
            status=OutcomeStatus.FAILED, error=type(error).__name__, finished_at=timezone.now()
        )
        return
    OutcomeComparison.objects.filter(pk=row.pk).update(
        status=OutcomeStatus.DONE,
        progress=100,
        served=compared.served,
        pool=compared.pool,
        linked=compared.linked,
        left_out=compared.left_out,
        result=compared.evaluation.to_json(),
        error="",
        finished_at=timezone.now(),
    )


def send_compare_outcomes() -> None:
    """Ask the worker to compare the outcomes; the nightly run catches up if the broker is
    down."""
    try:
        compare_outcomes.delay()
    except Exception as error:  # noqa: BLE001 - kombu, redis and socket errors alike
        logger.warning("The outcomes comparison could not be sent to the worker (%s)", error)
