"""The quarterly report's metrics: one definition of each, computed by the database.

Every metric is a keyword-only function ``metric(*, program, quarter)``: ``program`` is one
``Program`` or ``None`` for statewide (every program; for councils, the State Advisory Council
as well), ``quarter`` a ``reporting.quarters.Quarter``. Each returns a small frozen dataclass
of ints, Decimals, dates, strings and lists, so the PDF, the CSV and the dashboards all print
the same numbers. ``quarter_report`` bundles them.

How the numbers are made:

- Counts and sums are aggregates and annotations: each metric runs a fixed number of queries
  whatever the number of rows. The only rows fetched are the pairs of dates the medians need
  (one pair per referral or child in the quarter); the medians are taken in Python.
- Dates are compared as calendar dates. Timestamps (contacts, referral status changes,
  recommendation status changes) are placed on the calendar in the project's time zone
  (``settings.TIME_ZONE``), whatever time zone the person asking for the report uses.
- Every metric counts only what is dated on or before the quarter's last day (a first
  contact, a referral from an outreach event, an intake survey, a stipend's payment, a Parent
  Partner entered in the system), never "now": a report for a past quarter gives the same
  figures when it is produced again later.
- Every figure is rounded half up (12.5 to 13, 0.25 to 0.3) by ``psp.numbers``: hours, medians,
  averages of families and percents to one decimal place, survey means and money to two,
  the lived-experience share to a whole percent. Hours by kind of contact are apportioned
  (largest remainder) so that they add up to the total hours shown.

``DEFINITIONS`` states each metric in plain language for the report's appendix.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import (
    Avg,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as Conditional  # ``Case`` is mentoring's model here
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.models import (
    Attendance,
    Council,
    CouncilKind,
    Meeting,
    OutreachEvent,
    Recommendation,
    RecommendationStatus,
    RecommendationStatusChange,
    Stipend,
    StipendStatus,
)
from councils.selectors import PRESENT, PRESENT_WITH_LIVED_EXPERIENCE, Share
from mentoring.models import (
    Activity,
    ActivityType,
    Case,
    ClinicalSupportSession,
    ParentPartner,
    Stage,
    StageChange,
    SupervisionSession,
    SurveyResponse,
    SurveyTiming,
    TrainingRecord,
)
from psp.models import Program
from psp.numbers import apportion, percent, round_half_up
from referrals.models import (
    Child,
    DeclineReason,
    Family,
    Parent,
    PermanencyType,
    RaceEthnicity,
    Referral,
    Status,
    Transition,
)
from reporting import suppression
from reporting.quarters import Quarter

ONE_PLACE = 1  # decimal places
TWO_PLACES = 2
TWELVE_MONTHS = datetime.timedelta(days=365)
TWENTY_FOUR_MONTHS = datetime.timedelta(days=730)
SHORT_STAY = datetime.timedelta(days=8)
ADULT_AGE = 18

# CFSR Round 4: the discharges that count as permanency, and those after which a re-entry
# is measured.
PERMANENT_EXITS = [
    PermanencyType.REUNIFICATION,
    PermanencyType.GUARDIANSHIP,
    PermanencyType.ADOPTION,
    PermanencyType.RELATIVE_CUSTODY,
]
REENTRY_EXITS = [
    PermanencyType.REUNIFICATION,
    PermanencyType.RELATIVE_CUSTODY,
    PermanencyType.GUARDIANSHIP,
]
REUNIFIED = Q(permanency_type=PermanencyType.REUNIFICATION)
# Triage decisions that end a referral: counted by where the referral stood at the quarter's end.
CLOSING_STATUSES = [Status.DECLINED, Status.WITHDRAWN]
TEAM_MEETING_TYPES = [ActivityType.TEAM_MEETING, ActivityType.CASE_PLAN_INPUT]


DEFINITIONS: dict[str, Any] = {
    "dates": _(
        "Every date is a calendar day in the programs' time zone, %(time_zone)s (Central "
        "Time): a contact at 23:30 on a quarter's last day belongs to that quarter. A "
        "quarter's figures count only what is dated on or before its last day, so the report "
        "gives the same figures when it is made again later, unless records dated in the "
        "quarter are entered or corrected afterwards."
    ),
    "rounding": _(
        "Figures are rounded half up (12.5 becomes 13): hours, medians, averages and percents "
        "to one decimal place, the lived-experience share to a whole percent, survey scores and "
        "dollars to two places. Hours by kind of contact are rounded so that they add up to "
        "the total hours shown (largest remainder), so one kind's hours may be 0.1 away from "
        "its own rounding."
    ),
    "percentages": _(
        "Every percent is shown with the two numbers it is made of (“2 of 3”). A percent of "
        "fewer than %(small_denominator)s is marked “too few to compare”: with so few, one "
        "more or one fewer moves it a long way, so it should not be compared with other "
        "programs or quarters."
    ),
    "referrals_received": _("Referrals with a date received in the quarter."),
    "referrals_accepted": _("Referrals moved to “accepted” during the quarter, each once."),
    "referrals_declined": _(
        "Referrals that stood “declined” at the end of the quarter by a decline made during "
        "the quarter, each counted once, under the reason given for its last decline. A "
        "referral declined and reopened within the quarter is not counted; one declined in "
        "the quarter and reopened later still counts in this quarter, and counts again in a "
        "later quarter only if it is declined again then."
    ),
    "referrals_withdrawn": _(
        "Referrals that stood “withdrawn” at the end of the quarter by a step taken during "
        "the quarter, each counted once."
    ),
    "days_to_first_contact": _(
        "For referrals received in the quarter with a first contact logged on the case by "
        "the quarter's last day: the median number of days from the date received to that "
        "first contact. Referrals with no contact by the quarter's last day are left out, "
        "even when they have one now; the number of referrals the median is taken over is "
        "shown beside it."
    ),
    "families_served": _(
        "Families with at least one contact logged in the quarter, each counted once however "
        "many contacts they had."
    ),
    "families_new": _("Families whose case opened in the quarter."),
    "families_closed": _("Families whose case closed in the quarter."),
    "families_per_month": _(
        "The average over the quarter's three months of the families with at least one "
        "contact in the month."
    ),
    "contacts": _(
        "Contacts logged in the quarter, with their hours (duration), by kind of contact. "
        "Court hearings are the contacts of the kind “court hearing”; team meetings are "
        "“team meeting” and “case-plan meeting” contacts. Mileage is the miles driven "
        "recorded on those contacts. The hours of the kinds add up to the total hours."
    ),
    "children_served": _(
        "Outcomes are counted for the children of families whose case was open on at least "
        "one day of the quarter, using the dates recorded by the quarter's last day."
    ),
    "returned_home": _(
        "Children reunified with their parents (permanency type “reunification”) with a "
        "permanency date in the quarter."
    ),
    "permanency_by_type": _("Children with a permanency date in the quarter, by type."),
    "days_in_out_of_home_care": _(
        "For children reaching permanency in the quarter: the median number of days from "
        "removal to permanency."
    ),
    "reremovals": _(
        "Children who re-entered care in the quarter within 12 months (365 days) or within "
        "24 months (730 days) of their permanency date. The 24-month count includes the "
        "12-month one."
    ),
    "cfsr_permanency_12_months": _(
        "CFSR Round 4 “permanency in 12 months for children entering care”: of the children "
        "who entered care in the 12 months ending on the quarter's last day, the share "
        "discharged to reunification, guardianship, adoption or relative custody within 12 "
        "months (365 days) of entering. Children in care under 8 days and children 18 or "
        "older when they entered are left out. Children who entered recently have had less "
        "than 12 months, so the figure for a quarter can only rise as time passes."
    ),
    "cfsr_reentry_12_months": _(
        "CFSR Round 4 “re-entry to care within 12 months”: of the children who entered care in "
        "the 12 months ending on the quarter's last day and were discharged to reunification, "
        "relative custody or guardianship within 12 months of entering (same exclusions), the "
        "share who re-entered care within 12 months (365 days) of that discharge."
    ),
    "survey_change": _(
        "For cases with a closure survey answered in the quarter and an intake survey "
        "answered by the quarter's last day: the number of cases, the average intake and "
        "closure scores (1 to 5) and the average change (closure minus intake)."
    ),
    "parent_partners_active": _(
        "Parent Partners whose stage was “active” on the quarter's last day: from their stage "
        "history when it is recorded, otherwise their current stage if they were entered by "
        "that day."
    ),
    "training_hours": _("Training hours completed by Parent Partners in the quarter."),
    "supervision_sessions": _("Supervision sessions held in the quarter."),
    "clinical_sessions": _(
        "Clinical support sessions held in the quarter, and whether each month had one."
    ),
    "council_meetings": _(
        "Meetings held in the quarter: the program's Local Advisory Council, or statewide "
        "every council including the State Advisory Council."
    ),
    "council_lived_experience_share": _(
        "Of the members present at those meetings, the share with lived experience of the "
        "child welfare system (a member present at three meetings counts three times), as a "
        "whole percent."
    ),
    "stipends": _(
        "Stipends paid in the quarter (by the date paid, whatever the date of the "
        "contribution): how many and the total. Stipends not paid yet are not counted."
    ),
    "recommendations": _(
        "Recommendations proposed in the quarter, and recommendations adopted in the quarter."
    ),
    "outreach": _(
        "Outreach and education events held in the quarter, the people who came, and the "
        "referrals received by the quarter's last day that name one of those events as where "
        "the family heard of the program."
    ),
    "families_by_race_ethnicity": _(
        "Families served in the quarter by the race or ethnicity of the family's first "
        "recorded parent. In the reports state staff read, counts from 1 to %(largest_hidden)s "
        "are hidden (“*”), and so are as many other counts as it takes that no hidden count "
        "can be narrowed to fewer than %(threshold)s possible values (in a row whose total is "
        "under %(largest_hidden)s, to fewer than every value from 0 to that total) from the "
        "totals, this report and the other reports of the quarter together. The same counts "
        "are hidden in every report of the quarter."
    ),
    "families_by_program_and_race_ethnicity": _(
        "Statewide report only: the same count for each program, with each program's total "
        "(its families served); the statewide race and ethnicity counts are the sums of "
        "these rows."
    ),
}


def small_count_threshold() -> int:
    """The smallest count shown as it is to state staff (the setting
    ``PSP_SMALL_COUNT_THRESHOLD``, as ``suppress`` reads it)."""
    return int(getattr(settings, "PSP_SMALL_COUNT_THRESHOLD", 5))


def small_denominator() -> int:
    """Percents of fewer than this many are too few to compare (``PSP_SMALL_DENOMINATOR``)."""
    return int(getattr(settings, "PSP_SMALL_DENOMINATOR", 10))


def too_few_to_compare(denominator: int) -> bool:
    """Whether a percent of ``denominator`` is too small to compare (a percent of nothing is
    not shown at all)."""
    return 0 < denominator < small_denominator()


def definition_values() -> dict[str, Any]:
    """The settings the definitions name, so that every sentence says what is applied."""
    threshold = small_count_threshold()
    return {
        "threshold": threshold,
        "largest_hidden": threshold - 1,
        "small_denominator": small_denominator(),
        "time_zone": settings.TIME_ZONE,
    }


def definitions() -> dict[str, str]:
    """``DEFINITIONS`` in the active language, with the settings in force filled in."""
    values = definition_values()
    return {
        key: str(text) % values if "%(" in str(text) else str(text)
        for key, text in DEFINITIONS.items()
    }


# --- Helpers -------------------------------------------------------------------------------


def _scoped(queryset: QuerySet[Any], program: Program | None, path: str = "program") -> Any:
    """``queryset`` limited to ``program`` through the field ``path``; statewide: unchanged."""
    if program is None:
        return queryset
    return queryset.filter(**{path: program})


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone()
    )


def _on_days(field: str, start: datetime.date, end: datetime.date) -> Q:
    """Timestamps in ``field`` falling on the calendar days ``start`` to ``end`` inclusive."""
    return Q(**{f"{field}__gte": _midnight(start), f"{field}__lt": _midnight(end + _ONE_DAY)})


def _between(field: str, start: datetime.date, end: datetime.date) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


_ONE_DAY = datetime.timedelta(days=1)


def _hours(minutes: int | None) -> Decimal:
    return round_half_up(Fraction(minutes or 0, 60), ONE_PLACE)


def _round(value: Any, places: int) -> Decimal | None:
    if value is None:
        return None
    return round_half_up(value, places)


def _median(values: Iterable[int]) -> Decimal | None:
    numbers = list(values)
    if not numbers:
        return None
    return _round(statistics.median(numbers), ONE_PLACE)


def _percent(numerator: int, denominator: int) -> Decimal | None:
    return percent(numerator, denominator, ONE_PLACE)


def _days(interval: str, days: datetime.timedelta) -> Q:
    return Q(**{f"{interval}__lte": days})


def _duration(later: str, earlier: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


@dataclass(frozen=True)
class CountByCode:
    """One row of a breakdown: the stored code, its label in the active language, a count."""

    code: str
    label: str
    count: int


# --- 1. Referrals --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralMetrics:
    received: int
    accepted: int
    declined: int
    declined_by_reason: list[CountByCode]
    withdrawn: int
    median_days_to_first_contact: Decimal | None
    first_contacts: int  # how many referrals the median is taken over


def referral_metrics(*, program: Program | None, quarter: Quarter) -> ReferralMetrics:
    """Referrals received in the quarter and triage decisions made in it (4 queries).

    Each decision counts once per referral. A referral is declined (or withdrawn) in a
    quarter when that is where it stood at the quarter's end, by a step taken in the quarter:
    its last triage step on or before the quarter's last day. So a referral declined,
    reopened and declined again in a quarter is one decline, under the reason of the last
    decline; one declined and reopened in the same quarter is no decline; one declined in a
    quarter and reopened later stays a decline of that quarter (the report does not change
    afterwards), and is a decline of a later quarter too only if it is declined again then.
    The reason is the one recorded on that step, or the referral's own when the step has none
    (steps recorded before reasons were kept on them).
    """
    received = _received(program, quarter).count()

    steps = _scoped(Transition.objects.all(), program, "referral__program").filter(
        _on_days("at", quarter.start, quarter.end)
    )
    accepted = steps.aggregate(
        total=Count("referral", distinct=True, filter=Q(to_status=Status.ACCEPTED))
    )["total"]
    last_step = Transition.objects.filter(
        referral=OuterRef("pk"), at__lt=_midnight(quarter.end + _ONE_DAY)
    ).order_by("-at", "-id")
    closing = (
        _scoped(Referral.objects.all(), program)
        .filter(pk__in=steps.filter(to_status__in=CLOSING_STATUSES).values("referral"))
        .annotate(
            last_status=Subquery(last_step.values("to_status")[:1]),
            last_reason=Subquery(last_step.values("reason")[:1]),
        )
        .filter(last_status__in=CLOSING_STATUSES)
        .annotate(
            reason_code=Conditional(
                When(Q(last_status=Status.DECLINED, last_reason=""), then=F("decline_reason")),
                When(last_status=Status.DECLINED, then=F("last_reason")),
                default=Value(""),
                output_field=CharField(),
            )
        )
        .values("last_status", "reason_code")
        .annotate(total=Count("id"))
        .order_by()
    )
    closing_counts = [(row["last_status"], row["reason_code"], row["total"]) for row in closing]
    declined_counts = {
        reason: total for status, reason, total in closing_counts if status == Status.DECLINED
    }
    labels = dict(DeclineReason.choices)
    declined_by_reason = [
        CountByCode(code=code or "", label=str(labels.get(code, _("Not recorded"))), count=total)
        for code, total in sorted(
            declined_counts.items(), key=lambda item: _choice_order(DeclineReason, item[0])
        )
    ]

    # A contact after the quarter's last day has not happened yet for this quarter's report.
    first_contacts = list(
        _received(program, quarter)
        .annotate(
            first_contact=Min(
                "case__activities__occurred_on",
                filter=Q(case__activities__occurred_on__lte=quarter.end),
            )
        )
        .filter(first_contact__isnull=False)
        .values_list("received_on", "first_contact")
    )
    days = [(contact - received).days for received, contact in first_contacts]
    return ReferralMetrics(
        received=received,
        accepted=accepted,
        declined=sum(declined_counts.values()),
        declined_by_reason=declined_by_reason,
        withdrawn=sum(
            total for status, _reason, total in closing_counts if status == Status.WITHDRAWN
        ),
        median_days_to_first_contact=_median(days),
        first_contacts=len(days),
    )


def _received(program: Program | None, quarter: Quarter) -> QuerySet[Referral]:
    referrals = _scoped(Referral.objects.all(), program)
    return referrals.filter(_between("received_on", quarter.start, quarter.end))


def _choice_order(choices: Any, code: str | None) -> int:
    values = list(choices.values)
    return values.index(code) if code in values else len(values)


# --- 2. Families served --------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyMetrics:
    served: int
    new: int
    closed: int
    average_per_month: Decimal
    per_month: list[tuple[datetime.date, int]]


def _contacts(program: Program | None, start: datetime.date, end: datetime.date) -> Any:
    return _scoped(Activity.objects.all(), program).filter(_between("occurred_on", start, end))


def family_metrics(*, program: Program | None, quarter: Quarter) -> FamilyMetrics:
    """Unique families with a contact in the quarter and in each month; families whose case
    opened or closed in the quarter (2 queries)."""
    months = quarter.months()
    served = _contacts(program, quarter.start, quarter.end).aggregate(
        quarter=Count("case__family", distinct=True),
        **{
            f"month_{index}": Count(
                "case__family", distinct=True, filter=_between("occurred_on", start, end)
            )
            for index, (start, end) in enumerate(months)
        },
    )
    cases = _scoped(Case.objects.all(), program).aggregate(
        new=Count(
            "family", distinct=True, filter=_between("opened_on", quarter.start, quarter.end)
        ),
        closed=Count(
            "family", distinct=True, filter=_between("closed_on", quarter.start, quarter.end)
        ),
    )
    per_month = [(start, served[f"month_{index}"]) for index, (start, _end) in enumerate(months)]
    average = Fraction(sum(count for _start, count in per_month), len(per_month))
    return FamilyMetrics(
        served=served["quarter"],
        new=cases["new"],
        closed=cases["closed"],
        average_per_month=round_half_up(average, ONE_PLACE),
        per_month=per_month,
    )


# --- 3. Contacts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactTypeRow:
    code: str
    label: str
    count: int
    hours: Decimal


@dataclass(frozen=True)
class ContactMetrics:
    by_type: list[ContactTypeRow]  # every kind of contact, in the form's order, zeros included
    total: int
    hours: Decimal
    court_hearings: int
    team_meetings: int
    mileage: Decimal


def contact_metrics(*, program: Program | None, quarter: Quarter) -> ContactMetrics:
    """Contacts and hours by kind, court hearings, team meetings and miles (1 query)."""
    rows = {
        row["activity_type"]: row
        for row in _contacts(program, quarter.start, quarter.end)
        .values("activity_type")
        .annotate(count=Count("id"), minutes=Sum("duration_minutes"), miles=Sum("mileage"))
        .order_by()
    }
    minutes = [(rows[code]["minutes"] or 0) if code in rows else 0 for code in ActivityType.values]
    # The rows add up to the total shown (rounding each on its own may not).
    hours = apportion([Fraction(value, 60) for value in minutes], ONE_PLACE)
    by_type = [
        ContactTypeRow(
            code=code,
            label=str(label),
            count=rows[code]["count"] if code in rows else 0,
            hours=hours[index],
        )
        for index, (code, label) in enumerate(ActivityType.choices)
    ]
    total_minutes = sum(minutes)
    mileage = sum((Decimal(str(row["miles"] or 0)) for row in rows.values()), Decimal(0))
    return ContactMetrics(
        by_type=by_type,
        total=sum(row["count"] for row in rows.values()),
        hours=_hours(total_minutes),
        court_hearings=rows.get(ActivityType.COURT_HEARING, {}).get("count", 0),
        team_meetings=sum(rows.get(code, {}).get("count", 0) for code in TEAM_MEETING_TYPES),
        mileage=round_half_up(mileage, ONE_PLACE),
    )


# --- 4. Outcomes for children --------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    numerator: int
    denominator: int
    percent: Decimal | None  # one decimal place; None when the denominator is 0


@dataclass(frozen=True)
class OutcomeMetrics:
    children: int  # children of the families with a case open in the quarter
    returned_home: int
    permanency_by_type: list[CountByCode]
    median_days_in_out_of_home_care: Decimal | None
    reremovals_within_12_months: int
    reremovals_within_24_months: int
    permanency_in_12_months: Indicator
    reentry_in_12_months: Indicator


def children_served(*, program: Program | None, quarter: Quarter) -> QuerySet[Child]:
    """The children of families whose case was open on at least one day of the quarter."""
    open_cases = _scoped(Case.objects.all(), program).filter(
        Q(opened_on__lte=quarter.end), Q(closed_on__isnull=True) | Q(closed_on__gte=quarter.start)
    )
    return Child.objects.filter(family__in=open_cases.values("family"))


def _age_at_entry() -> Any:
    """Whole years of age on the removal date, in the database (None without a birth date)."""
    birthday_not_reached = Conditional(
        When(
            Q(removal_month_day__lt=F("birth_month_day")),
            then=Value(1),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    return ExtractYear("removal_date") - ExtractYear("birth_date") - birthday_not_reached


def outcome_metrics(*, program: Program | None, quarter: Quarter) -> OutcomeMetrics:
    """Permanency, days in care, re-removals and the two CFSR Round 4 indicators (3 queries).

    Dates after the quarter's last day are treated as not yet happened.
    """
    period_start, end = quarter.twelve_months_ending()
    in_quarter = _between("permanency_date", quarter.start, quarter.end)
    reunified = in_quarter & REUNIFIED
    children = children_served(program=program, quarter=quarter).annotate(
        days_in_care=_duration("permanency_date", "removal_date"),
        days_home=_duration("reentry_date", "permanency_date"),
        removal_month_day=ExtractMonth("removal_date") * 100 + ExtractDay("removal_date"),
        birth_month_day=ExtractMonth("birth_date") * 100 + ExtractDay("birth_date"),
    )
    children = children.annotate(age_at_entry=_age_at_entry())

    discharged = Q(permanency_date__isnull=False, permanency_date__lte=end)
    # CFSR exclusions, written as what is kept (NULL-safe): in care 8 days or more (or still
    # in care at the end), and under 18 on entering (or no birth date on record).
    stayed_8_days = (
        Q(permanency_date__isnull=True)
        | Q(permanency_date__gt=end)
        | Q(days_in_care__gte=SHORT_STAY)
    )
    under_18 = Q(birth_date__isnull=True) | Q(age_at_entry__lt=ADULT_AGE)
    entered = _between("removal_date", period_start, end) & stayed_8_days & under_18
    within_12_months = discharged & _days("days_in_care", TWELVE_MONTHS)
    reentry_cohort = entered & within_12_months & Q(permanency_type__in=REENTRY_EXITS)
    reentered = Q(reentry_date__isnull=False, reentry_date__lte=end)
    reentered_in_quarter = _between("reentry_date", quarter.start, quarter.end)

    totals = children.aggregate(
        children=Count("id"),
        returned_home=Count("id", filter=reunified),
        reremovals_12=Count("id", filter=reentered_in_quarter & _days("days_home", TWELVE_MONTHS)),
        reremovals_24=Count(
            "id", filter=reentered_in_quarter & _days("days_home", TWENTY_FOUR_MONTHS)
        ),
        entered=Count("id", filter=entered),
        permanent_in_12=Count(
            "id", filter=entered & within_12_months & Q(permanency_type__in=PERMANENT_EXITS)
        ),
        reentry_cohort=Count("id", filter=reentry_cohort),
        reentered_in_12=Count(
            "id", filter=reentry_cohort & reentered & _days("days_home", TWELVE_MONTHS)
        ),
    )

    by_type = {
        row["permanency_type"]: row["total"]
        for row in children.filter(in_quarter)
        .values("permanency_type")
        .annotate(total=Count("id"))
        .order_by()
    }
    permanency_by_type = [
        CountByCode(code=code, label=str(label), count=by_type.get(code, 0))
        for code, label in PermanencyType.choices
    ]
    stays = children.filter(in_quarter, removal_date__isnull=False).values_list(
        "removal_date", "permanency_date"
    )
    return OutcomeMetrics(
        children=totals["children"],
        returned_home=totals["returned_home"],
        permanency_by_type=permanency_by_type,
        median_days_in_out_of_home_care=_median(
            (permanent - removed).days
            for removed, permanent in stays
            if removed is not None and permanent is not None  # always (filtered): narrows the type
        ),
        reremovals_within_12_months=totals["reremovals_12"],
        reremovals_within_24_months=totals["reremovals_24"],
        permanency_in_12_months=Indicator(
            numerator=totals["permanent_in_12"],
            denominator=totals["entered"],
            percent=_percent(totals["permanent_in_12"], totals["entered"]),
        ),
        reentry_in_12_months=Indicator(
            numerator=totals["reentered_in_12"],
            denominator=totals["reentry_cohort"],
            percent=_percent(totals["reentered_in_12"], totals["reentry_cohort"]),
        ),
    )


# --- 5. Parent survey ----------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyMetrics:
    cases: int
    mean_intake: Decimal | None
    mean_closure: Decimal | None
    mean_change: Decimal | None


def survey_metrics(*, program: Program | None, quarter: Quarter) -> SurveyMetrics:
    """Change from the intake to the closure survey, for closure surveys answered in the
    quarter whose case also has an intake survey answered by the quarter's last day
    (1 query)."""
    intake_score = SurveyResponse.objects.filter(
        case=OuterRef("case"), timing=SurveyTiming.INTAKE, answered_on__lte=quarter.end
    ).values("score")[:1]
    totals = (
        _scoped(SurveyResponse.objects.all(), program, "case__program")
        .filter(timing=SurveyTiming.CLOSURE)
        .filter(_between("answered_on", quarter.start, quarter.end))
        .annotate(intake_score=Subquery(intake_score))
        .filter(intake_score__isnull=False)
        .aggregate(cases=Count("id"), intake=Avg("intake_score"), closure=Avg("score"))
    )
    if not totals["cases"]:
        return SurveyMetrics(cases=0, mean_intake=None, mean_closure=None, mean_change=None)
    intake = Decimal(str(totals["intake"]))
    closure = Decimal(str(totals["closure"]))
    return SurveyMetrics(
        cases=totals["cases"],
        mean_intake=_round(intake, TWO_PLACES),
        mean_closure=_round(closure, TWO_PLACES),
        # The mean of the paired differences equals the difference of the means.
        mean_change=_round(closure - intake, TWO_PLACES),
    )


# --- 6. Workforce --------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkforceMetrics:
    parent_partners_active: int
    training_hours: Decimal
    supervision_sessions: int
    clinical_sessions: int
    clinical_session_months: list[tuple[datetime.date, bool]]


def workforce_metrics(*, program: Program | None, quarter: Quarter) -> WorkforceMetrics:
    """Parent Partners active at the quarter's end, their training, supervision and clinical
    support (4 queries).

    The stage on the quarter's last day is ``stage_at_end``'s.
    """
    active = (
        _scoped(ParentPartner.objects.all(), program)
        .annotate(stage_at_end=stage_at_end(quarter.end))
        .filter(stage_at_end=Stage.ACTIVE)
        .count()
    )
    training = (
        _scoped(TrainingRecord.objects.all(), program, "parent_partner__program")
        .filter(_between("completed_on", quarter.start, quarter.end))
        .aggregate(hours=Sum("hours"))
    )
    supervision = (
        _scoped(SupervisionSession.objects.all(), program)
        .filter(_between("held_on", quarter.start, quarter.end))
        .count()
    )
    months = quarter.months()
    clinical = (
        _scoped(ClinicalSupportSession.objects.all(), program)
        .filter(_between("held_on", quarter.start, quarter.end))
        .aggregate(
            total=Count("id"),
            **{
                f"month_{index}": Count("id", filter=_between("held_on", start, end))
                for index, (start, end) in enumerate(months)
            },
        )
    )
    return WorkforceMetrics(
        parent_partners_active=active,
        training_hours=_round(training["hours"] or 0, TWO_PLACES) or Decimal("0.00"),
        supervision_sessions=supervision,
        clinical_sessions=clinical["total"],
        clinical_session_months=[
            (start, clinical[f"month_{index}"] > 0) for index, (start, _end) in enumerate(months)
        ],
    )


def stage_at_end(day: datetime.date) -> Any:
    """A Parent Partner's stage at the end of ``day``, as an expression: the ``to_stage`` of
    the last recorded stage change on or before that day; with none, the ``from_stage`` of the
    first change after it; with no stage history at all, the current stage if they were
    entered by that day (and none if they were entered later: they were not there yet)."""
    after_end = _midnight(day + _ONE_DAY)
    changes = StageChange.objects.filter(parent_partner=OuterRef("pk"))
    return Coalesce(
        Subquery(changes.filter(at__lt=after_end).order_by("-at", "-id").values("to_stage")[:1]),
        Subquery(changes.filter(at__gte=after_end).order_by("at", "id").values("from_stage")[:1]),
        Conditional(When(created_at__lt=after_end, then=F("stage")), default=Value(None)),
        output_field=CharField(),
    )


# --- 7. Councils ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CouncilMetrics:
    meetings: int
    present: int
    lived_experience_present: int
    lived_experience_percent: int | None
    stipends: int
    stipend_total: Decimal
    recommendations_made: int
    recommendations_adopted: int


def _councils(program: Program | None) -> QuerySet[Council]:
    if program is None:
        return Council.objects.all()
    return Council.objects.filter(kind=CouncilKind.LOCAL, program=program)


def council_metrics(*, program: Program | None, quarter: Quarter) -> CouncilMetrics:
    """Council meetings, who came, stipends and recommendations (5 queries).

    The lived-experience share uses the councils app's definition (``PRESENT``,
    ``PRESENT_WITH_LIVED_EXPERIENCE`` and ``Share``) over all the councils in scope at once.
    """
    councils = _councils(program)
    held = _between("held_on", quarter.start, quarter.end)
    meetings = Meeting.objects.filter(held, council__in=councils).count()
    attendance = Attendance.objects.filter(meeting__council__in=councils).filter(
        _between("meeting__held_on", quarter.start, quarter.end)
    )
    totals = attendance.aggregate(
        present=Count("id", filter=PRESENT),
        lived_experience=Count("id", filter=PRESENT_WITH_LIVED_EXPERIENCE),
    )
    share = Share(present=totals["present"], lived_experience=totals["lived_experience"])
    # Paid in the quarter, whenever the contribution: a stipend still to pay is not counted,
    # and one paid after the quarter belongs to the quarter it is paid in.
    stipends = Stipend.objects.filter(
        _between("paid_on", quarter.start, quarter.end),
        status=StipendStatus.PAID,
        member__council__in=councils,
    ).aggregate(count=Count("id"), total=Sum("amount"))
    made = Recommendation.objects.filter(
        _between("proposed_on", quarter.start, quarter.end), council__in=councils
    ).count()
    adopted = RecommendationStatusChange.objects.filter(
        _on_days("at", quarter.start, quarter.end),
        to_status=RecommendationStatus.ADOPTED,
        recommendation__council__in=councils,
    ).aggregate(total=Count("recommendation", distinct=True))
    return CouncilMetrics(
        meetings=meetings,
        present=share.present,
        lived_experience_present=share.lived_experience,
        lived_experience_percent=share.percent,
        stipends=stipends["count"],
        stipend_total=_round(stipends["total"] or 0, TWO_PLACES) or Decimal("0.00"),
        recommendations_made=made,
        recommendations_adopted=adopted["total"],
    )


# --- 8. Outreach ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OutreachMetrics:
    events: int
    reach: int
    referrals: int


def outreach_metrics(*, program: Program | None, quarter: Quarter) -> OutreachMetrics:
    """Outreach events held in the quarter, the people reached and the referrals naming one
    of those events as their source received by the quarter's last day (2 queries)."""
    events = _scoped(OutreachEvent.objects.all(), program).filter(
        _between("held_on", quarter.start, quarter.end)
    )
    totals = events.aggregate(events=Count("id"), reach=Sum("attendance"))
    referrals = Referral.objects.filter(
        source__event__in=events, received_on__lte=quarter.end
    ).count()
    return OutreachMetrics(events=totals["events"], reach=totals["reach"] or 0, referrals=referrals)


# --- 9. Families by race or ethnicity ------------------------------------------------------


def families_by_race_ethnicity(*, program: Program | None, quarter: Quarter) -> dict[str, int]:
    """Families served in the quarter (as ``family_metrics().served``) by the race or
    ethnicity of their first parent (lowest id): every category, 0 when none (1 query).
    Families without a parent on record count as "not reported"."""
    served = _contacts(program, quarter.start, quarter.end).values("case__family")
    first_parent = Parent.objects.filter(family=OuterRef("pk")).order_by("id")
    rows = (
        Family.objects.filter(pk__in=served)
        .annotate(race=Subquery(first_parent.values("race_ethnicity")[:1]))
        .values("race")
        .annotate(total=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(RaceEthnicity.values, 0)
    for row in rows:
        code = row["race"] if row["race"] in counts else RaceEthnicity.NOT_REPORTED
        counts[code] += row["total"]
    return counts


@dataclass(frozen=True)
class RaceEthnicityByProgram:
    """Families served in the quarter by program (rows, by name) and race or ethnicity, the
    statewide counts being the columns' sums, and the cells hidden from state staff in every
    report of the quarter (``reporting.suppression``)."""

    programs: list[tuple[str, str]]  # (slug, name), by name
    table: suppression.Table

    def counts(self, row: str | None) -> dict[str, int]:
        """Every category's count for the program with slug ``row`` (None: statewide)."""
        if row is not None and row not in self.table.program_rows:
            return dict.fromkeys(self.table.columns, 0)  # no family served
        return {column: self.table.counts[(row, column)] for column in self.table.columns}

    @cached_property
    def hidden(self) -> frozenset[suppression.Cell]:
        return suppression.protect(self.table)

    def shown(self, row: str | None, *, suppressed: bool = True) -> dict[str, str]:
        """Row ``row`` (a program's slug, None: statewide) as a report prints it, with
        ``"total"``; with ``suppressed``, the quarter's hidden cells as ``*``."""
        if row is not None and row not in self.table.program_rows:
            return {**dict.fromkeys(self.table.columns, "0"), "total": "0"}
        return suppression.shown_row(self.table, self.hidden if suppressed else (), row)


def families_by_program_and_race_ethnicity(*, quarter: Quarter) -> RaceEthnicityByProgram:
    """``families_by_race_ethnicity`` for every program at once: the programs with a family
    served in the quarter, each family counted in its own program (1 query)."""
    served = _contacts(None, quarter.start, quarter.end).values("case__family")
    first_parent = Parent.objects.filter(family=OuterRef("pk")).order_by("id")
    rows = (
        Family.objects.filter(pk__in=served)
        .annotate(race=Subquery(first_parent.values("race_ethnicity")[:1]))
        .values("program__slug", "program__name", "race")
        .annotate(total=Count("id"))
        .order_by()
    )
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row in rows:
        program = (row["program__slug"], row["program__name"])
        code = row["race"] if row["race"] in RaceEthnicity.values else RaceEthnicity.NOT_REPORTED
        by_race = counts.setdefault(program, dict.fromkeys(RaceEthnicity.values, 0))
        by_race[code] += row["total"]
    programs = sorted(counts, key=lambda program: (program[1], program[0]))
    table = suppression.Table.from_rows(
        {slug: counts[(slug, name)] for slug, name in programs}, RaceEthnicity.values
    )
    return RaceEthnicityByProgram(programs=programs, table=table)


# --- 10. The whole report ------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    referrals_received: int
    families_served: int
    contacts: int
    hours: Decimal
    reunifications: int


def headline(*, program: Program | None, quarter: Quarter) -> Headline:
    """The numbers compared quarter over quarter, by the same definitions as the full
    metrics, for the previous quarter (3 queries)."""
    contacts = _contacts(program, quarter.start, quarter.end).aggregate(
        families=Count("case__family", distinct=True),
        contacts=Count("id"),
        minutes=Sum("duration_minutes"),
    )
    return Headline(
        referrals_received=_received(program, quarter).count(),
        families_served=contacts["families"],
        contacts=contacts["contacts"],
        hours=_hours(contacts["minutes"]),
        reunifications=children_served(program=program, quarter=quarter)
        .filter(_between("permanency_date", quarter.start, quarter.end), REUNIFIED)
        .count(),
    )


def quarter_report(*, program: Program | None, quarter: Quarter) -> dict[str, Any]:
    """Every metric for ``program`` (or statewide) and ``quarter``, with the previous
    quarter's headline numbers and the change from them. A fixed number of queries."""
    referrals = referral_metrics(program=program, quarter=quarter)
    families = family_metrics(program=program, quarter=quarter)
    contacts = contact_metrics(program=program, quarter=quarter)
    outcomes = outcome_metrics(program=program, quarter=quarter)
    current = Headline(
        referrals_received=referrals.received,
        families_served=families.served,
        contacts=contacts.total,
        hours=contacts.hours,
        reunifications=outcomes.returned_home,
    )
    previous = headline(program=program, quarter=quarter.previous())
    # One table for every program: which counts state staff may see depends on them all.
    by_program = families_by_program_and_race_ethnicity(quarter=quarter)
    row = program.slug if program else None
    return {
        "program": program,
        "quarter": quarter,
        "previous_quarter": quarter.previous(),
        "referrals": referrals,
        "families": families,
        "contacts": contacts,
        "outcomes": outcomes,
        "survey": survey_metrics(program=program, quarter=quarter),
        "workforce": workforce_metrics(program=program, quarter=quarter),
        "councils": council_metrics(program=program, quarter=quarter),
        "outreach": outreach_metrics(program=program, quarter=quarter),
        "families_by_race_ethnicity": by_program.counts(row),
        "families_by_race_ethnicity_suppressed": by_program.shown(row),
        "families_by_program_and_race_ethnicity": by_program if program is None else None,
        "headline": current,
        "previous": previous,
        "change": {
            field: getattr(current, field) - getattr(previous, field)
            for field in Headline.__dataclass_fields__
        },
    }
