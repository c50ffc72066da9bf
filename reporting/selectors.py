"""Reads the reporting pages share."""

from __future__ import annotations

from django.db.models import QuerySet

from psp import policy
from psp.models import Program, User
from reporting.models import Report


def reports_for_user(user: User) -> QuerySet[Report]:
    """The reports ``user`` may see, newest first, with what the list prints."""
    return policy.visible(user, Report).select_related("program", "requested_by")


def programs_to_report_on(user: User) -> list[Program]:
    """The active programs ``user`` may ask a report for."""
    return [
        program
        for program in policy.visible(user, Program).filter(is_active=True).order_by("name")
        if policy.can(user, "report.generate", program)
    ]


def programs_to_check(user: User) -> list[Program]:
    """The active programs whose data-quality panel ``user`` may see, by name: the ones they
    coordinate, or every one for state staff and administrators."""
    return [
        program
        for program in Program.objects.filter(is_active=True).order_by("name", "pk")
        if policy.can(user, "report.quality", program)
    ]
