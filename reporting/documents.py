"""The quarterly report as documents: the PDF (WeasyPrint) and the CSV, from one set of numbers.

``report_data`` asks ``reporting.metrics.quarter_report`` for every metric once;
``pdf_context`` adds the charts and the summary table; ``render_html``/``render_pdf`` lay the
PDF out from the template ``reporting/report_pdf.html`` with its own print stylesheet
(``reporting/static/reporting/report.css``, no Bootstrap: the PDF is not a web page);
``render_csv`` writes the same numbers as (section, metric, value) rows. Whenever the report
is one state staff may read (``Report.suppressed``), the race and ethnicity counts (and, in
the statewide report, the table by program) hide the cells ``reporting.suppression`` chose
for the whole quarter, the same in every report of it.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentoring.models import CHILD_WELFARE_CONTACTS
from psp.dates import format_when
from psp.exports import csv_safe
from reporting import charts, filing, numbers, outcomes
from reporting.metrics import (
    Headline,
    RaceEthnicityByProgram,
    TargetPeriod,
    definition_sources,
    definition_values,
    definitions,
    race_ethnicity_columns,
    too_few_to_compare,
)
from reporting.models import Report

STYLESHEET = "reporting/report.css"

# The appendix's headings, in DEFINITIONS' order; a metric added there without a heading
# here still prints, under its key.
DEFINITION_TITLES: dict[str, Any] = {
    "dates": gettext_lazy("Dates and time zone"),
    "closed_quarters": gettext_lazy("Closed quarters and changes after filing"),
    "rounding": gettext_lazy("Rounding"),
    "percentages": gettext_lazy("Percents"),
    "referrals_received": gettext_lazy("Referrals received"),
    "referrals_accepted": gettext_lazy("Referrals accepted"),
    "referrals_declined": gettext_lazy("Referrals declined"),
    "referrals_withdrawn": gettext_lazy("Referrals withdrawn"),
    "days_to_first_contact": gettext_lazy("Days to first contact"),
    "families_served": gettext_lazy("Families served"),
    "families_new": gettext_lazy("New families"),
    "families_closed": gettext_lazy("Families closed"),
    "families_per_month": gettext_lazy("Families served per month"),
    "contacts": gettext_lazy("Contacts and hours"),
    "contacts_school": gettext_lazy("Contacts and hours"),
    "school_based": gettext_lazy("School-based Parent Peer Support"),
    "children_served": gettext_lazy("Children counted for outcomes"),
    "returned_home": gettext_lazy("Returned home"),
    "permanency_by_type": gettext_lazy("Permanency by type"),
    "days_in_out_of_home_care": gettext_lazy("Days in out-of-home care"),
    "reremovals": gettext_lazy("Re-removals"),
    "cfsr_permanency_12_months": gettext_lazy("CFSR: permanency in 12 months"),
    "cfsr_reentry_12_months": gettext_lazy("CFSR: re-entry within 12 months"),
    "cfsr_sources": gettext_lazy("Sources of the CFSR definitions"),
    "survey_change": gettext_lazy("Parent survey change"),
    "parent_partners_active": gettext_lazy("Parent Partners active"),
    "training_hours": gettext_lazy("Training hours"),
    "supervision_sessions": gettext_lazy("Supervision sessions"),
    "clinical_sessions": gettext_lazy("Clinical support sessions"),
    "council_meetings": gettext_lazy("Council meetings"),
    "council_lived_experience_share": gettext_lazy("Lived-experience share"),
    "stipends": gettext_lazy("Stipends"),
    "recommendations": gettext_lazy("Recommendations"),
    "outreach": gettext_lazy("Outreach"),
    "families_by_race_ethnicity": gettext_lazy("Families by race or ethnicity"),
    "families_by_program_and_race_ethnicity": gettext_lazy(
        "Families by program and race or ethnicity"
    ),
}


def report_data(report: Report) -> dict[str, Any]:
    """Every metric for the report's program (or statewide) and quarter, the filed ones when
    the quarter is closed (``reporting.filing``), shaped as the report prints them."""
    return shaped(report, filing.report_numbers(report))


def shaped(report: Report, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with the race and ethnicity rows as ``report`` shows them (and, statewide, the
    table by program): every count for a program's own coordinators; for state staff the
    quarter's table with its hidden cells, or nothing (``race_withheld``) while the
    statewide quarter is open. The columns are ``metrics.RACE_ETHNICITY_COLUMNS`` that the
    numbers have: a quarter filed before "Not recorded" was counted keeps the columns it was
    filed with."""
    data = dict(data)
    if data.get("school_based"):
        # A school-based program's report lists the kinds of contact it offers: no court
        # hearing, family time or case-plan rows (none can be logged on its cases).
        contacts = data["contacts"]
        data["contacts"] = dataclasses.replace(
            contacts,
            by_type=[row for row in contacts.by_type if row.code not in CHILD_WELFARE_CONTACTS],
        )
    by_program: RaceEthnicityByProgram | None = None
    row = report.program.slug if report.program else None
    data["race_withheld"] = False
    counts: dict[str, int] = data["families_by_race_ethnicity"]
    had = set(counts)
    if not report.suppressed:
        if report.program is None:
            by_program = data["families_by_program_and_race_ethnicity"]
    elif data.get("quarter_table") is not None:
        by_program = data["quarter_table"]
        had = set(by_program.table.columns)
    else:
        data["race_withheld"] = True
    if by_program is not None:  # its rows print every column they have, and only those
        had &= set(by_program.table.columns)
    labels = {code: label for code, label in race_ethnicity_columns() if code in had}
    columns = list(labels)
    if data["race_withheld"]:
        shown: dict[str, str] = {}
    elif report.suppressed and by_program is not None:
        shown = by_program.shown(row, suppressed=True)
    else:
        shown = {code: str(counts.get(code, 0)) for code in columns}
        shown["total"] = str(sum(counts.values()))
    data["race_rows"] = [(code, str(labels[code]), shown[code]) for code in columns if shown]
    data["race_total"] = shown.get("total", "")
    data["race_columns"] = [(code, str(label)) for code, label in labels.items()]
    data["program_race_rows"] = []
    if by_program is not None and report.program is None:
        for slug, name in by_program.programs:
            cells = by_program.shown(slug, suppressed=report.suppressed)
            data["program_race_rows"].append(
                (slug, name, [cells[code] for code in columns], cells["total"])
            )
    return data


# --- The PDF -------------------------------------------------------------------------------


def chart_rows(data: dict[str, Any]) -> dict[str, tuple[str, list[tuple[str, Any]]]]:
    """Each chart's title and (label, value) rows: drawn by ``report_charts``, and printed as
    a table beside a chart whose numbers are in no other table."""
    referrals = data["referrals"]
    families = data["families"]
    contacts = data["contacts"]
    outcomes = data["outcomes"]
    return {
        "referrals": (
            _("Referrals: received, accepted, declined and withdrawn"),
            [
                (_("Received"), referrals.received),
                (_("Accepted"), referrals.accepted),
                (_("Declined"), referrals.declined),
                (_("Withdrawn"), referrals.withdrawn),
            ],
        ),
        "families": (
            _("Families served in each month of the quarter"),
            [(format_when(month, "month_name"), count) for month, count in families.per_month],
        ),
        "contacts": (
            _("Contacts by type"),
            [(row.label, row.count) for row in contacts.by_type],
        ),
        "outcomes": (
            _("Children's outcomes in the quarter"),
            [
                *((row.label, row.count) for row in outcomes.permanency_by_type),
                (_("Re-entered care within 12 months"), outcomes.reremovals_within_12_months),
                (_("Re-entered care within 24 months"), outcomes.reremovals_within_24_months),
            ],
        ),
    }


def report_charts(rows: dict[str, tuple[str, list[tuple[str, Any]]]]) -> dict[str, Any]:
    """The four charts, as inline SVG."""
    return {
        "referrals": charts.funnel_chart(title=rows["referrals"][0], steps=rows["referrals"][1]),
        "families": charts.column_chart(title=rows["families"][0], columns=rows["families"][1]),
        "contacts": charts.horizontal_bar_chart(
            title=rows["contacts"][0], rows=rows["contacts"][1]
        ),
        "outcomes": charts.outcomes_chart(title=rows["outcomes"][0], rows=rows["outcomes"][1]),
    }


def _change(value: Any) -> str:
    """A change as "+3", "0", or with a real minus sign (U+2212) when it went down, with the
    reader's thousands separator."""
    return numbers.signed(value)


def summary_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The key numbers against the previous quarter."""
    labels = {
        "referrals_received": _("Referrals received"),
        "families_served": _("Families served"),
        "contacts": _("Contacts"),
        "hours": _("Hours of contact"),
        "reunifications": _("Children returned home"),
    }
    current: Headline = data["headline"]
    previous: Headline = data["previous"]
    return [
        {
            "label": labels[field],
            "current": getattr(current, field),
            "previous": getattr(previous, field),
            "change": _change(data["change"][field]),
        }
        for field in headline_fields(data)
    ]


# The key numbers only a child-welfare program's report has: a school-based program's
# families are not reunified (its report has no outcomes for children in care).
CHILD_WELFARE_HEADLINE = frozenset({"reunifications"})


def headline_fields(data: dict[str, Any]) -> list[str]:
    """The key numbers of the summary (PDF and CSV) of the report ``data`` is for."""
    left_out = CHILD_WELFARE_HEADLINE if data.get("school_based") else frozenset()
    return [field for field in Headline.__dataclass_fields__ if field not in left_out]


def pdf_context(report: Report, data: dict[str, Any]) -> dict[str, Any]:
    generated = timezone.localtime(data["made_at"])
    sources = definition_sources()
    rows = chart_rows(data)
    return {
        "report": report,
        "scope": report.scope_label,
        "quarter": report.period,
        "quarter_label": _("%(year)s quarter %(number)s")
        % {"year": report.year, "number": report.quarter},
        "quarter_dates": _("%(start)s to %(end)s")
        % {
            "start": format_when(report.period.start, "date"),
            "end": format_when(report.period.end, "date"),
        },
        "previous_label": data["previous_quarter"].label,
        "generated_at": generated,
        "requested_by": str(report.requested_by) if report.requested_by else "",
        "filing": data["filing"],
        "data": data,
        "summary": summary_rows(data),
        "cfsr": [
            (label, indicator, entered, too_few_to_compare(indicator.denominator))
            for label, indicator, entered in [
                (
                    _("Permanency in 12 months for children entering care"),
                    data["outcomes"].permanency_in_12_months,
                    _entered_between(data["outcomes"].permanency_period),
                ),
                (
                    _("Re-entry to care within 12 months of discharge"),
                    data["outcomes"].reentry_in_12_months,
                    _entered_between(data["outcomes"].reentry_period),
                ),
            ]
        ],
        "lived_experience_too_few": too_few_to_compare(data["councils"].present),
        # Against a matched comparison group (``reporting.outcomes``): child welfare only.
        "comparison": None
        if report.program is not None and report.program.is_school_based
        else outcomes.for_report(report.program, suppressed=report.suppressed),
        "settings": definition_values(),
        "charts": report_charts(rows),
        "chart_rows": {key: values for key, (_title, values) in rows.items()},
        "definitions": [
            (DEFINITION_TITLES.get(key, key), text, sources[key])
            for key, text in definitions().items()
            if key not in _definitions_left_out(data)
        ],
        "running_head": css_string(f"{report.scope_label} · {report.period.label}"),
        "page_label": css_string(_("Page")),
        "of_label": css_string(_("of")),
    }


# The definitions of numbers only a child-welfare program's report has.
CHILD_WELFARE_DEFINITIONS = frozenset(
    {
        "children_served",
        "returned_home",
        "permanency_by_type",
        "days_in_out_of_home_care",
        "reremovals",
        "cfsr_permanency_12_months",
        "cfsr_reentry_12_months",
        "cfsr_sources",
    }
)


def _definitions_left_out(data: dict[str, Any]) -> frozenset[str]:
    """A school-based program's report has no child-welfare outcomes, and its contacts are
    defined without court hearings; a child-welfare program's has no school section
    (statewide has both, and the contacts as child welfare defines them)."""
    if data.get("school_based"):
        return CHILD_WELFARE_DEFINITIONS | {"contacts"}
    if data.get("school") is None:
        return frozenset({"school_based", "contacts_school"})
    return frozenset({"contacts_school"})


def _entered_between(period: TargetPeriod) -> str:
    return _("Children who entered care from %(start)s to %(end)s") % {
        "start": format_when(period.start, "date"),
        "end": format_when(period.end, "date"),
    }


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string that cannot end the string or the <style> element."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>&' or ord(char) < 32 else char for char in text
    )
    return f'"{escaped}"'


def render_html(context: dict[str, Any]) -> str:
    return render_to_string("reporting/report_pdf.html", context)


def _stylesheet() -> str:
    path = finders.find(STYLESHEET)
    if not path:
        raise FileNotFoundError(STYLESHEET)
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> Any:
    """WeasyPrint may not load anything: the report is self-contained (inline SVG, one
    stylesheet passed in), and a URL in a program's name must not reach the network."""
    raise ValueError(f"The report PDF does not load external resources ({url[:80]}).")


def render_pdf(html: str) -> bytes:
    """The PDF for ``html``: tagged PDF/UA-1, title and language from the document."""
    from weasyprint import CSS, HTML  # imported here: heavy, and only the worker needs it

    from reporting import tagging  # pikepdf too

    document = HTML(string=html, base_url=".", url_fetcher=_no_fetching)
    with _fixed_font_timestamps():
        pdf: bytes = document.write_pdf(
            stylesheets=[CSS(string=_stylesheet(), url_fetcher=_no_fetching)],
            pdf_variant="pdf/ua-1",
        )
    # Headers' scope and the running head as artifacts, which WeasyPrint leaves out.
    return tagging.finish(pdf)


@contextlib.contextmanager
def _fixed_font_timestamps() -> Iterator[None]:
    """The same report made again must be the same bytes (a filed quarter's checksum). Where
    HarfBuzz's subsetting library is missing, WeasyPrint subsets the fonts with fontTools,
    which stamps each font with the time it was saved unless ``SOURCE_DATE_EPOCH`` (the
    reproducible-builds convention) gives one."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


# --- The CSV -------------------------------------------------------------------------------


def csv_rows(report: Report, data: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(section, metric, value) for every number in the PDF, in the PDF's order."""
    rows: list[tuple[str, str, Any]] = []

    def add(section: str, values: dict[str, Any]) -> None:
        rows.extend((section, metric, _blank(value)) for metric, value in values.items())

    referrals = data["referrals"]
    families = data["families"]
    contacts = data["contacts"]
    outcomes = data["outcomes"]
    survey = data["survey"]
    workforce = data["workforce"]
    councils = data["councils"]
    outreach = data["outreach"]
    current: Headline = data["headline"]
    previous: Headline = data["previous"]

    add(
        "report",
        {
            "program": report.program.slug if report.program else "statewide",
            "quarter": report.period.label,
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
            "small_counts_suppressed": "yes" if report.suppressed else "no",
            "status": "filed" if data["filing"] else "draft",
            "closed_at": (
                timezone.localtime(data["filing"].closed_at).isoformat(timespec="seconds")
                if data["filing"]
                else ""
            ),
            "time_zone": definition_values()["time_zone"],
        },
    )
    for field in headline_fields(data):
        add(
            "summary",
            {
                field: getattr(current, field),
                f"{field}_previous_quarter": getattr(previous, field),
                f"{field}_change": data["change"][field],
            },
        )
    add(
        "referrals",
        {
            "received": referrals.received,
            "accepted": referrals.accepted,
            "declined": referrals.declined,
            **{
                f"declined_{row.code or 'unknown'}": row.count
                for row in referrals.declined_by_reason
            },
            "withdrawn": referrals.withdrawn,
            "median_days_to_first_contact": referrals.median_days_to_first_contact,
            "first_contacts": referrals.first_contacts,
        },
    )
    add(
        "families",
        {
            "served": families.served,
            "new": families.new,
            "closed": families.closed,
            "average_per_month": families.average_per_month,
            **{f"served_{month:%Y_%m}": count for month, count in families.per_month},
        },
    )
    school_based = bool(data.get("school_based"))
    add(
        "contacts",
        {
            "total": contacts.total,
            "hours": contacts.hours,
            # As in the PDF: court hearings and team and case-plan meetings are a
            # child-welfare program's figures.
            **(
                {}
                if school_based
                else {
                    "court_hearings": contacts.court_hearings,
                    "team_meetings": contacts.team_meetings,
                }
            ),
            "mileage": contacts.mileage,
        },
    )
    for row in contacts.by_type:
        add("contacts", {f"{row.code}_count": row.count, f"{row.code}_hours": row.hours})
    school = data.get("school")  # reports filed before school-based programs have none
    if school is not None:
        add(
            "school",
            {
                "meetings": school.meetings,
                "meetings_with_parent": school.meetings_with_parent,
                **{f"{row.code}_with_parent": row.count for row in school.meetings_by_kind},
                "families_at_meetings": school.families_at_meetings,
                "services_connected": school.services_connected,
                "families_connected": school.families_connected,
                "families_planning_a_move": school.families_planning_a_move,
                "children": school.children,
                **{
                    f"children_plan_{row.code or 'unknown'}": row.count
                    for row in school.children_by_plan
                },
                "children_moving": school.children_moving,
            },
        )
    # A school-based program's report has no outcomes for children in care (PDF and CSV).
    if not school_based:
        add(
            "outcomes",
            {
                "children": outcomes.children,
                "returned_home": outcomes.returned_home,
                **{f"permanency_{row.code}": row.count for row in outcomes.permanency_by_type},
                "median_days_in_out_of_home_care": outcomes.median_days_in_out_of_home_care,
                "reremovals_within_12_months": outcomes.reremovals_within_12_months,
                "reremovals_within_24_months": outcomes.reremovals_within_24_months,
            },
        )
        for name, indicator, period in [
            (
                "cfsr_permanency_12_months",
                outcomes.permanency_in_12_months,
                outcomes.permanency_period,
            ),
            ("cfsr_reentry_12_months", outcomes.reentry_in_12_months, outcomes.reentry_period),
        ]:
            add(
                "outcomes",
                {
                    f"{name}_numerator": indicator.numerator,
                    f"{name}_denominator": indicator.denominator,
                    f"{name}_percent": indicator.percent,
                    f"{name}_too_few_to_compare": _yes_no(
                        too_few_to_compare(indicator.denominator)
                    ),
                    f"{name}_entered_from": period.start.isoformat(),
                    f"{name}_entered_to": period.end.isoformat(),
                },
            )
    add(
        "survey",
        {
            "cases": survey.cases,
            "mean_intake": survey.mean_intake,
            "mean_closure": survey.mean_closure,
            "mean_change": survey.mean_change,
        },
    )
    add(
        "workforce",
        {
            "parent_partners_active": workforce.parent_partners_active,
            "training_hours": workforce.training_hours,
            "supervision_sessions": workforce.supervision_sessions,
            "clinical_sessions": workforce.clinical_sessions,
            **{
                f"clinical_session_held_{month:%Y_%m}": "yes" if held else "no"
                for month, held in workforce.clinical_session_months
            },
        },
    )
    add(
        "councils",
        {
            "meetings": councils.meetings,
            "members_present": councils.present,
            "lived_experience_present": councils.lived_experience_present,
            "lived_experience_percent": councils.lived_experience_percent,
            "lived_experience_too_few_to_compare": _yes_no(too_few_to_compare(councils.present)),
            "stipends_paid": councils.stipends,
            "stipends_paid_total": councils.stipend_total,
            "recommendations_made": councils.recommendations_made,
            "recommendations_adopted": councils.recommendations_adopted,
        },
    )
    add(
        "outreach",
        {
            "events": outreach.events,
            "people_reached": outreach.reach,
            "referrals": outreach.referrals,
        },
    )
    if data["race_withheld"]:
        add("race_ethnicity", {"shown": "no: until every program has closed the quarter"})
    else:
        add(
            "race_ethnicity",
            {
                **{code: shown for code, _label, shown in data["race_rows"]},
                "total": data["race_total"],
            },
        )
    codes = [code for code, _label in data["race_columns"]]
    for slug, _name, cells, total in data["program_race_rows"]:
        add(
            "race_ethnicity_by_program",
            {
                **{f"{slug}.{code}": shown for code, shown in zip(codes, cells, strict=True)},
                f"{slug}.total": total,
            },
        )
    for row in data["amendments"]:
        add(
            "amendments", {f"{row.quarter}.{row.section}.{row.metric}": f"{row.filed} -> {row.now}"}
        )
    return rows


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _blank(value: Any) -> Any:
    """No value (a median of nothing, a share of zero) is an empty cell, not "None"."""
    return "" if value is None else value


def render_csv(report: Report, data: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["section", "metric", "value"])
    for section, metric, value in csv_rows(report, data):
        # Numbers go out as they are ("-1" is a change, not a formula); text is made safe.
        cell = value if isinstance(value, int | Decimal) else csv_safe([value])[0]
        writer.writerow([*csv_safe([section, metric]), cell])
    # A byte-order mark so spreadsheet programs open the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
