"""Who may see and ask for reports and dashboards. Registered with ``psp.policy`` when
Django starts.

Quarterly reports hold aggregates only. A program's coordinators read its reports, and its
Program Coordinator asks for them; state staff read and ask for every program's and the
statewide one, but only those with small race/ethnicity counts hidden
(``Report.suppressed``; the statewide report always is). Administrators see the reports'
progress in the Django admin, never their files.

Everybody has a dashboard (``dashboard.view``, in ``psp.policy``); what it shows depends on
the role. A program's part (caseloads, overdue contacts, hearings, the referral queue, the
quarter's numbers) is for that program's coordinators; the statewide part, aggregates only,
for state staff.

The data-quality panel (``report.quality``) counts what is missing from a program's records
for a quarter; its rows, which name families by referral number, are for the program's
coordinators and administrators (``report.quality_records``), never for state staff.

A program's Program Coordinator closes its quarters (``quarter.close``; an administrator may
on the program's behalf).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from psp.models import Program, ProgramType, Role, User
from psp.policy import COORDINATORS, has_role, has_role_in, program_ids_where, rule, scope
from reporting.comparison import county_name
from reporting.models import ComparisonExtract, Report


@scope(Report)
def _reports(user: User) -> models.QuerySet[Report]:
    if user.is_administrator:
        return Report.objects.all()
    readable = models.Q(program_id__in=program_ids_where(user, COORDINATORS))
    if user.is_state_staff:
        readable |= models.Q(suppressed=True)
    return Report.objects.filter(readable)


@rule("report.list")
def _report_list(user: User, obj: Any) -> bool:
    return user.is_state_staff or bool(program_ids_where(user, COORDINATORS))


@rule("report.generate")
def _report_generate(user: User, program: Program | None) -> bool:
    """``program`` None is the statewide report."""
    if user.is_state_staff:
        return True
    return has_role(user, program.pk if program else None, {Role.PROGRAM_COORDINATOR})


@rule("report.view", "report.download")
def _report_view(user: User, report: Report) -> bool:
    if user.is_state_staff and report.suppressed:
        return True
    return has_role(user, report.program_id, COORDINATORS)


@rule("quarter.close")
def _quarter_close(user: User, program: Program | None) -> bool:
    """Closing a program's quarter: its Program Coordinator, or an administrator on the
    program's behalf. ``program`` None: any program at all. The statewide quarter closes by
    itself when the last program does."""
    if user.is_administrator:
        return True
    if program is None:
        return bool(program_ids_where(user, {Role.PROGRAM_COORDINATOR}))
    return has_role(user, program.pk, {Role.PROGRAM_COORDINATOR})


@rule("dashboard.program")
def _dashboard_program(user: User, program: Program | None) -> bool:
    return has_role_in(user, program, COORDINATORS)


@rule("dashboard.statewide")
def _dashboard_statewide(user: User, obj: Any) -> bool:
    return user.is_state_staff


@rule("report.quality")
def _report_quality(user: User, program: Program | None) -> bool:
    """The data-quality panel's counts: a program's coordinators, state staff (every
    program) and administrators. ``program`` None: any program at all."""
    if user.is_state_staff or user.is_administrator:
        return True
    return has_role_in(user, program, COORDINATORS)


@rule("equity.view")
def _equity_view(user: User, obj: Any) -> bool:
    """The equity view (``reporting.equity``): state staff and administrators, every program
    and statewide, small counts hidden; a program's Program Coordinator, their programs in
    full."""
    return (
        user.is_state_staff
        or user.is_administrator
        or bool(program_ids_where(user, {Role.PROGRAM_COORDINATOR}))
    )


@rule("report.quality_records")
def _report_quality_records(user: User, program: Program) -> bool:
    """The panel's rows, which name families by referral number: the program's
    coordinators and administrators; state staff see the counts only."""
    return user.is_administrator or has_role(user, program.pk, COORDINATORS)


@rule("calendar.view")
def _calendar(user: User, obj: Any) -> bool:
    """A calendar of hearings, team meetings, council meetings, supervision and clinical
    support: for those who take part in them (what each sees is their scope of each)."""
    return (
        user.is_administrator
        or user.is_state_staff
        or bool(
            program_ids_where(user, COORDINATORS | {Role.PARENT_PARTNER, Role.CLINICAL_SUPPORT})
        )
    )


@scope(ComparisonExtract)
def _comparison_extracts(user: User) -> models.QuerySet[ComparisonExtract]:
    """Every extract, whoever uploaded it, for state staff and administrators; nobody else
    knows one exists (404)."""
    if user.is_state_staff or user.is_administrator:
        return ComparisonExtract.objects.all()
    return ComparisonExtract.objects.none()


@rule("comparison.import")
def _comparison_import(user: User, extract: ComparisonExtract | None) -> bool:
    """The state's comparison extract (``reporting.comparison``): state staff and
    administrators upload it, follow its check, and put it in use or discard it. Its rows are
    shown to nobody."""
    return user.is_state_staff or user.is_administrator


@rule("outcomes.view")
def _outcomes_view(user: User, county: str | None) -> bool:
    """The outcomes against a matched comparison group (``reporting.outcomes``): state staff
    and administrators, statewide and every county; a Program Coordinator, the counties of
    their child-welfare programs. ``county`` None asks for the page itself; ``""`` is the
    statewide comparison."""
    if user.is_state_staff or user.is_administrator:
        return True
    counties = coordinated_counties(user)
    return bool(counties) if county is None else county in counties


def coordinated_counties(user: User) -> set[str]:
    """The counties, by their Wisconsin names, of the child-welfare programs ``user`` is a
    Program Coordinator of (1 query the first time for this user object, none without such a
    program): the outcomes page asks once per county it lists."""
    known: set[str] | None = getattr(user, "_psp_coordinated_counties", None)
    if known is not None:
        return known
    ids = program_ids_where(user, {Role.PROGRAM_COORDINATOR})
    names = Program.objects.filter(pk__in=ids, program_type=ProgramType.CHILD_WELFARE_PSP)
    known = (
        {
            name
            for name in (county_name(c) for c in names.values_list("county", flat=True))
            if name is not None
        }
        if ids
        else set()
    )
    user._psp_coordinated_counties = known  # type: ignore[attr-defined]
    return known
