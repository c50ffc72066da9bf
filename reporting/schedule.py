"""What Celery beat starts in reporting: after each quarter, the reports state staff read.

Kept apart from ``reporting.tasks``, which ``reporting.services`` uses to send a report to
the worker: this job asks for reports through the services, so the imports run one way
(schedule -> services -> tasks). ``ReportingConfig.ready`` loads it, so the web process and
the worker both know the task.
"""

from __future__ import annotations

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from psp.models import Program
from reporting.models import STALE_AFTER, Report, ReportStatus
from reporting.quarters import Quarter
from reporting.services import report_request


@shared_task(name="reporting.generate_last_quarter")
def generate_last_quarter() -> list[int]:
    """After a quarter ends (Celery beat): the statewide report and one for every active
    program, unless one that state staff may read is already done or on its way. Returns the
    new reports' ids."""
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
