"""The equity view: how families of each race or ethnicity move through the program, and
whether the Parent Partners and council members reflect the families served.

The funnel. The referrals received in a calendar year (the cohort), each counted once at the
furthest stage it reached by the day it is counted: referred only (not accepted), accepted
(no Parent Partner assigned), assigned (a case opened; not closed with the family reunified),
and reunified (the case closed with the family reunified). A family's race or ethnicity is
its first parent's, as in the quarterly reports. The funnel's rows are the sums of these
stages: "Accepted" is accepted + assigned + reunified, and so on.

Small counts. What state staff see is suppressed with the reports' own method
(``reporting.suppression``), on one table whose rows are the disjoint (program, stage) pairs
and whose statewide row is every program's referrals by race: every published number is a
row's total, a cell, or a sum of shown cells, which is exactly what the suppression's
attacker is given. A cumulative cell is shown only when every cell it adds up is, so no
funnel figure says more than the table. The demographics of Parent Partners (active on the
year's last day) and of council members (serving on it) are tables of their own, suppressed
the same way; they are asked, never required, and "Prefer not to say" is an answer of its
own.

Filed once. Counted again, a year's figures change whenever a case anywhere moves forward
(or a program is deactivated), and the cells ``protect`` hides change with them: two views
of the same year could then be subtracted. So state staff (and whoever sees the suppressed
statewide view) see a year only as it was filed: an ``EquityFiling`` holding the three
tables' counts, their programs (slug, name), the race or ethnicity codes and the cells hidden,
counted once from the active programs, never again. A year is filed once the statewide
fourth quarter of the year has closed (``reporting.filing``: every program has closed the
year's last quarter, so the year is entered), the first time it is needed (``filing_for``:
the page, its CSV or the nightly refresh); two requests filing it at once keep one row. A
year not filed is not shown to them. Labels are the reader's language's, at display.

A Program Coordinator sees their own programs' counts in full, counted live, for any year,
this one included: they already see those families' records.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db import IntegrityError, transaction
from django.db.models import Case as Conditional
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.models import CouncilMember
from mentoring.models import CaseStatus, ClosureOutcome, ParentPartner, Stage
from psp import audit
from psp.models import AuditAction, Program
from psp.numbers import percent
from referrals.models import Referral, Status, Transition
from reporting import dashboards, metrics, suppression
from reporting.models import EquityFiling, QuarterClose

STAGES = ["referred", "accepted", "assigned", "reunified"]
FUNNEL_LABELS = {
    "referred": _("Referred"),
    "accepted": _("Accepted"),
    "assigned": _("Assigned a Parent Partner"),
    "reunified": _("Case closed with the family reunified"),
}
STATEWIDE = suppression.STATEWIDE


def _row(slug: str, stage: str) -> str:
    return f"{slug}|{stage}"


@dataclass(frozen=True)
class Cell:
    count: int | None  # None: hidden
    shown: str  # as printed: the count or "*"


@dataclass(frozen=True)
class FunnelRow:
    stage: str
    label: str
    cells: list[Cell]  # one per race or ethnicity column
    total: int
    # Of the referred, the share that reached this stage, per column (None: not shown).
    rates: list[Decimal | None]
    total_rate: Decimal | None

    @property
    def pairs(self) -> list[tuple[Cell, Decimal | None]]:
        """Each column's cell with its share of the referred, for the page."""
        return list(zip(self.cells, self.rates, strict=True))


@dataclass(frozen=True)
class Funnel:
    year: int
    columns: list[tuple[str, str]]  # (code, label)
    programs: list[tuple[str, str]]  # (slug, name), by name
    table: suppression.Table
    suppressed: bool
    # The cells hidden when the year was filed (None: chosen from the counts).
    filed_hidden: frozenset[suppression.Cell] | None = None

    @cached_property
    def hidden(self) -> frozenset[suppression.Cell]:
        if self.filed_hidden is not None:
            return self.filed_hidden
        return suppression.protect(self.table) if self.suppressed else frozenset()

    def rows(self, slug: str | None) -> list[FunnelRow]:
        """The funnel of the program ``slug`` (None: statewide, every program together)."""
        slugs = [slug] if slug is not None else [program for program, _name in self.programs]
        built: list[FunnelRow] = []
        referred: list[Cell] = []
        referred_total = 0
        for depth, stage in enumerate(STAGES):
            parts = [_row(one, later) for one in slugs for later in STAGES[depth:]]
            cells = [
                self._sum(parts, column, statewide=slug is None and depth == 0)
                for column, _ in self.columns
            ]
            total = sum(self.table.total(part) for part in parts if part in self.table.rows)
            if depth == 0:
                referred, referred_total = cells, total
            built.append(
                FunnelRow(
                    stage=stage,
                    label=str(FUNNEL_LABELS[stage]),
                    cells=cells,
                    total=total,
                    rates=[_rate(cell, base) for cell, base in zip(cells, referred, strict=True)],
                    total_rate=_share(total, referred_total),
                )
            )
        return built

    def _sum(self, parts: list[str], column: str, *, statewide: bool) -> Cell:
        parts_cells: list[suppression.Cell]
        if statewide and (STATEWIDE, column) in self.table.counts:
            # Every program's referrals of this column: the table's own statewide cell.
            parts_cells = [(STATEWIDE, column)]
        else:
            parts_cells = [(part, column) for part in parts if part in self.table.rows]
        if any(cell in self.hidden for cell in parts_cells):
            return Cell(count=None, shown=suppression.HIDDEN)
        count = sum(self.table.counts[cell] for cell in parts_cells)
        return Cell(count=count, shown=str(count))


def _share(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return percent(part, whole)


def _rate(cell: Cell, base: Cell) -> Decimal | None:
    """A share printed only when both counts are, and the base is large enough to compare."""
    if cell.count is None or base.count is None or metrics.too_few_to_compare(base.count):
        return None
    return _share(cell.count, base.count)


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def people_day(year: int) -> datetime.date:
    """The day the Parent Partners and council members of ``year`` are counted on: its last
    day, or today while the year is under way."""
    return min(datetime.date(year, 12, 31), timezone.localdate())


def funnel(*, year: int, programs: list[Program], suppressed: bool) -> Funnel:
    """The funnel of the referrals ``programs`` received in ``year`` (1 query)."""
    start, end = year_bounds(year)
    accepted = Transition.objects.filter(referral=OuterRef("pk"), to_status=Status.ACCEPTED)
    stage = Conditional(
        When(
            case__status=CaseStatus.CLOSED,
            case__closure_outcome=ClosureOutcome.REUNIFIED,
            then=Value(3),
        ),
        When(case__isnull=False, then=Value(2)),
        When(Q(Exists(accepted)) | Q(status__in=[Status.ACCEPTED, Status.ASSIGNED]), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        Referral.objects.filter(program__in=programs, received_on__gte=start, received_on__lte=end)
        .annotate(race=F("family__race_ethnicity"), stage=stage)
        .values("program_id", "stage", "race")
        .annotate(total=Count("id"))
        .order_by()
    )
    columns = metrics.race_ethnicity_columns()
    codes = [code for code, _label in columns]
    listed = sorted(((p.slug, p.name) for p in programs), key=lambda p: (p[1], p[0]))
    counts = {
        _row(slug, name_of_stage): dict.fromkeys(codes, 0)
        for slug, _name in listed
        for name_of_stage in STAGES
    }
    slugs = {program.pk: program.slug for program in programs}
    for row in rows:
        key = _row(slugs[row["program_id"]], STAGES[row["stage"]])
        counts[key][metrics._race_column(row["race"])] += row["total"]
    table = suppression.Table.from_rows(counts, codes)
    return Funnel(year=year, columns=columns, programs=listed, table=table, suppressed=suppressed)


@dataclass(frozen=True)
class Figures:
    """Everything the equity view shows for a year and a set of programs, small counts
    already worked out."""

    funnel: Funnel
    partners: People
    members: People


def figures(
    *,
    year: int,
    programs: list[Program],
    suppressed: bool,
    today: datetime.date | None = None,
    refresh: bool = False,
) -> Figures:
    """The funnel and the people of ``programs`` in ``year`` counted now (3 queries), as a
    coordinator sees them (state staff read the year as filed, ``filing_for``), cached like the
    dashboards' numbers: they are aggregates, the same for everybody who may see them, and a
    statewide year took 900 ms to count at ten years of statewide data. Keyed by the
    programs, the year, the suppression and the day; a year under way is kept
    ``NUMBERS_CACHE_SECONDS``, a completed one ``SETTLED_CACHE_SECONDS``, and Celery beat
    counts the views people open first afresh before they expire
    (``dashboards.refresh_numbers``)."""
    today = today or timezone.localdate()
    ids = ",".join(str(pk) for pk in sorted(program.pk for program in programs))
    key = f"equity:{year}:{'suppressed' if suppressed else 'full'}:{ids}:{today.isoformat()}"

    def compute() -> Figures:
        counted = Figures(
            funnel=funnel(year=year, programs=programs, suppressed=suppressed),
            partners=parent_partners(year=year, programs=programs, suppressed=suppressed),
            members=council_members(year=year, programs=programs, suppressed=suppressed),
        )
        # The hidden cells are stored with the counts: finding them is half the work.
        for table in (counted.funnel, counted.partners, counted.members):
            table.hidden  # noqa: B018
        return counted

    settled = year < today.year
    seconds = dashboards.SETTLED_CACHE_SECONDS if settled else dashboards.NUMBERS_CACHE_SECONDS
    return dashboards.cached(key, compute, seconds, refresh, settled=settled)


@dataclass(frozen=True)
class People:
    """One kind of people (families referred, Parent Partners, council members) by program
    and race or ethnicity, suppressed for state staff."""

    label: str
    table: suppression.Table
    suppressed: bool
    # The cells hidden when the year was filed (None: chosen from the counts).
    filed_hidden: frozenset[suppression.Cell] | None = None

    @cached_property
    def hidden(self) -> frozenset[suppression.Cell]:
        if self.filed_hidden is not None:
            return self.filed_hidden
        return suppression.protect(self.table) if self.suppressed else frozenset()

    def shown(self, slug: str | None) -> dict[str, str]:
        if slug is not None and slug not in self.table.program_rows:
            return {**dict.fromkeys(self.table.columns, "0"), "total": "0"}
        return suppression.shown_row(self.table, self.hidden, slug)


def _by_program(
    rows: list[tuple[str, str | None, int]], programs: list[Program], codes: list[str]
) -> suppression.Table:
    """Counts given as (program slug, race or ethnicity, count), as a table by program."""
    counts = {program.slug: dict.fromkeys(codes, 0) for program in sorted(programs, key=str)}
    for slug, race, total in rows:
        counts[slug][metrics._race_column(race)] += total
    return suppression.Table.from_rows(counts, codes)


def parent_partners(*, year: int, programs: list[Program], suppressed: bool) -> People:
    """Parent Partners active on the year's last day (today, for this year), by their own
    answer (1 query)."""
    end = people_day(year)
    rows = list(
        ParentPartner.objects.filter(program__in=programs)
        .annotate(stage_then=metrics.stage_at_end(end))
        .filter(stage_then=Stage.ACTIVE)
        .values("program__slug", "race_ethnicity")
        .annotate(total=Count("id"))
        .order_by()
    )
    codes = [code for code, _label in metrics.race_ethnicity_columns()]
    counted = [(r["program__slug"], r["race_ethnicity"], r["total"]) for r in rows]
    return People(
        label=str(_("Parent Partners active on the year's last day")),
        table=_by_program(counted, programs, codes),
        suppressed=suppressed,
    )


def council_members(*, year: int, programs: list[Program], suppressed: bool) -> People:
    """Members of the programs' local councils serving on the year's last day (today, for
    this year), by their own answer (1 query)."""
    end = people_day(year)
    rows = list(
        CouncilMember.objects.filter(council__program__in=programs, term_start__lte=end)
        # A member no longer serving ("Serves on the council now" unticked) with no term end
        # says no day they left: counted by their term when it has one, never as serving.
        .filter(Q(term_end__isnull=True, is_active=True) | Q(term_end__gte=end))
        .values("council__program__slug", "race_ethnicity")
        .annotate(total=Count("id"))
        .order_by()
    )
    codes = [code for code, _label in metrics.race_ethnicity_columns()]
    counted = [(r["council__program__slug"], r["race_ethnicity"], r["total"]) for r in rows]
    return People(
        label=str(_("Council members serving on the year's last day")),
        table=_by_program(counted, programs, codes),
        suppressed=suppressed,
    )


# --- The years filed for state staff -----------------------------------------------------


def _statewide_year_closed(year: int) -> bool:
    return QuarterClose.objects.filter(program__isnull=True, year=year, quarter=4).exists()


def filed_years() -> list[int]:
    """The years state staff may see, latest first: those filed, and those whose statewide
    fourth quarter has closed (filed the first time they are opened)."""
    closed = QuarterClose.objects.filter(program__isnull=True, quarter=4).values_list(
        "year", flat=True
    )
    filed = EquityFiling.objects.values_list("year", flat=True)
    return sorted({*closed, *filed}, reverse=True)


def filing_for(year: int) -> EquityFiling | None:
    """``year`` as state staff see it: its filing, made now if the statewide fourth quarter
    of ``year`` has closed and nobody filed it yet; None while it has not closed."""
    found = EquityFiling.objects.filter(year=year).first()
    if found is not None or not _statewide_year_closed(year):
        return found
    return file_year(year)


def _kept(table: suppression.Table, hidden: frozenset[suppression.Cell]) -> dict[str, list]:
    return {
        "rows": [
            [row, [table.counts[(row, column)] for column in table.columns]]
            for row in table.program_rows
        ],
        "hidden": sorted(
            ([row, column] for row, column in hidden),
            key=lambda cell: (cell[0] is None, cell[0] or "", cell[1]),
        ),
    }


def file_year(year: int) -> EquityFiling:
    """Count ``year`` for state staff, every active program, choose the hidden cells and
    keep them (audited). When another request filed it meanwhile, that filing is returned."""
    programs = sorted(
        Program.objects.filter(is_active=True), key=lambda program: (program.name, program.slug)
    )
    counted_funnel = funnel(year=year, programs=programs, suppressed=True)
    partners = parent_partners(year=year, programs=programs, suppressed=True)
    members = council_members(year=year, programs=programs, suppressed=True)
    filing = EquityFiling(
        year=year,
        programs=[[p.slug, p.name, p.is_school_based] for p in programs],
        columns=list(counted_funnel.table.columns),
        funnel=_kept(counted_funnel.table, counted_funnel.hidden),
        parent_partners=_kept(partners.table, partners.hidden),
        council_members=_kept(members.table, members.hidden),
        filed_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            filing.save()
    except IntegrityError:  # filed meanwhile by another request: theirs stands
        return EquityFiling.objects.get(year=year)
    audit.record(
        actor=None,
        action=AuditAction.CREATE,
        obj=filing,
        changes=audit.snapshot(filing, ["year", "filed_at"]),
    )
    return filing


def _table(kept: dict[str, list], columns: list[str]) -> suppression.Table:
    return suppression.Table.from_rows(
        {row: dict(zip(columns, counts, strict=True)) for row, counts in kept["rows"]}, columns
    )


def _hidden(kept: dict[str, list]) -> frozenset[suppression.Cell]:
    return frozenset((row, column) for row, column in kept["hidden"])


def filed_figures(filing: EquityFiling) -> Figures:
    """What ``filing`` keeps, as the view shows it: the counts and hidden cells as filed,
    the labels in the active language."""
    labels = dict(metrics.race_ethnicity_columns())
    codes = list(filing.columns)
    return Figures(
        funnel=Funnel(
            year=filing.year,
            columns=[(code, labels.get(code, code)) for code in codes],
            programs=[(slug, name) for slug, name, _school_based in filing.programs],
            table=_table(filing.funnel, codes),
            suppressed=True,
            filed_hidden=_hidden(filing.funnel),
        ),
        partners=People(
            label=str(_("Parent Partners active on the year's last day")),
            table=_table(filing.parent_partners, codes),
            suppressed=True,
            filed_hidden=_hidden(filing.parent_partners),
        ),
        members=People(
            label=str(_("Council members serving on the year's last day")),
            table=_table(filing.council_members, codes),
            suppressed=True,
            filed_hidden=_hidden(filing.council_members),
        ),
    )
