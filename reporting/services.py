"""Writes for reporting: asking for a quarterly report (the task then makes it).

Nothing here writes to another app's tables; the report's numbers are read through
``reporting.metrics`` by the task.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from psp import audit, policy
from psp.models import AuditAction, Program, User
from reporting.models import Report
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
def report_request(*, actor: User | None, program: Program | None, quarter: Quarter) -> Report:
    """A new report for ``program`` (None: statewide) and a completed ``quarter``, made in
    the background once this transaction commits. ``actor`` None is the scheduler. When the
    broker cannot be reached the report is kept, queued, with ``waiting_for_service`` set,
    and is sent later by ``tasks.requeue_waiting``."""
    if quarter.end >= timezone.localdate():
        raise ValidationError(
            {"quarter": _("Choose a quarter that has ended. %(quarter)s is not over yet.")
             % {"quarter": quarter.label}}
        )  # fmt: skip
    report = Report(
        program=program,
        year=quarter.year,
        quarter=quarter.number,
        requested_by=actor,
        suppressed=not shows_small_counts(actor, program),
    )
    report.full_clean()
    report.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=report,
        changes=audit.snapshot(
            report, ["program", "year", "quarter", "suppressed", "requested_by", "status"]
        ),
    )
    transaction.on_commit(lambda: _send(report))
    return report


def _send(report: Report) -> None:
    report.waiting_for_service = not send_report(report.pk)
