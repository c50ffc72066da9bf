"""Reads the reporting pages share."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Min, QuerySet

from psp import policy
from psp.models import Program, User
from referrals.models import Referral
from reporting import filing
from reporting.models import QuarterClose, Report
from reporting.quarters import Quarter


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


def programs_to_close_for(user: User) -> list[Program]:
    """The programs whose quarters ``user`` may close, by name."""
    return [
        program
        for program in Program.objects.order_by("name", "pk")
        if policy.can(user, "quarter.close", program)
    ]


@dataclass(frozen=True)
class ClosingStatus:
    """Where closing ``quarter`` stands, as the report list shows it to ``user``."""

    quarter: Quarter
    closed: list[QuarterClose]  # the programs' closings the user may see
    still_open: list[Program]  # the programs the user may see that have not closed it
    statewide: QuarterClose | None


def closing_status(user: User, quarter: Quarter) -> ClosingStatus | None:
    """For state staff every program; for a program's coordinators their programs; None for
    anyone else."""
    if user.is_state_staff or user.is_administrator:
        shown = None
    else:
        shown = set(policy.program_ids_where(user, policy.COORDINATORS))
        if not shown:
            return None
    closed = [
        closing
        for closing in QuarterClose.objects.filter(
            year=quarter.year, quarter=quarter.number, program__isnull=False
        ).select_related("program", "closed_by")
        if shown is None or closing.program_id in shown
    ]
    closed.sort(key=lambda closing: closing.program.name if closing.program else "")
    return ClosingStatus(
        quarter=quarter,
        closed=closed,
        still_open=[
            program
            for program in filing.programs_still_open(quarter)
            if shown is None or program.pk in shown
        ],
        statewide=filing.filing_for(None, quarter),
    )


def first_referral_year(programs: list[Program]) -> int | None:
    """The year of the earliest referral the programs received (the equity view's first)."""
    first = Referral.objects.filter(program__in=programs).aggregate(first=Min("received_on"))
    return first["first"].year if first["first"] else None
