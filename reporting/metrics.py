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
- Outcomes look only at what was recorded by the quarter's last day, so a report for a past
  quarter gives the same figures when it is produced again later.
- Hours are rounded to one decimal place, means to two, with ROUND_HALF_UP.

``DEFINITIONS`` states each metric in plain language for the report's appendix.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Avg,
    CharField,
    Count,
    DateField,
    DurationField,
    Exists,
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
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, Mod
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
from referrals.models import (
    Child,
    DeclineReason,
    DischargeReason,
    Family,
    Parent,
    RaceEthnicity,
    Referral,
    RemovalEpisode,
    Status,
    Transition,
)
from reporting.quarters import Quarter

ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")
SHORT_STAY = datetime.timedelta(days=8)
ADULT_AGE = 18

# CFSR Round 4: the discharges that count as permanency, and those after which a re-entry
# is measured.
PERMANENT_EXITS = [
    DischargeReason.REUNIFICATION,
    DischargeReason.RELATIVE_CUSTODY,
    DischargeReason.GUARDIANSHIP,
    DischargeReason.ADOPTION,
]
REENTRY_EXITS = [
    DischargeReason.REUNIFICATION,
    DischargeReason.RELATIVE_CUSTODY,
    DischargeReason.GUARDIANSHIP,
]
TEAM_MEETING_TYPES = [ActivityType.TEAM_MEETING, ActivityType.CASE_PLAN_INPUT]


DEFINITIONS: dict[str, Any] = {
    "referrals_received": _("Referrals with a date received in the quarter."),
    "referrals_accepted": _("Referrals moved to “accepted” during the quarter."),
    "referrals_declined": _(
        "Referrals moved to “declined” during the quarter, by the reason recorded."
    ),
    "referrals_withdrawn": _("Referrals moved to “withdrawn” during the quarter."),
    "days_to_first_contact": _(
        "For referrals received in the quarter whose family has had a first contact: the "
        "median number of days from the date received to the first contact logged on the "
        "case. Referrals still waiting for a first contact are left out."
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
        "recorded on those contacts."
    ),
    "children_served": _(
        "Outcomes are counted for the children of families whose case was open on at least "
        "one day of the quarter, from their stays in out-of-home care (removal episodes) as "
        "recorded by the quarter's last day. A child removed again after going home has a "
        "second stay; each stay has its own removal and discharge."
    ),
    "returned_home": _(
        "Children whose stay in care ended in the quarter with reunification with their "
        "parents, each counted once."
    ),
    "permanency_by_type": _(
        "Children whose stay in care ended in the quarter, by the reason it ended."
    ),
    "days_in_out_of_home_care": _(
        "For the stays in care that ended in the quarter: the median number of days from "
        "removal to discharge."
    ),
    "reremovals": _(
        "Removals in the quarter of a child who had left care before, within 12 or within 24 "
        "months of leaving that earlier stay (before the same day of the month 12 or 24 "
        "months later). The 24-month count includes the 12-month one."
    ),
    "cfsr_permanency_12_months": _(
        "CFSR Round 4 statewide data indicator “permanency in 12 months for children "
        "entering foster care”, as the Children's Bureau specifies it (see “Sources of the "
        "CFSR definitions”). Denominator: the children who "
        "entered care in the 12-month target period, counted once by their first removal "
        "in the period; a stay of fewer than 8 days (discharge date minus removal date) "
        "and a child 18 or older on the day of removal are left out. Numerator: those "
        "discharged to reunification, living with other relatives, guardianship or "
        "adoption within 12 months of entering (the discharge date is before the same day "
        "of the month 12 months after the removal, or that month's last day when it is "
        "shorter) and before their 18th birthday. The target period is the most recent 12 "
        "months whose every entrant has had the full 12 months by the quarter's last day: "
        "the 12 months ending one year before it. Counted for the children of families the "
        "program served (a case open on at least one day) from the period's first day to "
        "the quarter's last day."
    ),
    "cfsr_reentry_12_months": _(
        "CFSR Round 4 statewide data indicator “re-entry to foster care in 12 months”, as "
        "the same documents specify it. Denominator: the children who entered care in the "
        "12-month target period (first removal in the period, with the same exclusions) "
        "and were discharged within 12 months of entering to reunification, living with "
        "other relatives or guardianship, before their 18th birthday (a discharge at 18 or "
        "older leaves the denominator). Numerator: those removed again within 12 months of "
        "that discharge (before the same day of the month 12 months later). The target "
        "period is the most recent 12 months whose entrants have all had 12 months to "
        "leave care and 12 more to re-enter by the quarter's last day: the 12 months ending "
        "two years before it. Counted for the children of families the program served from "
        "the period's first day to the quarter's last day."
    ),
    "cfsr_sources": _(
        "Children's Bureau (Administration for Children and Families, U.S. Department of "
        "Health and Human Services), “CFSR Round 4 Statewide Data Indicators Data "
        "Dictionary”, CFSR Information Portal, cfsrportal.acf.hhs.gov, section “CFSR Round 4 "
        "Statewide Data Indicators”; and the Capacity Building Center for States' “CFSR Round "
        "4 Statewide Data Indicator Series” fact sheets (2022) “Permanency in 12 Months for "
        "Children Entering Care” and “Reentry to Foster Care in 12 Months”. The program's "
        "figures follow their definitions but are computed from the program's own records, "
        "not from AFCARS, and are not risk-standardized as the federal performance is; trial "
        "home visits are not recorded separately."
    ),
    "survey_change": _(
        "For cases with both an intake and a closure survey, the closure survey answered in "
        "the quarter: the number of cases, the average intake and closure scores (1 to 5) "
        "and the average change (closure minus intake)."
    ),
    "parent_partners_active": _(
        "Parent Partners whose stage was “active” on the quarter's last day (from their stage "
        "history when it is recorded, otherwise their current stage)."
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
        "child welfare system (a member present at three meetings counts three times)."
    ),
    "stipends": _("Stipends for contributions dated in the quarter: how many and the total."),
    "recommendations": _(
        "Recommendations proposed in the quarter, and recommendations adopted in the quarter."
    ),
    "outreach": _(
        "Outreach and education events held in the quarter, the people who came, and the "
        "referrals that name one of those events as where the family heard of the program."
    ),
    "families_by_race_ethnicity": _(
        "Families served in the quarter by the race or ethnicity of the family's first "
        "recorded parent. Counts from 1 to 4 are shown as “<5”; when only one count in a row "
        "is hidden, the next smallest is hidden too so it cannot be worked out from the total."
    ),
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
    return (Decimal(minutes or 0) / 60).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _round(value: Any, places: Decimal) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


def _median(values: Iterable[int]) -> Decimal | None:
    numbers = list(values)
    if not numbers:
        return None
    return _round(statistics.median(numbers), ONE_PLACE)


def _percent(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return _round(Decimal(100 * numerator) / denominator, ONE_PLACE)


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

    A decision counts once per referral (a referral declined, reopened and declined again in
    the same quarter is one decline). The reason is the one recorded on the decline, or the
    referral's current reason when the step has none.
    """
    received = _received(program, quarter).count()

    steps = _scoped(Transition.objects.all(), program, "referral__program").filter(
        _on_days("at", quarter.start, quarter.end)
    )
    decisions = steps.aggregate(
        accepted=Count("referral", distinct=True, filter=Q(to_status=Status.ACCEPTED)),
        withdrawn=Count("referral", distinct=True, filter=Q(to_status=Status.WITHDRAWN)),
    )
    declines = (
        steps.filter(to_status=Status.DECLINED)
        .annotate(
            reason_code=Conditional(
                When(reason="", then=F("referral__decline_reason")), default=F("reason")
            )
        )
        .values("reason_code")
        .annotate(total=Count("referral", distinct=True))
        .order_by()
    )
    declined_counts = {row["reason_code"]: row["total"] for row in declines}
    labels = dict(DeclineReason.choices)
    declined_by_reason = [
        CountByCode(code=code or "", label=str(labels.get(code, _("Not recorded"))), count=total)
        for code, total in sorted(
            declined_counts.items(), key=lambda item: _choice_order(DeclineReason, item[0])
        )
    ]

    first_contacts = list(
        _received(program, quarter)
        .annotate(first_contact=Min("case__activities__occurred_on"))
        .filter(first_contact__isnull=False)
        .values_list("received_on", "first_contact")
    )
    days = [(contact - received).days for received, contact in first_contacts]
    return ReferralMetrics(
        received=received,
        accepted=decisions["accepted"],
        declined=sum(declined_counts.values()),
        declined_by_reason=declined_by_reason,
        withdrawn=decisions["withdrawn"],
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
    average = Decimal(sum(count for _start, count in per_month)) / len(per_month)
    return FamilyMetrics(
        served=served["quarter"],
        new=cases["new"],
        closed=cases["closed"],
        average_per_month=average.quantize(ONE_PLACE, rounding=ROUND_HALF_UP),
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
    by_type = [
        ContactTypeRow(
            code=code,
            label=str(label),
            count=rows[code]["count"] if code in rows else 0,
            hours=_hours(rows[code]["minutes"] if code in rows else 0),
        )
        for code, label in ActivityType.choices
    ]
    total_minutes = sum(row["minutes"] or 0 for row in rows.values())
    mileage = sum((Decimal(str(row["miles"] or 0)) for row in rows.values()), Decimal(0))
    return ContactMetrics(
        by_type=by_type,
        total=sum(row["count"] for row in rows.values()),
        hours=_hours(total_minutes),
        court_hearings=rows.get(ActivityType.COURT_HEARING, {}).get("count", 0),
        team_meetings=sum(rows.get(code, {}).get("count", 0) for code in TEAM_MEETING_TYPES),
        mileage=mileage.quantize(ONE_PLACE, rounding=ROUND_HALF_UP),
    )


# --- 4. Outcomes for children --------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    numerator: int
    denominator: int
    percent: Decimal | None  # one decimal place; None when the denominator is 0


@dataclass(frozen=True)
class TargetPeriod:
    """The 12 months whose entries into care a CFSR indicator follows (both days included)."""

    start: datetime.date
    end: datetime.date


@dataclass(frozen=True)
class OutcomeMetrics:
    children: int  # children of the families with a case open in the quarter
    returned_home: int
    permanency_by_type: list[CountByCode]  # children leaving care in the quarter, by reason
    median_days_in_out_of_home_care: Decimal | None
    reremovals_within_12_months: int
    reremovals_within_24_months: int
    permanency_in_12_months: Indicator
    reentry_in_12_months: Indicator
    permanency_period: TargetPeriod  # the entries the permanency indicator follows
    reentry_period: TargetPeriod  # the entries the re-entry indicator follows


def children_served(*, program: Program | None, quarter: Quarter) -> QuerySet[Child]:
    """The children of families whose case was open on at least one day of the quarter."""
    return _children_of_cases_open(program, quarter.start, quarter.end)


def _children_of_cases_open(
    program: Program | None, start: datetime.date, end: datetime.date
) -> QuerySet[Child]:
    """The children of families whose case was open on at least one day from ``start`` to
    ``end``."""
    open_cases = _scoped(Case.objects.all(), program).filter(
        Q(opened_on__lte=end), Q(closed_on__isnull=True) | Q(closed_on__gte=start)
    )
    return Child.objects.filter(family__in=open_cases.values("family"))


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by whole calendar months; the 31st (or 29 February) becomes the last day
    of a shorter month: 31 January + 1 month is 28 (or 29) February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first_of_next = datetime.date(year + (month == 11), (month + 1) % 12 + 1, 1)
    last_day = (first_of_next - _ONE_DAY).day
    return datetime.date(year, month + 1, min(day.day, last_day))


def permanency_target_period(quarter: Quarter) -> TargetPeriod:
    """The most recent 12 months whose entrants have all had their 12 months in care by the
    quarter's last day: the 12 months ending one year before it."""
    start, end = Quarter(quarter.year - 1, quarter.number).twelve_months_ending()
    return TargetPeriod(start, end)


def reentry_target_period(quarter: Quarter) -> TargetPeriod:
    """The most recent 12 months whose entrants have all had 12 months to leave care and 12
    more to re-enter by the quarter's last day: the 12 months ending two years before it."""
    start, end = Quarter(quarter.year - 2, quarter.number).twelve_months_ending()
    return TargetPeriod(start, end)


def _date_parts(queryset: QuerySet[Any], name: str, date: Any) -> QuerySet[Any]:
    """``queryset`` annotated with the calendar parts of ``date`` (a field or expression)
    that the month arithmetic below compares, as ``<name>_ym`` (months since year 0),
    ``<name>_day``, ``<name>_md`` (month * 100 + day) and ``<name>_length`` (days in its
    month). Whole numbers only, so PostgreSQL and SQLite agree."""
    year, month, day = ExtractYear(date), ExtractMonth(date), ExtractDay(date)
    queryset = queryset.annotate(
        **{
            f"{name}_year": year,
            f"{name}_month": month,
            f"{name}_day": day,
            f"{name}_ym": year * 12 + month,
            f"{name}_md": month * 100 + day,
            f"{name}_y4": Mod(year, 4),
            f"{name}_y100": Mod(year, 100),
            f"{name}_y400": Mod(year, 400),
        }
    )
    leap = Q(**{f"{name}_y4": 0}) & (~Q(**{f"{name}_y100": 0}) | Q(**{f"{name}_y400": 0}))
    return queryset.annotate(
        **{
            f"{name}_length": Conditional(
                When(Q(**{f"{name}_month__in": [4, 6, 9, 11]}), then=Value(30)),
                When(Q(**{f"{name}_month": 2}) & leap, then=Value(29)),
                When(Q(**{f"{name}_month": 2}), then=Value(28)),
                default=Value(31),
                output_field=IntegerField(),
            )
        }
    )


def _within_months(later: str, earlier: str, months: int) -> Q:
    """``later`` is before ``earlier`` + ``months`` calendar months (see ``add_months``):
    what the CFSR means by "within 12 months". Both are ``_date_parts`` names.

    Before the target month, always; in it, only before the target day, which is
    ``earlier``'s day of the month or, in a shorter month, the month's last day.
    """
    target = F(f"{earlier}_ym") + months
    return Q(**{f"{later}_ym__lt": target}) | (
        Q(**{f"{later}_ym": target, f"{later}_day__lt": F(f"{earlier}_day")})
        & Q(**{f"{later}_day__lt": F(f"{later}_length")})
    )


def _age(on: str) -> Any:
    """Whole years of age on the ``_date_parts`` date ``on`` (None without a birth date): the
    birthday counts from its day, as ``referrals.models.age_on``."""
    birthday_not_reached = Conditional(
        When(Q(**{f"{on}_md__lt": F("birth_md")}), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return F(f"{on}_year") - F("birth_year") - birthday_not_reached


def _episodes_with_dates(children: QuerySet[Child], end: datetime.date) -> QuerySet[Any]:
    """The removal episodes of ``children`` that began by ``end``, as they stood on ``end``
    (a discharge after it has not happened yet), with what the outcome measures compare:
    the calendar parts of the removal, the discharge, the next removal and the previous
    discharge, the ages at entry and at discharge, and the days in care."""
    episodes = RemovalEpisode.objects.filter(child__in=children, removed_on__lte=end)
    siblings = RemovalEpisode.objects.filter(child=OuterRef("child"), removed_on__lte=end)
    discharged_on = Conditional(
        When(discharged_on__lte=end, then=F("discharged_on")),
        default=None,
        output_field=DateField(),
    )
    episodes = episodes.annotate(
        discharged=discharged_on,
        discharge_reason_then=Conditional(
            When(discharged_on__lte=end, then=F("discharge_reason")),
            default=Value(""),
            output_field=CharField(),
        ),
        next_removed_on=Subquery(
            siblings.filter(removed_on__gt=OuterRef("removed_on"))
            .order_by("removed_on")
            .values("removed_on")[:1],
            output_field=DateField(),
        ),
        previous_discharged_on=Subquery(
            siblings.filter(removed_on__lt=OuterRef("removed_on"), discharged_on__lte=end)
            .order_by("-removed_on")
            .values("discharged_on")[:1],
            output_field=DateField(),
        ),
        stay_length=ExpressionWrapper(F("discharged") - F("removed_on"), DurationField()),
    )
    for name, date in [
        ("birth", F("child__birth_date")),
        ("entry", F("removed_on")),
        ("exit", F("discharged")),
        ("next", F("next_removed_on")),
        ("previous", F("previous_discharged_on")),
    ]:
        episodes = _date_parts(episodes, name, date)
    return episodes.annotate(entry_age=_age("entry"), exit_age=_age("exit"))


def _with_first_entries(episodes: QuerySet[Any], **periods: TargetPeriod) -> QuerySet[Any]:
    """``episodes`` annotated, for each named period, with whether the child was removed
    earlier in that period (``<name>_earlier``): only the child's first removal in a period
    counts."""
    return episodes.annotate(
        **{
            f"{name}_earlier": Exists(
                RemovalEpisode.objects.filter(
                    child=OuterRef("child"),
                    removed_on__gte=period.start,
                    removed_on__lt=OuterRef("removed_on"),
                )
            )
            for name, period in periods.items()
        }
    )


def _first_entry_in(name: str, period: TargetPeriod) -> Q:
    """The child's first removal in ``period`` (a child removed twice in it counts once, by
    the first time), kept by the CFSR's exclusions: in care 8 days or more, and under 18 on
    entering (a child without a date of birth is kept). ``name`` as in
    ``_with_first_entries``."""
    return (
        _between("removed_on", period.start, period.end)
        & Q(**{f"{name}_earlier": False})
        & (Q(discharged__isnull=True) | Q(stay_length__gte=SHORT_STAY))
        & (Q(child__birth_date__isnull=True) | Q(entry_age__lt=ADULT_AGE))
    )


def _left_before_18() -> Q:
    return Q(child__birth_date__isnull=True) | Q(exit_age__lt=ADULT_AGE)


def outcome_metrics(*, program: Program | None, quarter: Quarter) -> OutcomeMetrics:
    """Discharges, days in care, re-removals and the two CFSR Round 4 indicators, from the
    children's removal episodes (3 queries).

    Dates after the quarter's last day are treated as not yet happened. The CFSR indicators
    follow the children of families the program served from the target period's first day
    to the quarter's last day (see ``DEFINITIONS``).
    """
    permanency_period = permanency_target_period(quarter)
    reentry_period = reentry_target_period(quarter)
    served = children_served(program=program, quarter=quarter)
    served_for_permanency = _children_of_cases_open(program, permanency_period.start, quarter.end)
    served_for_reentry = _children_of_cases_open(program, reentry_period.start, quarter.end)
    # Every child the three populations hold: the re-entry one reaches back furthest.
    episodes = _with_first_entries(
        _episodes_with_dates(served_for_reentry, quarter.end),
        permanency=permanency_period,
        reentry=reentry_period,
    )

    in_served = Q(child__in=served)
    left_in_quarter = in_served & _between("discharged", quarter.start, quarter.end)
    removed_again_in_quarter = (
        in_served
        & _between("removed_on", quarter.start, quarter.end)
        & Q(previous_discharged_on__isnull=False)
    )
    permanency_cohort = Q(child__in=served_for_permanency) & _first_entry_in(
        "permanency", permanency_period
    )
    left_within_12_months = Q(discharged__isnull=False) & _within_months("exit", "entry", 12)
    reentry_cohort = (
        _first_entry_in("reentry", reentry_period)
        & left_within_12_months
        & Q(discharge_reason_then__in=REENTRY_EXITS)
        & _left_before_18()
    )

    totals = episodes.aggregate(
        returned_home=Count(
            "child",
            distinct=True,
            filter=left_in_quarter & Q(discharge_reason_then=DischargeReason.REUNIFICATION),
        ),
        **{
            f"left_{code}": Count(
                "child", distinct=True, filter=left_in_quarter & Q(discharge_reason_then=code)
            )
            for code in DischargeReason.values
        },
        reremovals_12=Count(
            "id", filter=removed_again_in_quarter & _within_months("entry", "previous", 12)
        ),
        reremovals_24=Count(
            "id", filter=removed_again_in_quarter & _within_months("entry", "previous", 24)
        ),
        entered=Count("id", filter=permanency_cohort),
        permanent_in_12=Count(
            "id",
            filter=permanency_cohort
            & left_within_12_months
            & Q(discharge_reason_then__in=PERMANENT_EXITS)
            & _left_before_18(),
        ),
        reentry_cohort=Count("id", filter=reentry_cohort),
        reentered_in_12=Count(
            "id",
            filter=reentry_cohort
            & Q(next_removed_on__isnull=False)
            & _within_months("next", "exit", 12),
        ),
    )
    permanency_by_type = [
        CountByCode(code=code, label=str(label), count=totals[f"left_{code}"])
        for code, label in DischargeReason.choices
    ]
    stays = (
        RemovalEpisode.objects.filter(child__in=served)
        .filter(_between("discharged_on", quarter.start, quarter.end))
        .values_list("removed_on", "discharged_on")
    )
    return OutcomeMetrics(
        children=served.count(),
        returned_home=totals["returned_home"],
        permanency_by_type=permanency_by_type,
        median_days_in_out_of_home_care=_median(
            (discharged - removed).days
            for removed, discharged in stays
            if discharged is not None  # always (filtered): narrows the type
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
        permanency_period=permanency_period,
        reentry_period=reentry_period,
    )


def returned_home(*, program: Program | None, quarter: Quarter) -> QuerySet[RemovalEpisode]:
    """The episodes of the children served in the quarter that ended in the quarter with the
    child going home to their parents (``outcome_metrics().returned_home`` counts their
    children)."""
    return RemovalEpisode.objects.filter(
        child__in=children_served(program=program, quarter=quarter),
        discharge_reason=DischargeReason.REUNIFICATION,
    ).filter(_between("discharged_on", quarter.start, quarter.end))


# --- 5. Parent survey ----------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyMetrics:
    cases: int
    mean_intake: Decimal | None
    mean_closure: Decimal | None
    mean_change: Decimal | None


def survey_metrics(*, program: Program | None, quarter: Quarter) -> SurveyMetrics:
    """Change from the intake to the closure survey, for closure surveys answered in the
    quarter whose case also has an intake survey (1 query)."""
    intake_score = SurveyResponse.objects.filter(
        case=OuterRef("case"), timing=SurveyTiming.INTAKE
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

    The stage on the quarter's last day is the ``to_stage`` of the last recorded stage change
    on or before that day; with none, the ``from_stage`` of the first change after it; with no
    stage history at all, the current stage. (Parent Partners entered without any history are
    therefore counted by their current stage in every quarter.)
    """
    after_end = _midnight(quarter.end + _ONE_DAY)
    changes = StageChange.objects.filter(parent_partner=OuterRef("pk"))
    stage_at_end = Coalesce(
        Subquery(changes.filter(at__lt=after_end).order_by("-at", "-id").values("to_stage")[:1]),
        Subquery(changes.filter(at__gte=after_end).order_by("at", "id").values("from_stage")[:1]),
        F("stage"),
    )
    active = (
        _scoped(ParentPartner.objects.all(), program)
        .annotate(stage_at_end=stage_at_end)
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
    stipends = Stipend.objects.filter(
        _between("awarded_on", quarter.start, quarter.end), member__council__in=councils
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
    of those events as their source, whenever received (2 queries)."""
    events = _scoped(OutreachEvent.objects.all(), program).filter(
        _between("held_on", quarter.start, quarter.end)
    )
    totals = events.aggregate(events=Count("id"), reach=Sum("attendance"))
    referrals = Referral.objects.filter(source_event__in=events).count()
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


COMPLEMENTARY_MARK = "*"


def suppress(counts: dict[str, int], *, threshold: int | None = None) -> dict[str, str]:
    """``counts`` (one row of a table) ready to show state staff, with small counts hidden.

    A count from 1 to ``threshold - 1`` is shown as ``"<threshold"`` (``"<5"``); zeros stay
    ``"0"``. When exactly one count is hidden, the next smallest non-zero count (the first in
    the row on a tie) is hidden too, as ``"*"``, so the hidden one cannot be worked out from
    the total; ``"*"`` rather than ``"<5"`` because that count is not small and a table must
    not say it is. The result has the same keys in the same order, plus ``"total"``, which is
    shown, unless the total is itself a small count (it would give the only non-zero count
    away): then it is hidden as ``"<threshold"`` too.

    ``threshold`` defaults to the setting ``PSP_SMALL_COUNT_THRESHOLD`` (5 when unset): the
    smallest count shown as it is.
    """
    if threshold is None:
        threshold = getattr(settings, "PSP_SMALL_COUNT_THRESHOLD", 5)
    small_mark = f"<{threshold}"

    def is_small(count: int) -> bool:
        return 0 < count < threshold

    shown = {key: small_mark if is_small(count) else str(count) for key, count in counts.items()}
    if sum(1 for count in counts.values() if is_small(count)) == 1:
        candidates = [
            (count, position, key)
            for position, (key, count) in enumerate(counts.items())
            if count >= threshold
        ]
        if candidates:
            shown[min(candidates)[2]] = COMPLEMENTARY_MARK
    total = sum(counts.values())
    shown["total"] = small_mark if is_small(total) else str(total)
    return shown


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
        reunifications=returned_home(program=program, quarter=quarter).aggregate(
            children=Count("child", distinct=True)
        )["children"],
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
    by_race = families_by_race_ethnicity(program=program, quarter=quarter)
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
        "families_by_race_ethnicity": by_race,
        "families_by_race_ethnicity_suppressed": suppress(by_race),
        "headline": current,
        "previous": previous,
        "change": {
            field: getattr(current, field) - getattr(previous, field)
            for field in Headline.__dataclass_fields__
        },
    }
