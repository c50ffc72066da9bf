"""Quarters that close: which numbers a report prints, and what changed after a quarter was filed.

A program's quarter is open until its Program Coordinator closes it (``services.close_quarter``);
the statewide quarter closes by itself when the last program that must close it does. Closing
files the quarter's numbers (``file_numbers``: ``reporting.metrics.quarter_report`` as it
stands, kept as JSON by ``reporting.frozen``). From then on every report of that program (or
statewide) and quarter is made from the filed numbers, with the filing's date and closer, so
it is the same file byte for byte however often it is made.

Race and ethnicity, in the reports state staff read. The counts hidden from state staff are
chosen once, for the whole quarter, from the filed counts of every program
(``reporting.suppression.protect``), when the statewide quarter closes. Until then the reports
state staff read leave the table out: a table from records that still change could be
subtracted from a later one. A program's coordinators always see their own counts.

Amendments. A record of a closed quarter entered or corrected later changes that quarter's
numbers as counted today, never the filed ones. ``find_amendments`` compares the two, figure
by figure (the CSV's rows), and keeps each difference as an ``Amendment``; the nightly job and
each closing run it. The next report of the same program (or statewide) lists the amendments
found since the quarter before it was filed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from mentoring.models import Activity
from psp.models import Program
from referrals.models import Referral
from reporting import frozen, metrics, suppression
from reporting.models import Amendment, QuarterClose, Report, figure_label
from reporting.quarters import Quarter

# CSV sections an amendment is not looked for in: the report's own description, the summary
# (the same numbers as elsewhere, and the previous quarter's), and the amendments themselves.
NOT_AMENDED = frozenset({"report", "summary", "amendments"})
# Sections state staff never see amendments of: the counts suppression protects.
PRIVATE_SECTIONS = frozenset({"race_ethnicity", "race_ethnicity_by_program"})
# How many quarters back the nightly job looks for amendments.
AMENDMENT_QUARTERS = 8


def filing_for(program: Program | None, quarter: Quarter) -> QuarterClose | None:
    """The closing of ``program``'s (None: the statewide) ``quarter``, if it is closed."""
    scope = Q(program__isnull=True) if program is None else Q(program=program)
    return (
        QuarterClose.objects.filter(scope, year=quarter.year, quarter=quarter.number)
        .select_related("program", "closed_by")
        .first()
    )


def programs_to_close(quarter: Quarter) -> list[Program]:
    """The programs whose quarter must close before the statewide one: every active program
    at work by the quarter's end (a referral received or a contact logged by then), and every
    program that served a family in the quarter. By name."""
    # Per program, whether such a row exists: the database stops at the first one it finds
    # in the (program, date) indexes instead of joining every referral or contact.
    referrals = Referral.objects.filter(program=OuterRef("pk"))
    contacts = Activity.objects.filter(program=OuterRef("pk"))
    worked = Exists(referrals.filter(received_on__lte=quarter.end)) | Exists(
        contacts.filter(occurred_on__lte=quarter.end)
    )
    served = Exists(contacts.filter(occurred_on__gte=quarter.start, occurred_on__lte=quarter.end))
    return list(
        Program.objects.filter((Q(is_active=True) & worked) | served).order_by("name", "pk")
    )


def programs_still_open(quarter: Quarter) -> list[Program]:
    closed = set(
        QuarterClose.objects.filter(
            year=quarter.year, quarter=quarter.number, program__isnull=False
        ).values_list("program_id", flat=True)
    )
    return [program for program in programs_to_close(quarter) if program.pk not in closed]


# --- The numbers -----------------------------------------------------------------------------


def filed_numbers(filing: QuarterClose) -> dict[str, Any]:
    data: dict[str, Any] = frozen.decode(filing.values)
    data["program"] = filing.program
    return data


def counted_today(program: Program | None, quarter: Quarter) -> dict[str, Any]:
    """The quarter's numbers from the records as they are now; the previous quarter's
    headline is the filed one when that quarter is closed."""
    data = metrics.quarter_report(program=program, quarter=quarter)
    previous = filing_for(program, quarter.previous())
    if previous is not None and previous.is_filed:
        data["previous"] = filed_numbers(previous)["headline"]
        data["change"] = {
            field: getattr(data["headline"], field) - getattr(data["previous"], field)
            for field in metrics.Headline.__dataclass_fields__
        }
    return data


def file_numbers(filing: QuarterClose, *, now: datetime.datetime) -> None:
    """Count ``filing``'s quarter and keep the numbers on it (not saved here). Statewide, the
    race and ethnicity table is the programs' filed counts, and ``suppression.protect``
    chooses from them the cells hidden in every report of the quarter."""
    data = counted_today(filing.program, filing.period)
    if filing.program is None:
        data["families_by_program_and_race_ethnicity"] = _filed_table(filing.period)
        table = data["families_by_program_and_race_ethnicity"].table
        data["families_by_race_ethnicity"] = {
            column: table.counts[(suppression.STATEWIDE, column)] for column in table.columns
        }
    data["made_at"] = now
    data["amendments"] = [
        item.as_row() for item in amendments_listed(filing.program, filing.period, until=now)
    ]
    data.pop("program")
    data.pop("families_by_race_ethnicity_suppressed", None)
    filing.values = frozen.encode(data)
    filing.filed_at = now


def _filed_table(quarter: Quarter) -> metrics.RaceEthnicityByProgram:
    """Families served by program and race or ethnicity, from every program's filed counts."""
    filings = QuarterClose.objects.filter(
        year=quarter.year, quarter=quarter.number, program__isnull=False
    ).select_related("program")
    rows: dict[tuple[str, str], dict[str, int]] = {}
    for filing in filings:
        counts = filed_numbers(filing)["families_by_race_ethnicity"]
        if sum(counts.values()) and filing.program is not None:
            rows[(filing.program.slug, filing.program.name)] = counts
    programs = sorted(rows, key=lambda program: (program[1], program[0]))
    # The report's columns that the filed counts have: a program that filed before "Not
    # recorded" was counted has no such column, and counts nothing there.
    filed = {column for counts in rows.values() for column in counts}
    columns = [column for column in metrics.RACE_ETHNICITY_COLUMNS if column in filed or not rows]
    table = suppression.Table.from_rows(
        {slug: rows[(slug, name)] for slug, name in programs}, columns
    )
    return metrics.RaceEthnicityByProgram(programs=programs, table=table)


def report_numbers(report: Report) -> dict[str, Any]:
    """What ``report`` prints: the filed numbers when its quarter is closed, else today's,
    with ``made_at`` (the date printed on it), ``filing`` and ``amendments``; and, for the
    reports state staff read, ``quarter_table``, the quarter's race and ethnicity table with
    its hidden cells, or None while the statewide quarter is open."""
    filing = report.filing
    if filing is not None and filing.is_filed:
        data = filed_numbers(filing)
    else:
        data = counted_today(report.program, report.period)
        data["made_at"] = timezone.now()
        data["amendments"] = [
            item.as_row()
            for item in amendments_listed(report.program, report.period, until=data["made_at"])
        ]
    data["filing"] = filing if filing is not None and filing.is_filed else None
    data["amendments"] = [
        row
        for row in (AmendmentRow(*values) for values in data["amendments"])
        if not (report.suppressed and row.section in PRIVATE_SECTIONS)
    ]
    data["quarter_table"] = None
    if report.suppressed:
        if report.program is None and data["filing"] is not None:
            data["quarter_table"] = data["families_by_program_and_race_ethnicity"]
        else:
            statewide = filing_for(None, report.period)
            if statewide is not None and statewide.is_filed:
                data["quarter_table"] = filed_numbers(statewide)[
                    "families_by_program_and_race_ethnicity"
                ]
    return data


# --- Amendments ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AmendmentRow:
    """One amendment as a report prints it."""

    quarter: str
    section: str
    metric: str
    filed: str
    now: str

    @property
    def label(self) -> str:
        return figure_label(self.section, self.metric)


def amendments_listed(
    program: Program | None, quarter: Quarter, *, until: datetime.datetime
) -> list[Amendment]:
    """The amendments the report of ``program``'s ``quarter`` lists: those to the scope's
    earlier quarters found after the quarter before it was filed (all of them when it was
    not) and by ``until``."""
    scope = Q(filing__program__isnull=True) if program is None else Q(filing__program=program)
    earlier = Q(filing__year__lt=quarter.year) | Q(
        filing__year=quarter.year, filing__quarter__lt=quarter.number
    )
    found = Amendment.objects.filter(scope, earlier, changed_at__lte=until)
    previous = filing_for(program, quarter.previous())
    if previous is not None and previous.filed_at is not None:
        found = found.filter(changed_at__gt=previous.filed_at)
    return list(
        found.select_related("filing").order_by(
            "filing__year", "filing__quarter", "section", "metric"
        )
    )


def figures(report: Report, data: dict[str, Any]) -> dict[tuple[str, str], str]:
    """A report's figures by (section, metric), as its CSV prints them."""
    from reporting import documents  # documents prints what this module counts

    data = {**data, "filing": None, "amendments": [], "quarter_table": None}
    return {
        (section, metric): str(value)
        for section, metric, value in documents.csv_rows(report, documents.shaped(report, data))
        if section not in NOT_AMENDED
    }


def find_amendments(filing: QuarterClose, *, now: datetime.datetime | None = None) -> int:
    """Compare ``filing``'s filed figures with the same figures counted today and keep every
    difference as an amendment (an amendment whose figure is back to what was filed is
    removed). Returns how many the quarter has."""
    if not filing.is_filed:
        return 0
    now = now or timezone.now()
    report = Report(
        program=filing.program, year=filing.year, quarter=filing.quarter, suppressed=False
    )
    filed = figures(report, filed_numbers(filing))
    today_data = counted_today(filing.program, filing.period)
    if filing.program is None:  # the statewide table by program is the programs' filed one
        today_data["families_by_program_and_race_ethnicity"] = filed_numbers(filing)[
            "families_by_program_and_race_ethnicity"
        ]
    today = figures(report, today_data)
    existing = {(item.section, item.metric): item for item in filing.amendments.all()}
    different = {
        key for key in filed.keys() | today.keys() if filed.get(key, "") != today.get(key, "")
    }
    for key in different:
        item = existing.get(key)
        if item is None:
            Amendment.objects.create(
                filing=filing, section=key[0], metric=key[1], filed_value=filed.get(key, ""),
                current_value=today.get(key, ""), found_at=now, changed_at=now,
            )  # fmt: skip
        elif item.current_value != today.get(key, ""):
            item.current_value = today.get(key, "")
            item.changed_at = now
            item.save(update_fields=["current_value", "changed_at"])
    Amendment.objects.filter(
        pk__in=[item.pk for key, item in existing.items() if key not in different]
    ).delete()
    return len(different)


def recent_filings(today: datetime.date) -> Iterable[QuarterClose]:
    """The filed quarters the nightly job checks: the last ``AMENDMENT_QUARTERS``."""
    oldest = Quarter.from_date(today)
    for _ in range(AMENDMENT_QUARTERS):
        oldest = oldest.previous()
    return (
        QuarterClose.objects.filter(filed_at__isnull=False)
        .filter(Q(year__gt=oldest.year) | Q(year=oldest.year, quarter__gte=oldest.number))
        .select_related("program")
        .order_by("year", "quarter", "program__name")
    )
