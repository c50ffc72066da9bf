"""Writes for reporting: asking for a quarterly report (the task then makes it), and closing a
quarter (``reporting.filing`` says what closing means).

Nothing here writes to another app's tables; the report's numbers are read through
``reporting.metrics`` by the task.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from psp import audit, policy
from psp.models import AuditAction, Program, User, is_offered_language
from reporting import filing
from reporting.models import QuarterClose, Report
from reporting.quarters import Quarter
from reporting.tasks import send_report


def shows_small_counts(actor: User | None, program: Program | None) -> bool:
    """Whether a report made for ``actor`` may show small race and ethnicity counts (1 to
    ``PSP_SMALL_COUNT_THRESHOLD - 1``).

    Only a program's own coordinators see their program's counts in full. The statewide
    report, the scheduler's reports and those state staff ask for are suppressed, because
    state staff read them (SPEC: small counts suppressed in anything state staff see).
    """
    if actor is None or program is None:
        return False
    return bool(policy.roles_in(actor, program) & policy.COORDINATORS)


@transaction.atomic
def report_request(
    *, actor: User | None, program: Program | None, quarter: Quarter, language: str | None = None
) -> Report:
    """A new report for ``program`` (None: statewide) and a completed ``quarter``, made in
    the background once this transaction commits, in ``language`` (default: the actor's own,
    and the site's for the scheduler). ``actor`` None is the scheduler. When the
    broker cannot be reached the report is kept, queued, with ``waiting_for_service`` set,
    and is sent later by ``tasks.requeue_waiting``."""
    if quarter.end >= timezone.localdate():
        raise ValidationError(
            {"quarter": _("Choose a quarter that has ended. %(quarter)s is not over yet.")
             % {"quarter": quarter.label}}
        )  # fmt: skip
    filed = filing.filing_for(program, quarter)
    report = Report(
        program=program,
        year=quarter.year,
        quarter=quarter.number,
        requested_by=actor,
        suppressed=not shows_small_counts(actor, program),
        filing=filed if filed is not None and filed.is_filed else None,
        language=language or (actor.language_or_default if actor else settings.LANGUAGE_CODE),
    )
    if not is_offered_language(report.language):
        raise ValidationError({"language": _("Choose a language from the list.")})
    report.full_clean()
    report.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=report,
        changes=audit.snapshot(
            report,
            [
                "program",
                "year",
                "quarter",
                "suppressed",
                "requested_by",
                "status",
                "filing",
                "language",
            ],
        ),
    )
    transaction.on_commit(lambda: _send(report))
    return report


def _send(report: Report) -> None:
    report.waiting_for_service = not send_report(report.pk)


# The first key of the transaction locks that make a quarter's closings one at a time.
CLOSE_LOCK_NAMESPACE = 7_302


def _one_closing_at_a_time(quarter: Quarter) -> None:
    """Closings of one quarter run one after the other (PostgreSQL), so that the last
    program's closing sees every other one and closes the statewide quarter. SQLite writes
    one transaction at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [CLOSE_LOCK_NAMESPACE, quarter.year * 10 + quarter.number],
            )


@transaction.atomic
def close_quarter(*, actor: User, program: Program, quarter: Quarter) -> QuarterClose:
    """Close and file ``program``'s ``quarter`` (``reporting.filing``): its numbers are kept
    as they stand now and, when ``actor`` is one of its coordinators, their report is made
    from them. When
    it is the last program to close the quarter, the statewide quarter closes too, and the
    reports state staff read (statewide and each program's) are made. Returns the closing."""
    if quarter.end >= timezone.localdate():
        raise ValidationError(
            {"quarter": _("%(quarter)s is not over yet: a quarter is closed after its last day.")
             % {"quarter": quarter.label}}
        )  # fmt: skip
    _one_closing_at_a_time(quarter)
    if filing.filing_for(program, quarter) is not None:
        raise ValidationError(
            {"quarter": _("%(quarter)s is closed already for %(program)s.")
             % {"quarter": quarter.label, "program": program.name}}
        )  # fmt: skip
    now = timezone.now()
    previous = filing.filing_for(program, quarter.previous())
    if previous is not None:  # its amendments are printed in this quarter's report
        filing.find_amendments(previous, now=now)
    closing = _file(QuarterClose(program=program, year=quarter.year, quarter=quarter.number,
                                 closed_by=actor, closed_at=now), actor=actor, now=now)  # fmt: skip
    if shows_small_counts(actor, program):  # the coordinators' own report, every count shown
        report_request(actor=actor, program=program, quarter=quarter)
    if filing.filing_for(None, quarter) is None and not filing.programs_still_open(quarter):
        _close_statewide(quarter, now=now)
    return closing


def _close_statewide(quarter: Quarter, *, now: datetime.datetime) -> QuarterClose:
    previous = filing.filing_for(None, quarter.previous())
    if previous is not None:
        filing.find_amendments(previous, now=now)
    closing = _file(QuarterClose(program=None, year=quarter.year, quarter=quarter.number,
                                 closed_by=None, closed_at=now), actor=None, now=now)  # fmt: skip
    for program in [None, *filing.programs_to_close(quarter)]:
        report_request(actor=None, program=program, quarter=quarter)
    return closing


def _file(closing: QuarterClose, *, actor: User | None, now: datetime.datetime) -> QuarterClose:
    filing.file_numbers(closing, now=now)
    closing.full_clean(exclude=["values"])
    try:
        with transaction.atomic():
            closing.save()
    except IntegrityError as error:  # closed meanwhile by someone else
        raise ValidationError(
            {"quarter": _("%(quarter)s was closed already.") % {"quarter": closing.period.label}}
        ) from error
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=closing,
        changes=audit.snapshot(closing, ["program", "year", "quarter", "closed_by", "closed_at"]),
        program=closing.program,
    )
    return closing
