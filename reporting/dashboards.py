"""What the dashboards show, composed from the report's metrics and the apps' selectors.

- ``program_dashboard``: one program for its coordinators: caseloads, overdue contacts,
  court hearings soon (a school-based program: the children moving to a new school after
  this school year instead), the referral queue, contacts waiting for review, and this
  quarter's numbers so far beside last quarter's, with two small charts.
- ``statewide_dashboard``: every program side by side for state staff, statewide trends, and
  the school-based programs' work together (families served each month, school meetings,
  services connected). Aggregates only: nothing here names a family or a referral.
- ``referrals_made_by`` and ``clinical_support_this_month`` for social workers and clinical
  support.

Numbers come from ``reporting.metrics`` so the dashboards, the PDF and the CSV agree. Where a
table needs a metric for every program, it is asked once, grouped by program, with the
metric's own querysets and conditions (a test holds each equal to the per-program metric):
every function here runs a fixed number of queries however many rows there are.

The quarters' numbers and the charts are aggregates, the same for everybody who may see them
(a program's coordinators; state staff), so they are cached, keyed by program and day and
never by user: this quarter's for ``NUMBERS_CACHE_SECONDS``, completed quarters' and past
months' for ``SETTLED_CACHE_SECONDS``. Celery beat computes them all afresh more often than
that (``refresh_numbers``), so a visitor finds them ready. The lists (caseloads, overdue
contacts, hearings, queues, reminders) are read through the user's scope; the program's
panel, made of them, is kept until the program's casework changes (``program_board``).
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.core.cache import cache
from django.db.models import Count, F, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from mentoring.models import (
    ActivityType,
    Case,
    CaseStatus,
    CaseworkVersion,
    ParentPartner,
    Stage,
)
from mentoring.selectors import (
    month_starts,
    overdue_cases,
    programs_without_clinical_session,
    waiting_count,
    with_caseload,
)
from psp import policy
from psp.dates import format_when
from psp.models import Program, ProgramType, Role, User
from referrals import schooling
from referrals.models import Child, Parent, Referral, Status
from reporting import charts, metrics, quality
from reporting.quarters import Quarter

NUMBERS_CACHE_SECONDS = 5 * 60  # this quarter's numbers, still moving
SETTLED_CACHE_SECONDS = 60 * 60  # completed quarters and past months
# The scheduled refresh recomputes what is settled once it is this close to expiring (more
# than the schedule's interval, so that it is never found expired).
SETTLED_MARGIN_SECONDS = 15 * 60
HEARING_DAYS = 14
CHART_MONTHS = 6
TREND_QUARTERS = 4
RECENT_REFERRALS = 10
LISTED = 10  # overdue cases and hearings a card lists; the case list has them all
CASELOADS_LISTED = 10  # Parent Partners the caseloads card lists; their list has them all
BOARD_TEMPLATE = "reporting/dashboard_program.html"
BOARD_KEY_PREFIX = "dashboard:board:1:"
BOARD_KEEP_SECONDS = 10 * 60
_ONE_DAY = datetime.timedelta(days=1)

T = TypeVar("T")


def cached(
    key: str,
    compute: Callable[[], T],
    seconds: int,
    refresh: bool = False,
    *,
    settled: bool = False,
) -> T:
    """The cached value, or ``compute``'s stored for ``seconds``; with ``refresh``, computed
    and stored afresh (``refresh_numbers``, from Celery beat, so that nobody waits for it).

    What is ``settled`` (completed quarters, past months) is refreshed only once it nears
    the end of its ``seconds``: recomputing a statewide decade's completed quarters every
    few minutes cost the worker seconds of both cores each time, for figures that had not
    changed, and slowed the pages answered meanwhile."""
    stamp = f"{key}:computed"
    if refresh and settled:
        computed = cache.get(stamp)
        refresh = computed is None or time.time() - computed > seconds - SETTLED_MARGIN_SECONDS
    value: T | None = None if refresh else cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
        if settled:
            cache.set(stamp, time.time(), seconds)
    return value


def _fluid(svg: SafeString) -> SafeString:
    """The chart, shrunk to fit narrow screens (Bootstrap's ``img-fluid``); the helpers draw
    at a fixed size for the PDF."""
    return mark_safe(svg.replace('class="chart"', 'class="chart img-fluid"', 1))  # noqa: S308


# --- A program, for its coordinators -------------------------------------------------------


@dataclass(frozen=True)
class Caseload:
    partner: ParentPartner
    open_families: int

    @property
    def capacity(self) -> int:
        return self.partner.capacity

    @property
    def over_capacity(self) -> bool:
        return self.open_families > self.capacity


@dataclass(frozen=True)
class CaseDue:
    """An open case on a list, by its referral number only."""

    case_id: int
    referral_number: str
    day: datetime.date | None  # the last contact, or the hearing


@dataclass(frozen=True)
class Moving:
    """A child of an open case who moves to a new school after this school year, by the
    case's referral number only."""

    case_id: int
    referral_number: str
    transition: str


@dataclass(frozen=True)
class NumberRow:
    label: str
    current: int | Decimal
    previous: int | Decimal


@dataclass(frozen=True)
class ProgramDashboard:
    program: Program
    caseloads: list[Caseload]  # the first CASELOADS_LISTED, those over capacity first
    caseloads_total: int  # the program's active Parent Partners
    overdue: list[CaseDue]  # the first LISTED
    overdue_total: int
    hearings: list[CaseDue]  # the first LISTED; none for a school-based program
    hearings_total: int
    # A school-based program's children moving to a new school after this school year (the
    # first LISTED), and the days their planning runs; no court hearings there.
    school_based: bool
    moving: list[Moving]
    moving_total: int
    moving_plan: schooling.Upcoming | None
    received: int
    screening: int
    waiting_for_review: int
    quarter: Quarter
    previous_quarter: Quarter
    numbers: list[NumberRow]
    numbers_as_of: datetime.datetime
    families_by_month: list[tuple[datetime.date, int]]
    families_chart: SafeString
    contacts_by_type: list[tuple[str, int]]
    contacts_chart: SafeString | None
    quality_quarter: Quarter  # the last quarter that ended, which closes next
    data_problems: int


@dataclass(frozen=True)
class ProgramNumbers:
    """A program's aggregates for its dashboard: no family, no user in them."""

    quarter: Quarter
    current: metrics.Headline
    previous: metrics.Headline
    families_by_month: list[tuple[datetime.date, int]]
    contacts_by_type: list[tuple[str, int]]  # (activity type, contacts), types with any
    computed_at: datetime.datetime


def program_numbers(
    program: Program, today: datetime.date, *, refresh: bool = False
) -> ProgramNumbers:
    """This quarter so far and the one before, families served in each of the last six
    months, and this quarter's contacts by type (9 queries), from the cache when it has
    them: what is settled (the previous quarter, past months) for an hour, the rest for
    five minutes."""
    quarter = Quarter.from_date(today)
    months = sorted(month_starts(CHART_MONTHS, today))
    settled = cached(
        f"dashboard:program:{program.pk}:settled:{today.isoformat()}",
        lambda: (
            metrics.headline(program=program, quarter=quarter.previous()),
            families_by_month(program, months[:-1]),
        ),
        SETTLED_CACHE_SECONDS,
        refresh,
        settled=True,
    )
    live = cached(
        f"dashboard:program:{program.pk}:live:{today.isoformat()}",
        lambda: (
            metrics.headline(program=program, quarter=quarter),
            families_by_month(program, months[-1:]),
            [
                (row.code, row.count)
                for row in metrics.contact_metrics(program=program, quarter=quarter).by_type
                if row.count
            ],
            timezone.now(),
        ),
        NUMBERS_CACHE_SECONDS,
        refresh,
    )
    previous, past_months = settled
    current, this_month, contacts_by_type, computed_at = live
    return ProgramNumbers(
        quarter=quarter,
        current=current,
        previous=previous,
        families_by_month=past_months + this_month,
        contacts_by_type=contacts_by_type,
        computed_at=computed_at,
    )


def headline_rows(
    current: metrics.Headline, previous: metrics.Headline, *, school_based: bool = False
) -> list[NumberRow]:
    """The headline numbers, labelled, this quarter beside the one before; reunifications
    only for a child-welfare program (a school-based program's families are not separated)."""
    labels = [
        ("referrals_received", _("Referrals received")),
        ("families_served", _("Families served")),
        ("contacts", _("Contacts")),
        ("hours", _("Hours")),
    ]
    if not school_based:
        labels.append(("reunifications", _("Reunifications")))
    return [
        NumberRow(label=label, current=getattr(current, field), previous=getattr(previous, field))
        for field, label in labels
    ]


def program_board(
    user: User, program: Program, coordinated: Sequence[Program], today: datetime.date
) -> tuple[SafeString, ProgramDashboard | None]:
    """The program's panel of the dashboard, made (with the board it was made from) or kept
    (with None): like the Parent Partner's home (``mentoring.home``), it is kept in the cache
    under a key of everything it is made from:

    - the person, the language and the day in Wisconsin ("overdue", "in the next 14 days");
    - the program (its name and the short name its links carry) and the programs they may
      switch to (their names);
    - their roles in the program, which decide what of its casework they see;
    - the program's casework version (``CaseworkVersion``), which the database moves in the
      writing transaction on any write to the cases, contacts, assignments, Parent Partners
      and referrals the lists and counts are read from; read here before the casework;
    - the numbers and the data-quality count as the cache holds them (cached for everybody,
      and refreshed on their own schedule).

    The panel holds no form and nothing of the request. It is kept for ``BOARD_KEEP_SECONDS``
    at most, so a deployment's new markup is never far off (2 queries when kept)."""
    version = (
        CaseworkVersion.objects.filter(program_id=program.pk)
        .values_list("number", flat=True)
        .first()
    )
    numbers = program_numbers(program, today)
    problems = data_problems(program, today)
    described = "|".join(
        [
            str(user.pk),
            translation.get_language() or "",
            today.isoformat(),
            f"{program.pk}:{program.slug}:{program.name}:{program.program_type}",
            ",".join(sorted(policy.roles_in(user, program.pk))),
            str(version or 0),
            *(f"{choice.pk}:{choice.name}" for choice in coordinated),
            repr(numbers),
            str(problems),
        ]
    )
    key = BOARD_KEY_PREFIX + hashlib.sha256(described.encode()).hexdigest()
    kept: str | None = cache.get(key)
    if kept is not None:
        return mark_safe(kept), None  # noqa: S308 (our own template's output)
    board = program_dashboard(user, program, today, numbers=numbers, problems=problems)
    made = render_to_string(BOARD_TEMPLATE, {"board": board, "coordinated": coordinated})
    cache.set(key, str(made), BOARD_KEEP_SECONDS)
    return made, board


def program_dashboard(
    user: User,
    program: Program,
    today: datetime.date | None = None,
    *,
    numbers: ProgramNumbers | None = None,
    problems: int | None = None,
) -> ProgramDashboard:
    """``program`` as its coordinators see it on ``today`` (15 queries, 5 when the numbers
    are cached, whatever the number of cases, Parent Partners or referrals)."""
    today = today or timezone.localdate()
    cases = policy.visible(user, Case).filter(program=program)
    caseloads, caseloads_total = _caseloads(user, program)
    overdue, overdue_total = _first_and_total(
        overdue_cases(cases, today)
        .annotate(number=_referral_number())
        .order_by(F("latest_contact").asc(nulls_first=True), "opened_on", "pk")
        .values_list("pk", "number", "latest_contact")
    )
    school_based = program.is_school_based
    hearings: list[CaseDue] = []
    hearings_total = 0
    moving: list[Moving] = []
    moving_total = 0
    if school_based:
        moving, moving_total = _moving_to_a_new_school(cases, today)
    else:
        hearings, hearings_total = _first_and_total(
            cases.filter(
                status=CaseStatus.OPEN,
                next_court_date__gte=today,
                next_court_date__lte=today + datetime.timedelta(days=HEARING_DAYS),
            )
            .annotate(number=_referral_number())
            .order_by("next_court_date", "pk")
            .values_list("pk", "number", "next_court_date")
        )
    queue = dict(
        policy.visible(user, Referral)
        .filter(program=program, status__in=[Status.RECEIVED, Status.SCREENING])
        .values("status")
        .annotate(total=Count("*"))  # from the (program, status) index alone
        .order_by()
        .values_list("status", "total")
    )
    numbers = numbers or program_numbers(program, today)
    quarter = numbers.quarter
    closing = quarter.previous()
    problems = data_problems(program, today) if problems is None else problems
    families = numbers.families_by_month
    labels = dict(ActivityType.choices)
    contacts = [(str(labels.get(code, code)), count) for code, count in numbers.contacts_by_type]
    return ProgramDashboard(
        program=program,
        caseloads=caseloads,
        caseloads_total=caseloads_total,
        overdue=overdue,
        overdue_total=overdue_total,
        hearings=hearings,
        hearings_total=hearings_total,
        school_based=school_based,
        moving=moving,
        moving_total=moving_total,
        # Any level's last grade gives the planning days of this school year.
        moving_plan=schooling.upcoming_transition(schooling.LAST_GRADE, today)
        if school_based
        else None,
        received=queue.get(Status.RECEIVED, 0),
        screening=queue.get(Status.SCREENING, 0),
        waiting_for_review=waiting_count(user, program.pk),
        quarter=quarter,
        previous_quarter=quarter.previous(),
        numbers=headline_rows(numbers.current, numbers.previous, school_based=school_based),
        numbers_as_of=numbers.computed_at,
        families_by_month=families,
        families_chart=_fluid(
            charts.column_chart(
                title=_("Families served in each of the last 6 months"),
                columns=[(format_when(month, "month_abbr"), count) for month, count in families],
            )
        ),
        contacts_by_type=contacts,
        contacts_chart=_fluid(
            charts.horizontal_bar_chart(
                title=_("Contacts by type in %(quarter)s") % {"quarter": quarter},
                rows=contacts,
                width=480,
            )
        )
        if contacts
        else None,
        quality_quarter=closing,
        data_problems=problems,
    )


def _caseloads(user: User, program: Program) -> tuple[list[Caseload], int]:
    """The program's active Parent Partners with their open families: those over capacity
    first, then by name; the first ``CASELOADS_LISTED`` and how many there are in all. A
    large program has dozens: each is counted from the index of current assignments (one
    query), and only the first are shown; the Parent Partners' list shows every caseload."""
    loads = [
        Caseload(partner=partner, open_families=partner.caseload)
        for partner in with_caseload(
            policy.visible(user, ParentPartner)
            .filter(program=program, stage=Stage.ACTIVE)
            .only("pk", "program_id", "first_name", "last_name", "capacity")
        ).order_by("last_name", "first_name", "pk")
    ]
    loads.sort(key=lambda load: not load.over_capacity)  # stable: by name within each
    return loads[:CASELOADS_LISTED], len(loads)


def _referral_number() -> Subquery:
    """A case's referral number, read for the rows a list keeps only. As a join, PostgreSQL
    (which cannot tell that open cases are the ones with recent dates, closed ones having
    old ones) expected thousands of rows and read every referral of the state to join them,
    for a list that shows ten: 10 to 48 ms of the dashboard at ten years of data."""
    return Subquery(
        Referral.objects.filter(pk=OuterRef("referral_id")).order_by().values("number")[:1]
    )


def _moving_to_a_new_school(
    cases: QuerySet[Case], today: datetime.date
) -> tuple[list[Moving], int]:
    """The children of ``cases`` still open who are in the last grade of a level this school
    year (``referrals.schooling.TRANSITIONS``), so move to a new school after it: the first
    ``LISTED`` (youngest level first) and how many in all. A grade is stored with the school
    year it was given in; the grade now is counted in the query, as ``Child.current_grade``
    counts it (a child past grade 12 has left school and is in no level)."""
    year = schooling.school_year(today)
    last_grades = {transition.last_grade: transition for transition in schooling.TRANSITIONS}
    open_case = cases.filter(status=CaseStatus.OPEN, family_id=OuterRef("family_id")).order_by("pk")
    rows = (
        Child.objects.filter(
            family_id__in=cases.filter(status=CaseStatus.OPEN).values("family_id"),
            grade__isnull=False,
        )
        .annotate(grade_now=F("grade") + Value(year) - Coalesce("grade_school_year", Value(year)))
        .filter(grade_now__in=list(last_grades))
        .annotate(
            case_id=Subquery(open_case.values("pk")[:1]),
            number=Subquery(open_case.values("referral__number")[:1]),
        )
        .order_by("grade_now", "pk")
        .values_list("case_id", "number", "grade_now")
    )
    first = [
        Moving(case_id=case_id, referral_number=number, transition=str(last_grades[grade].label))
        for case_id, number, grade in rows[: LISTED + 1]
    ]
    if len(first) <= LISTED:
        return first, len(first)
    return first[:LISTED], rows.count()


def _first_and_total(
    rows: QuerySet[Case, tuple[int, str, datetime.date | None]],
) -> tuple[list[CaseDue], int]:
    """The first ``LISTED`` of ``rows`` (case, referral number, day) and how many there are
    in all: a count only when there are more than are listed."""
    first = [
        CaseDue(case_id=pk, referral_number=number, day=day)
        for pk, number, day in rows[: LISTED + 1]
    ]
    if len(first) <= LISTED:
        return first, len(first)
    return first[:LISTED], rows.count()


def data_problems(program: Program, today: datetime.date, *, refresh: bool = False) -> int:
    """What the data-quality panel finds for the last quarter that ended (a count, cached as
    the numbers are)."""
    closing = Quarter.from_date(today).previous()
    return cached(
        f"dashboard:program:{program.pk}:quality:{today.isoformat()}",
        lambda: quality.total(quality.Scope(program=program, quarter=closing, today=today)),
        NUMBERS_CACHE_SECONDS,
        refresh,
    )


def refresh_numbers(today: datetime.date | None = None) -> int:
    """Compute every active program's dashboard numbers and the statewide ones afresh and
    cache them (Celery beat, more often than they expire): at ten years of statewide data
    they take seconds, which no visitor should wait for. Returns how many programs."""
    today = today or timezone.localdate()
    programs = list(Program.objects.filter(is_active=True).order_by("pk"))
    # The equity view's figures (``reporting.equity``) as they are first opened: a
    # coordinator's own program this year; state staff's last year, filed if it may be.
    from reporting import equity  # it reads the cache through this module

    for program in programs:
        program_numbers(program, today, refresh=True)
        data_problems(program, today, refresh=True)
        equity.figures(
            year=today.year, programs=[program], suppressed=False, today=today, refresh=True
        )
    statewide_numbers(today, refresh=True)
    equity.filing_for(today.year - 1)  # filed once its statewide fourth quarter has closed
    return len(programs)


def families_by_month(
    program: Program | None,
    months: Sequence[datetime.date],
    *,
    program_type: ProgramType | None = None,
) -> list[tuple[datetime.date, int]]:
    """Families served in each of ``months`` (their first days, in order), counted as
    ``metrics.family_metrics`` counts a quarter's months (1 query); statewide, only the
    programs of ``program_type`` when given."""
    if not months:
        return []
    ends = [(month + datetime.timedelta(days=31)).replace(day=1) - _ONE_DAY for month in months]
    contacts = metrics._contacts(program, months[0], ends[-1])
    if program_type is not None:
        contacts = contacts.filter(program__program_type=program_type)
    served = contacts.aggregate(
        **{
            f"month_{index}": Count(
                "case__family", distinct=True, filter=metrics._between("occurred_on", start, end)
            )
            for index, (start, end) in enumerate(zip(months, ends, strict=True))
        }
    )
    return [(month, served[f"month_{index}"]) for index, month in enumerate(months)]


def coordinated_programs(user: User) -> list[Program]:
    """The active programs ``user`` coordinates, by name (1 query)."""
    return list(
        policy.visible(user, Program)
        .filter(pk__in=policy.program_ids_where(user, policy.COORDINATORS), is_active=True)
        .order_by("name", "pk")
    )


def chosen_program(programs: Sequence[Program], wanted: str | None) -> Program | None:
    """The program asked for with ``?program=<id>`` when it is one of ``programs``,
    otherwise the first (as the mentoring pages choose)."""
    for program in programs:
        if wanted and str(program.pk) == wanted:
            return program
    return programs[0] if programs else None


# --- Every program, for state staff --------------------------------------------------------


@dataclass(frozen=True)
class ProgramRow:
    program: Program | None  # None: all programs together
    referrals_received: int
    families_served: int
    contacts: int
    hours: Decimal
    reunifications: int
    parent_partners_active: int


@dataclass(frozen=True)
class QuarterTable:
    quarter: Quarter
    in_progress: bool
    rows: list[ProgramRow]
    total: ProgramRow


@dataclass(frozen=True)
class Trend:
    quarter: Quarter
    families_served: int
    referrals_received: int


@dataclass(frozen=True)
class SchoolFigures:
    """Every school-based program's work together: no family, no user in it."""

    families_by_month: list[tuple[datetime.date, int]]  # the last six, this one so far
    quarter: Quarter  # the last completed quarter
    school: metrics.SchoolMetrics  # of that quarter


@dataclass(frozen=True)
class SchoolStatewide:
    """The school-based programs' panel of the statewide dashboard."""

    programs: int
    families_by_month: list[tuple[datetime.date, int]]
    monthly_average: int | None  # over the completed months shown; None without any
    families_chart: SafeString
    quarter: Quarter
    school: metrics.SchoolMetrics


@dataclass(frozen=True)
class StatewideDashboard:
    tables: list[QuarterTable]
    trends: list[Trend]
    numbers_as_of: datetime.datetime
    families_chart: SafeString
    referrals_chart: SafeString
    school: SchoolStatewide | None  # None while no school-based program is seen


def _grouped(rows: Iterable[tuple[int, int]]) -> dict[int, int]:
    return {key: value or 0 for key, value in rows}


def parent_partners_active(quarter: Quarter) -> dict[int, int]:
    """Parent Partners active on the quarter's last day, by program id, by the rule of
    ``metrics.workforce_metrics`` (``metrics.stage_at_end``; 1 query)."""
    return _grouped(
        ParentPartner.objects.annotate(stage_at_end=metrics.stage_at_end(quarter.end))
        .filter(stage_at_end=Stage.ACTIVE)
        .values("program")
        .annotate(total=Count("id"))
        .order_by()
        .values_list("program", "total")
    )


@dataclass(frozen=True)
class QuarterFigures:
    """One quarter's headline numbers and active Parent Partners, by program id."""

    quarter: Quarter
    received: dict[int, int]
    families: dict[int, int]
    contacts: dict[int, int]
    minutes: dict[int, int]
    reunified: dict[int, int]
    active: dict[int, int]


def quarter_figures(quarter: Quarter) -> QuarterFigures:
    """``metrics.headline`` and ``workforce_metrics().parent_partners_active`` for every
    program at once (4 queries, whatever the number of programs)."""
    received = _grouped(
        metrics._received(None, quarter)
        .values("program")
        .annotate(total=Count("id"))
        .order_by()
        .values_list("program", "total")
    )
    contacts = list(
        metrics._contacts(None, quarter.start, quarter.end)
        .values("program")
        .annotate(
            families=Count("case__family", distinct=True),
            contacts=Count("id"),
            minutes=Sum("duration_minutes"),
        )
        .order_by()
    )
    reunified = _grouped(
        metrics.returned_home(program=None, quarter=quarter)
        .values("child__family__program")
        .annotate(total=Count("child", distinct=True))
        .order_by()
        .values_list("child__family__program", "total")
    )
    return QuarterFigures(
        quarter=quarter,
        received=received,
        families={row["program"]: row["families"] for row in contacts},
        contacts={row["program"]: row["contacts"] for row in contacts},
        minutes={row["program"]: row["minutes"] or 0 for row in contacts},
        reunified=reunified,
        active=parent_partners_active(quarter),
    )


def quarter_table(
    programs: Sequence[Program], figures: QuarterFigures, today: datetime.date
) -> QuarterTable:
    """A row for each of ``programs``, and the total over every program (no queries)."""

    def row(program: Program | None, ids: set[int]) -> ProgramRow:
        return ProgramRow(
            program=program,
            referrals_received=sum(figures.received.get(pk, 0) for pk in ids),
            families_served=sum(figures.families.get(pk, 0) for pk in ids),
            contacts=sum(figures.contacts.get(pk, 0) for pk in ids),
            hours=metrics._hours(sum(figures.minutes.get(pk, 0) for pk in ids)),
            reunifications=sum(figures.reunified.get(pk, 0) for pk in ids),
            parent_partners_active=sum(figures.active.get(pk, 0) for pk in ids),
        )

    everywhere = (
        set(figures.received)
        | set(figures.contacts)
        | set(figures.reunified)
        | set(figures.active)
        | {program.pk for program in programs}
    )
    return QuarterTable(
        quarter=figures.quarter,
        in_progress=figures.quarter.end >= today,
        rows=[row(program, {program.pk}) for program in programs],
        total=row(None, everywhere),
    )


def statewide_trends(quarters: Sequence[Quarter]) -> list[Trend]:
    """Statewide families served and referrals received in each of ``quarters``, by the
    report's definitions (2 queries)."""
    start, end = quarters[0].start, quarters[-1].end
    referrals = Referral.objects.filter(metrics._between("received_on", start, end)).aggregate(
        **{
            f"quarter_{index}": Count(
                "id", filter=metrics._between("received_on", quarter.start, quarter.end)
            )
            for index, quarter in enumerate(quarters)
        }
    )
    families = metrics._contacts(None, start, end).aggregate(
        **{
            f"quarter_{index}": Count(
                "case__family",
                distinct=True,
                filter=metrics._between("occurred_on", quarter.start, quarter.end),
            )
            for index, quarter in enumerate(quarters)
        }
    )
    return [
        Trend(
            quarter=quarter,
            families_served=families[f"quarter_{index}"],
            referrals_received=referrals[f"quarter_{index}"],
        )
        for index, quarter in enumerate(quarters)
    ]


@dataclass(frozen=True)
class StatewideNumbers:
    """Every program's aggregates: no family, no user in them."""

    quarters: list[QuarterFigures]  # this quarter so far, then the last completed one
    trends: list[Trend]
    school: SchoolFigures
    computed_at: datetime.datetime


def statewide_numbers(today: datetime.date, *, refresh: bool = False) -> StatewideNumbers:
    """This quarter and the last for every program, the last four completed quarters
    statewide, and the school-based programs' months and last completed quarter (15
    queries), from the cache when it has them: what is settled for an hour, the rest (this
    quarter, this month) for five minutes."""
    current = Quarter.from_date(today)
    completed = [current.previous()]
    while len(completed) < TREND_QUARTERS:
        completed.insert(0, completed[0].previous())
    months = sorted(month_starts(CHART_MONTHS, today))
    school_based = ProgramType.PARENT_PEER_SUPPORT
    last, trends, school_months, school = cached(
        f"dashboard:statewide:settled:2:{today.isoformat()}",
        lambda: (
            quarter_figures(current.previous()),
            statewide_trends(completed),
            families_by_month(None, months[:-1], program_type=school_based),
            metrics.school_metrics(program=None, quarter=current.previous()),
        ),
        SETTLED_CACHE_SECONDS,
        refresh,
        settled=True,
    )
    now, school_this_month, computed_at = cached(
        f"dashboard:statewide:live:2:{today.isoformat()}",
        lambda: (
            quarter_figures(current),
            families_by_month(None, months[-1:], program_type=school_based),
            timezone.now(),
        ),
        NUMBERS_CACHE_SECONDS,
        refresh,
    )
    assert school is not None  # statewide, it always has a section
    return StatewideNumbers(
        quarters=[now, last],
        trends=trends,
        school=SchoolFigures(
            families_by_month=school_months + school_this_month,
            quarter=current.previous(),
            school=school,
        ),
        computed_at=computed_at,
    )


def statewide_dashboard(user: User, today: datetime.date | None = None) -> StatewideDashboard:
    """Every program ``user`` sees, this quarter so far and last quarter, and the last four
    completed quarters statewide, and the school-based programs together (16 queries, 1 when
    the numbers are cached, whatever the number of programs)."""
    today = today or timezone.localdate()
    programs = list(policy.visible(user, Program).order_by("name", "pk"))
    numbers = statewide_numbers(today)
    trends = numbers.trends
    school_programs = sum(1 for program in programs if program.is_school_based)
    return StatewideDashboard(
        tables=[quarter_table(programs, figures, today) for figures in numbers.quarters],
        trends=trends,
        numbers_as_of=numbers.computed_at,
        families_chart=_fluid(
            charts.column_chart(
                title=_("Families served statewide in each of the last 4 quarters"),
                columns=[(trend.quarter.label, trend.families_served) for trend in trends],
                width=360,
                height=170,
            )
        ),
        referrals_chart=_fluid(
            charts.column_chart(
                title=_("Referrals received statewide in each of the last 4 quarters"),
                columns=[(trend.quarter.label, trend.referrals_received) for trend in trends],
                width=360,
                height=170,
            )
        ),
        school=school_statewide(numbers.school, school_programs) if school_programs else None,
    )


def school_statewide(figures: SchoolFigures, programs: int) -> SchoolStatewide:
    """The school-based programs' panel from their cached figures (no queries). The monthly
    average leaves out this month, still going."""
    months = figures.families_by_month
    completed = [count for _month, count in months[:-1]]
    return SchoolStatewide(
        programs=programs,
        families_by_month=months,
        monthly_average=round(sum(completed) / len(completed)) if completed else None,
        families_chart=_fluid(
            charts.column_chart(
                title=_(
                    "Families served by the school-based programs in each of the last 6 months"
                ),
                columns=[(format_when(month, "month_abbr"), count) for month, count in months],
                width=360,
                height=170,
            )
        ),
        quarter=figures.quarter,
        school=figures.school,
    )


# --- Social workers and clinical support ---------------------------------------------------


def referrals_made_by(user: User, limit: int = RECENT_REFERRALS) -> QuerySet[Referral]:
    """The referrals ``user`` made, newest first, in programs where they refer families."""
    return (
        policy.visible(user, Referral)
        .filter(
            referred_by=user,
            program_id__in=policy.program_ids_where(user, policy.REFERRERS),
        )
        .select_related("program", "family")
        .prefetch_related(Prefetch("family__parents", queryset=Parent.objects.order_by("id")))
        .order_by("-received_on", "-id")[:limit]
    )


@dataclass(frozen=True)
class ClinicalMonth:
    program: Program
    recorded: bool


def clinical_support_this_month(
    user: User, today: datetime.date | None = None
) -> list[ClinicalMonth]:
    """For each program where ``user`` gives clinical support: whether this month's session
    is recorded (2 queries)."""
    ids = policy.program_ids_where(user, {Role.CLINICAL_SUPPORT})
    if not ids:
        return []
    missing = set(programs_without_clinical_session(ids, today))
    programs = Program.objects.filter(pk__in=ids).order_by("name", "pk")
    return [
        ClinicalMonth(program=program, recorded=program.pk not in missing) for program in programs
    ]
