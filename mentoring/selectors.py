"""Reads for mentoring pages, reminders and reports: caseloads, suggestions, last contacts."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.urls import reverse
from django.utils import timezone

from mentoring.models import (
    CORE_TOPICS,
    Activity,
    Assignment,
    Case,
    CaseStatus,
    ClaimStatus,
    ClinicalSupportSession,
    Document,
    ExpenseClaim,
    FollowUp,
    GoalProgress,
    MileageRate,
    ParentPartner,
    ReminderKind,
    ReviewStatus,
    Stage,
    TrainingRecord,
    TrainingRequirement,
    TrainingTopic,
    contact_due_since,
    core_topics_for,
)
from psp import policy
from psp.dates import format_when
from psp.models import Membership, Program, Role, User
from psp.numbers import DecimalSum, apportion, round_half_up
from psp.selectors import count_per_row
from referrals import schooling
from referrals.models import Child, Parent, Referral

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

NO_CONTACT_DAYS = 14


class CaseloadAnnotation(TypedDict):
    caseload: int


class LatestContactAnnotation(TypedDict):
    latest_contact: datetime.date | None


class ReminderAttributes(TypedDict):
    current_assignments: list[Assignment]
    last_contact: datetime.date | None


def with_caseload(
    partners: QuerySet[ParentPartner],
) -> QuerySet[WithAnnotations[ParentPartner, CaseloadAnnotation]]:
    """Annotate ``caseload``: the open cases each Parent Partner is on now. Counted for each
    partner from the index of current assignments alone: an assignment still going is on an
    open case, since closing a case ends its assignments (``services.case_close``, in the same
    transaction) and no case reopens. Looking each case up to check cost a large program's
    dashboard 60 ms. ``COUNT(*)``, not of a column: the index answers alone (an index-only
    scan), where counting ids read every assignment's row too (3.3 ms against 1.7 for 53
    Parent Partners with 184 open cases each)."""
    open_cases = (
        Assignment.objects.filter(parent_partner=OuterRef("pk"), ended_on__isnull=True)
        .order_by()
        .values("parent_partner")
        .annotate(total=Count("*"))
        .values("total")
    )
    return partners.annotate(caseload=Coalesce(Subquery(open_cases), 0))


def on_cases_now(partners: QuerySet[ParentPartner]) -> QuerySet[ParentPartner]:
    """Those of ``partners`` assigned to a case now (from the index of current assignments):
    the case list's Parent Partner filter finds cases by their current assignment, so only
    they are worth offering, not every partner the program ever trained."""
    current = Assignment.objects.filter(ended_on__isnull=True)
    return partners.filter(pk__in=current.values("parent_partner"))


@dataclass(frozen=True)
class Suggestion:
    partner: ParentPartner
    language_match: bool
    remaining: int

    @property
    def over_capacity(self) -> bool:
        return self.remaining <= 0


def can_take_families(partners: QuerySet[ParentPartner]) -> QuerySet[ParentPartner]:
    """Those of ``partners`` who can be given a family today: active, and signing in with an
    account that is a Parent Partner of the same program (so they can log its contacts)."""
    member = Membership.objects.filter(
        user_id=OuterRef("user_id"),
        program_id=OuterRef("program_id"),
        role=Role.PARENT_PARTNER,
        is_active=True,
    )
    return partners.filter(stage=Stage.ACTIVE, user__is_active=True).filter(Exists(member))


def readiness_problems(partner: ParentPartner, today: datetime.date | None = None) -> list[str]:
    """What stands between ``partner`` and starting work, in words for the coordinator:
    one full year since reunification or permanency, a sign-in account that is a Parent
    Partner of the program, and the program's core trainings. Empty when ready."""
    from django.utils.translation import gettext as _

    problems = []
    name = partner.first_name
    if not partner.is_eligible(today):
        problems.append(
            _(
                "%(name)s can become active on %(date)s, one full year after being reunified "
                "or resolving permanency."
            )
            % {"name": name, "date": format_when(partner.eligible_from, "date")}
        )
    if partner.user_id is None:
        problems.append(
            _("%(name)s has no sign-in account linked. Link one with “Change details”.")
            % {"name": name}
        )
    elif not _is_member(partner):
        problems.append(
            _(
                "%(name)s's sign-in account is not an active Parent Partner of this program. "
                "Ask your administrator to give it that role."
            )
            % {"name": name}
        )
    missing = missing_core_topics(partner)
    if missing:
        problems.append(
            _("%(name)s has not completed these core trainings yet: %(topics)s.")
            % {"name": name, "topics": ", ".join(str(topic.label) for topic in missing)}
        )
    return problems


def _is_member(partner: ParentPartner) -> bool:
    """Whether the partner's account signs in as a Parent Partner of their program."""
    if partner.user_id is None:
        return False
    return Membership.objects.filter(
        user_id=partner.user_id,
        user__is_active=True,
        program_id=partner.program_id,
        role=Role.PARENT_PARTNER,
        is_active=True,
    ).exists()


def missing_core_topics(partner: ParentPartner) -> list[TrainingTopic]:
    """The program's core topics ``partner`` has no training record for."""
    done = set(partner.trainings.values_list("topic", flat=True))
    return [topic for topic in core_topics_for(partner.program_id) if topic not in done]


def assignment_suggestions(referral: Referral) -> list[Suggestion]:
    """The Parent Partners of the referral's program who can take a family today, best
    first: one who speaks the family's language, then the most room in their caseload."""
    family_languages = {parent.preferred_language for parent in referral.family.parents.all()}
    partners = with_caseload(
        can_take_families(ParentPartner.objects.filter(program_id=referral.program_id))
    )
    suggestions = [
        Suggestion(
            partner=partner,
            language_match=bool(family_languages & set(partner.languages)),
            remaining=partner.capacity - partner.caseload,
        )
        for partner in partners
    ]
    return sorted(
        suggestions,
        key=lambda s: (not s.language_match, s.over_capacity, -s.remaining, s.partner.last_name),
    )


def cases_for_user(user: User) -> QuerySet[Case]:
    current = Assignment.objects.filter(ended_on__isnull=True).select_related("parent_partner")
    return (
        policy.visible(user, Case)
        .select_related("referral", "family", "program")
        .prefetch_related(
            Prefetch("assignments", queryset=current, to_attr="current_assignments"),
            Prefetch("family__parents", queryset=Parent.objects.order_by("id")),
        )
        .annotate(last_contact=last_contact())
        .order_by("status", "-opened_on", "-id")
    )


def home_cases(user: User) -> list[Case]:
    """The open cases on a Parent Partner's home page, newest first, each with ``last_contact``,
    its referral's number and ``parent_names``: only the columns the page shows (2 queries)."""
    cases: list[Case] = list(
        policy.visible(user, Case)
        .filter(status=CaseStatus.OPEN)
        .select_related("referral")
        .only(
            "pk",
            "status",
            "opened_on",
            "next_court_date",
            "program_id",
            "family_id",
            "referral__number",
        )
        .annotate(last_contact=last_contact())
        .order_by("-opened_on", "-id")
    )
    names = parent_names({case.family_id for case in cases})
    for case in cases:
        case.parent_names = names.get(case.family_id, [])  # type: ignore[attr-defined]
    return cases


def parent_names(family_ids: set[int]) -> dict[int, list[str]]:
    """Each family's parents' full names, in the order they were entered (1 query)."""
    names: dict[int, list[str]] = {}
    parents = Parent.objects.filter(family_id__in=family_ids)
    for family_id, first, last in parents.order_by("id").values_list(
        "family_id", "first_name", "last_name"
    ):
        names.setdefault(family_id, []).append(f"{first} {last}")
    return names


def with_family_names(activities: list[Activity]) -> list[Activity]:
    """Each contact with ``family_name``: its family's parents, as the case pages name them."""
    names = parent_names({activity.case.family_id for activity in activities})
    for activity in activities:
        activity.family_name = " & ".join(  # type: ignore[attr-defined]
            names.get(activity.case.family_id, [])
        )
    return activities


def last_contact() -> F:
    """Each case's latest contact date: the case's ``last_contact_on``, which the database
    keeps up to date as contacts are written (mentoring migration 0007)."""
    return F("last_contact_on")


def with_child_count(cases: QuerySet[Case]) -> QuerySet[Case]:
    """``cases``, each with ``child_count``: a subquery, so the count is not multiplied by
    the join to contacts that ``last_contact`` needs."""
    children = Child.objects.filter(family=OuterRef("family"))
    return cases.annotate(child_count=count_per_row(children, "family"))


def is_overdue(case: Case, today: datetime.date | None = None) -> bool:
    """No contact on any of the last 14 days, today included: 14 days or more since the last
    contact (or since the case opened, when there has been none). Whole days in the
    program's time zone, so the answer does not change with the hour."""
    if case.status != CaseStatus.OPEN:
        return False
    today = today or timezone.localdate()
    last = getattr(case, "last_contact", None) or case.opened_on
    return (today - last).days >= NO_CONTACT_DAYS


def no_contact_in_14_days(today: datetime.date) -> Q:
    """The rule of ``is_overdue`` as a condition on cases, for the database: an open case
    whose last contact (or, with none, its opening) is before the first of the 14 days up
    to ``today``. A range of the (program, ``contact_due_since``) index."""
    first_day = today - datetime.timedelta(days=NO_CONTACT_DAYS - 1)  # of the 14 counted
    return Q(LessThan(contact_due_since(), first_day))


def overdue_cases(
    cases: QuerySet[Case], today: datetime.date | None = None
) -> QuerySet[WithAnnotations[Case, LatestContactAnnotation]]:
    """The open cases among ``cases`` that ``is_overdue`` would flag, found by the database
    (one query however many cases), each annotated with ``latest_contact``."""
    return cases.filter(
        no_contact_in_14_days(today or timezone.localdate()), status=CaseStatus.OPEN
    ).annotate(latest_contact=last_contact())


def activities_for_user(user: User) -> QuerySet[Activity]:
    return (
        policy.visible(user, Activity)
        .select_related("case__referral", "parent_partner", "program", "resource")
        .order_by("-occurred_on", F("occurred_time").desc(nulls_last=True), "-id")
    )


def waiting_for_review(user: User) -> QuerySet[Activity]:
    return activities_for_user(user).filter(
        review_status=ReviewStatus.WAITING,
        program_id__in=policy.program_ids_where(user, policy.COORDINATORS),
    )


def waiting_count(user: User, program_id: int | None = None) -> int:
    """How many contacts wait for ``user``'s review, in ``program_id`` or in every program
    they coordinate. Counted once for the request: the menu's badge and the dashboard's card
    ask the same of a one-program coordinator (kept on ``user``, which lives as long as
    the request)."""
    counted: dict[int | None, int] = user.__dict__.setdefault("_psp_waiting", {})
    if program_id is not None and policy.program_ids_where(user, policy.COORDINATORS) == [
        program_id
    ]:
        program_id = None
    if program_id not in counted:
        waiting = waiting_for_review(user)
        if program_id is not None:
            waiting = waiting.filter(program_id=program_id)
        counted[program_id] = waiting.count()
    return counted[program_id]


def partner_profile_of(user: User, program_id: int | None = None) -> ParentPartner | None:
    profiles = ParentPartner.objects.filter(user=user, stage=Stage.ACTIVE)
    if program_id is not None:
        profiles = profiles.filter(program_id=program_id)
    return profiles.order_by("id").first()


def recent_activity_types(partner: ParentPartner, limit: int = 30) -> list[str]:
    """This Parent Partner's contact types, most used recently first (the form's order)."""
    recent = (
        Activity.objects.filter(parent_partner=partner)
        .order_by("-occurred_on", F("occurred_time").desc(nulls_last=True), "-id")
        .values_list("activity_type", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for activity_type in recent:
        counts[activity_type] = counts.get(activity_type, 0) + 1
    return sorted(counts, key=lambda kind: -counts[kind])


# --- Support, training, reminders ---------------------------------------------------------


def month_starts(count: int, today: datetime.date | None = None) -> list[datetime.date]:
    """The first day of this month and the ``count - 1`` before it, newest first."""
    day = (today or timezone.localdate()).replace(day=1)
    months = []
    for _ in range(count):
        months.append(day)
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return months


def clinical_months(program_id: int, count: int = 12) -> list[tuple[datetime.date, list[Any]]]:
    """Each of the last ``count`` months with its clinical-support sessions (maybe none)."""
    months = month_starts(count)
    sessions = list(
        ClinicalSupportSession.objects.filter(program_id=program_id, held_on__gte=months[-1])
        .select_related("facilitator")
        .prefetch_related("attendees")
        .order_by("held_on")
    )
    return [
        (
            month,
            [s for s in sessions if (s.held_on.year, s.held_on.month) == (month.year, month.month)],
        )
        for month in months
    ]


@dataclass(frozen=True)
class TrainingRow:
    partner: ParentPartner
    core: list[str]  # the topics the partner's program requires
    done: frozenset[str]  # of those, the ones completed
    missing: list[str]
    hours: Decimal  # every training, core or not


def training_matrix(partners: QuerySet[ParentPartner]) -> list[TrainingRow]:
    """Who has completed which of their program's core topics, who is missing which, and
    total hours (3 queries)."""
    partners = partners.select_related("program")
    records = TrainingRecord.objects.filter(parent_partner__in=partners).values_list(
        "parent_partner_id", "topic", "hours"
    )
    done: dict[int, set[str]] = {}
    hours: dict[int, Decimal] = {}
    for partner_id, topic, amount in records:
        done.setdefault(partner_id, set()).add(topic)
        hours[partner_id] = hours.get(partner_id, Decimal("0")) + amount
    required = dict(
        TrainingRequirement.objects.filter(program__in=partners.values("program")).values_list(
            "program_id", "topics"
        )
    )
    rows = []
    for partner in partners:
        core = [
            topic
            for topic in CORE_TOPICS
            if partner.program_id not in required or topic in required[partner.program_id]
        ]
        completed = done.get(partner.pk, set())
        rows.append(
            TrainingRow(
                partner=partner,
                core=[str(topic.label) for topic in core],
                done=frozenset(topic.value for topic in core if topic in completed),
                missing=[str(topic.label) for topic in core if topic not in completed],
                hours=hours.get(partner.pk, Decimal("0")),
            )
        )
    return rows


@dataclass(frozen=True)
class Reminder:
    kind: str
    message: str
    url: str
    key: str
    program_id: int
    # What the notification's message needs (``psp.notifications.message``): no names.
    params: dict[str, str] = field(default_factory=dict)


def reminders_for_cases(cases: list[Case], today: datetime.date | None = None) -> list[Reminder]:
    """No contact in 14 days, and court hearings in the next 7 days, for these cases."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    today = today or timezone.localdate()
    reminders = []
    for case in cases:
        if case.status != CaseStatus.OPEN:
            continue
        url = reverse("mentoring:case_detail", args=[case.pk])
        number = case.referral.number
        if is_overdue(case, today):
            reminders.append(
                Reminder(
                    kind=ReminderKind.NO_CONTACT,
                    message=_("%(number)s: no contact in 14 days") % {"number": number},
                    url=url,
                    key=f"{case.pk}:{today.isocalendar()[1]}",
                    program_id=case.program_id,
                    params={"number": number},
                )
            )
        if case.next_court_date and today <= case.next_court_date <= today + datetime.timedelta(
            days=7
        ):
            reminders.append(
                Reminder(
                    kind=ReminderKind.COURT_HEARING,
                    message=_("%(number)s: court hearing on %(day)s")
                    % {
                        "number": number,
                        "day": format_when(case.next_court_date, "date"),
                    },
                    url=url,
                    key=f"{case.pk}:{case.next_court_date.isoformat()}",
                    program_id=case.program_id,
                    params={"number": number, "day": case.next_court_date.isoformat()},
                )
            )
    return reminders


def transition_reminders(
    cases: list[Case], today: datetime.date | None = None, school_programs: Iterable[int] = ()
) -> list[Reminder]:
    """A child of one of these open cases of a school-based program (``school_programs``)
    moves to a new school after this school year, and its planning has started (February 1
    to June 30, ``referrals.schooling``): one reminder per child and school year. One query,
    only when some case is a school-based program's."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    today = today or timezone.localdate()
    schools = set(school_programs)
    by_family = {
        case.family_id: case
        for case in cases
        if case.program_id in schools and case.status == CaseStatus.OPEN
    }
    if not by_family:
        return []
    reminders = []
    children = Child.objects.filter(family_id__in=by_family, grade__isnull=False).order_by("pk")
    for child in children:
        due = schooling.transition_due(child.current_grade(today), today)
        if due is None:
            continue
        case = by_family[child.family_id]
        number = case.referral.number
        reminders.append(
            Reminder(
                kind=ReminderKind.SCHOOL_TRANSITION,
                message=_("%(number)s: %(move)s after this school year; plan it by %(day)s")
                % {
                    "number": number,
                    "move": str(due.label).lower(),
                    "day": format_when(due.by, "date"),
                },
                url=reverse("mentoring:case_detail", args=[case.pk]),
                key=f"{child.pk}:{due.transition.key}:{due.by.year}",
                program_id=case.program_id,
                params={"number": number, "day": due.by.isoformat()},
            )
        )
    return reminders


def programs_without_clinical_session(
    program_ids: list[int], today: datetime.date | None = None
) -> list[int]:
    """Programs with no clinical-support session yet this month."""
    month = (today or timezone.localdate()).replace(day=1)
    held = set(
        ClinicalSupportSession.objects.filter(
            program_id__in=program_ids, held_on__gte=month
        ).values_list("program_id", flat=True)
    )
    return [program_id for program_id in program_ids if program_id not in held]


@dataclass(frozen=True)
class MonthlySummary:
    month: datetime.date
    contacts: list[Activity]
    by_type: list[dict[str, Any]]
    families: int
    total_minutes: int
    total_miles: Decimal
    supervision_minutes: int
    supervision_sessions: int
    clinical_sessions: int
    training_hours: Decimal

    @property
    def total_hours(self) -> Decimal:
        return round_half_up(Fraction(self.total_minutes, 60), 1)


def monthly_summary(partner: ParentPartner, year: int, month: int) -> MonthlySummary:
    """One Parent Partner's month, as the Iowa model's monthly activity form reports it."""
    from django.db.models import Sum

    start = datetime.date(year, month, 1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    contacts = Activity.objects.filter(
        parent_partner=partner, occurred_on__gte=start, occurred_on__lt=end
    ).select_related("case__referral", "resource")
    rows = list(
        contacts.order_by()
        .values("activity_type")
        .annotate(count=Count("id"), minutes=Sum("duration_minutes"))
        .order_by("-count")
    )
    labels = dict(Activity._meta.get_field("activity_type").choices or [])
    # Rounded so that the rows add up to the month's total hours.
    hours = apportion([Fraction(row["minutes"] or 0, 60) for row in rows], 1)
    by_type: list[dict[str, Any]] = [
        {
            **row,
            "label": labels.get(row["activity_type"], row["activity_type"]),
            "hours": hours[index],
        }
        for index, row in enumerate(rows)
    ]
    totals = contacts.aggregate(
        minutes=Sum("duration_minutes"),
        miles=DecimalSum("mileage"),
        families=Count("case", distinct=True),
    )
    supervision = partner.supervision_sessions.filter(
        held_on__gte=start, held_on__lt=end
    ).aggregate(count=Count("id"), minutes=Sum("duration_minutes"))
    return MonthlySummary(
        month=start,
        contacts=list(contacts.order_by("occurred_on", F("occurred_time").asc(nulls_first=True))),
        by_type=by_type,
        families=totals["families"] or 0,
        total_minutes=totals["minutes"] or 0,
        total_miles=totals["miles"] or Decimal("0"),
        supervision_minutes=supervision["minutes"] or 0,
        supervision_sessions=supervision["count"] or 0,
        clinical_sessions=partner.clinical_sessions.filter(
            held_on__gte=start, held_on__lt=end
        ).count(),
        training_hours=partner.trainings.filter(
            completed_on__gte=start, completed_on__lt=end
        ).aggregate(hours=DecimalSum("hours"))["hours"]
        or Decimal("0"),
    )


def cases_for_all() -> QuerySet[WithAnnotations[Case, ReminderAttributes]]:
    """Every case with what reminders need, for scheduled jobs (no user in the loop)."""
    current = Assignment.objects.filter(ended_on__isnull=True).select_related(
        "parent_partner__user"
    )
    return (
        Case.objects.select_related("referral", "program")
        .prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_assignments"))
        .annotate(last_contact=last_contact())
    )


ATTENTION_CASES = 10  # cases whose reminders the dashboard lists; the case list has the rest


@dataclass(frozen=True)
class Attention:
    """The dashboard's reminders: those of the first ``ATTENTION_CASES`` cases that need
    one, in the case list's order, and how many more cases need one."""

    reminders: list[Reminder]
    more_cases: int

    def __bool__(self) -> bool:
        return bool(self.reminders)


def _cases_due(user: User, today: datetime.date) -> QuerySet[Case]:
    """The cases ``user`` sees that get a reminder, picked by the database by the same rules
    as ``reminders_for_cases`` (not every open case read and sorted out here)."""
    return (
        policy.visible(user, Case)
        .filter(
            no_contact_in_14_days(today)
            | Q(
                next_court_date__gte=today, next_court_date__lte=today + datetime.timedelta(days=7)
            ),
            status=CaseStatus.OPEN,
        )
        .select_related("referral")
        # Only what a reminder reads: whole rows cost more to read and build than the query.
        .only(
            "pk",
            "status",
            "opened_on",
            "next_court_date",
            "last_contact_on",
            "program_id",
            "referral__number",
        )
        .annotate(last_contact=last_contact())
        .order_by("status", "-opened_on", "-id")  # as cases_for_user
    )


def _clinical_reminders(user: User, today: datetime.date) -> list[Reminder]:
    """A month without clinical support, in each program ``user`` coordinates."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    coordinated = policy.program_ids_where(user, {Role.PROGRAM_COORDINATOR})
    if not coordinated:
        return []
    names = dict(Program.objects.filter(pk__in=coordinated).values_list("pk", "name"))
    return [
        Reminder(
            kind=ReminderKind.NO_CLINICAL_SESSION,
            message=_("%(program)s: no clinical support session yet this month")
            % {"program": names.get(program_id, "")},
            url=reverse("mentoring:clinical") + f"?program={program_id}",
            key=f"{program_id}:{today:%Y-%m}",
            program_id=program_id,
        )
        for program_id in programs_without_clinical_session(coordinated, today)
    ]


def attention_for(user: User, today: datetime.date | None = None) -> list[Reminder]:
    """Every reminder for this user: overdue contacts and court hearings on the cases they
    see, and a month without clinical support in programs they coordinate."""
    today = today or timezone.localdate()
    return reminders_for_cases(list(_cases_due(user, today)), today) + _clinical_reminders(
        user, today
    )


def attention_summary(
    user: User, today: datetime.date | None = None, limit: int = ATTENTION_CASES
) -> Attention:
    """What the dashboard lists for this user: ``attention_for``, with the case reminders of
    the first ``limit`` cases only (a coordinator of a large program may have hundreds), and
    how many cases more need one (one more query, only when there are more)."""
    today = today or timezone.localdate()
    due = _cases_due(user, today)
    cases = list(due[: limit + 1])
    more = 0
    if len(cases) > limit:
        cases = cases[:limit]
        more = due.count() - limit
    return Attention(
        reminders=reminders_for_cases(cases, today) + _clinical_reminders(user, today),
        more_cases=more,
    )


def shared_progress(case: Case) -> list[GoalProgress]:
    """What the case team chose to share with the referring social worker."""
    return list(
        GoalProgress.objects.filter(goal__case=case, shared_with_referrer=True)
        .select_related("goal", "author")
        .order_by("-at")
    )


# --- Mileage and expenses -------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def first_claimable_month(today: datetime.date) -> datetime.date:
    month = month_start(today)
    for _ in range(CLAIMABLE_MONTHS):
        month = month_start(month - datetime.timedelta(days=1))
    return month


def mileage_rates(program_id: int) -> list[MileageRate]:
    """A program's rates, newest first."""
    return list(MileageRate.objects.filter(program_id=program_id).order_by("-starts_on"))


def rate_on(rates: list[MileageRate], day: datetime.date) -> MileageRate | None:
    """The rate in force on ``day``: the latest that started on or before it."""
    return next((rate for rate in rates if rate.starts_on <= day), None)


def unclaimed_mileage(partner: ParentPartner, month: datetime.date) -> QuerySet[Activity]:
    """The Parent Partner's contacts in ``month`` with miles that no claim has taken yet."""
    return (
        Activity.objects.filter(
            parent_partner=partner,
            occurred_on__gte=month,
            occurred_on__lt=next_month(month),
            mileage__gt=0,
            claimed_mileage__isnull=True,
        )
        .select_related("case__referral")
        .order_by("occurred_on", F("occurred_time").asc(nulls_last=True), "id")
    )


@dataclass
class ClaimableMonth:
    partner: ParentPartner
    month: datetime.date
    contacts: int
    miles: Decimal


# Miles are claimed within a year: older months are not offered.
CLAIMABLE_MONTHS = 12


def claimable_months(user: User, today: datetime.date) -> list[ClaimableMonth]:
    """The last ``CLAIMABLE_MONTHS`` months before this one in which the user, as a Parent
    Partner, drove miles no claim has taken yet, oldest first: each can be claimed."""
    from django.db.models.functions import TruncMonth

    partners = {
        partner.pk: partner
        for partner in ParentPartner.objects.filter(
            user=user, program_id__in=policy.program_ids_where(user, {Role.PARENT_PARTNER})
        ).select_related("program")
    }
    if not partners:
        return []
    rows = (
        Activity.objects.filter(
            parent_partner_id__in=partners,
            occurred_on__gte=first_claimable_month(today),
            occurred_on__lt=month_start(today),
            mileage__gt=0,
            claimed_mileage__isnull=True,
        )
        .annotate(month=TruncMonth("occurred_on"))
        .values("parent_partner_id", "month")
        .annotate(contacts=Count("id"), miles=DecimalSum("mileage"))
        .order_by("month", "parent_partner_id")
    )
    return [
        ClaimableMonth(
            partner=partners[row["parent_partner_id"]],
            month=row["month"],
            contacts=row["contacts"],
            miles=row["miles"],
        )
        for row in rows
    ]


def claims_for_user(user: User) -> QuerySet[ExpenseClaim]:
    return policy.visible(user, ExpenseClaim).select_related("parent_partner", "program")


@dataclass
class ClaimTotal:
    parent_partner_id: int
    name: str
    program: str
    claims: int
    miles: Decimal
    mileage_amount: Decimal
    other_amount: Decimal
    total: Decimal
    paid: Decimal
    not_paid: Decimal


def claim_totals_by_person(claims: QuerySet[ExpenseClaim], year: int) -> list[ClaimTotal]:
    """Each person's claims for the months of ``year`` (one query), sent-back claims left
    out: they are owed nothing until sent again."""
    from django.db.models import Sum

    zero = Decimal("0")
    rows = (
        claims.filter(month__year=year)
        .exclude(status=ClaimStatus.SENT_BACK)
        .order_by()
        .values(
            "parent_partner_id",
            "parent_partner__first_name",
            "parent_partner__last_name",
            "program__name",
        )
        .annotate(
            claim_count=Count("id"),
            sum_miles=DecimalSum("miles"),
            sum_mileage=DecimalSum("mileage_amount"),
            sum_other=DecimalSum("other_amount"),
            sum_total=DecimalSum("total"),
            sum_paid=Coalesce(Sum("total", filter=Q(status=ClaimStatus.PAID)), zero),
        )
        .order_by("parent_partner__last_name", "parent_partner__first_name", "program__name")
    )
    return [
        ClaimTotal(
            parent_partner_id=row["parent_partner_id"],
            name=f"{row['parent_partner__first_name']} {row['parent_partner__last_name']}",
            program=row["program__name"],
            claims=row["claim_count"],
            miles=row["sum_miles"],
            mileage_amount=row["sum_mileage"],
            other_amount=row["sum_other"],
            total=row["sum_total"],
            paid=row["sum_paid"],
            not_paid=row["sum_total"] - row["sum_paid"],
        )
        for row in rows
    ]


def claim_years(claims: QuerySet[ExpenseClaim], today: datetime.date) -> list[int]:
    """The years with claims, and this one, newest first."""
    years = {day.year for day in claims.order_by().dates("month", "year")}
    years.add(today.year)
    return sorted(years, reverse=True)


@dataclass
class ClaimPreviewLine:
    activity: Activity
    rate: MileageRate | None
    amount: Decimal | None


def claim_preview(
    partner: ParentPartner, month: datetime.date, claim: ExpenseClaim | None = None
) -> list[ClaimPreviewLine]:
    """What claiming ``month`` would take: the contacts with miles no claim has (and, when a
    sent-back claim is changed, its own), each with its day's rate and amount."""
    taken = Q(claimed_mileage__isnull=True)
    if claim is not None:
        taken |= Q(claimed_mileage__claim=claim)
    contacts = (
        Activity.objects.filter(
            taken,
            parent_partner=partner,
            occurred_on__gte=month,
            occurred_on__lt=next_month(month),
            mileage__gt=0,
        )
        .select_related("case__referral")
        .order_by("occurred_on", F("occurred_time").asc(nulls_last=True), "id")
    )
    rates = mileage_rates(partner.program_id)
    lines = []
    for activity in contacts:
        rate = rate_on(rates, activity.occurred_on)
        amount = None if rate is None else round_half_up(activity.mileage * rate.per_mile, 2)
        lines.append(ClaimPreviewLine(activity=activity, rate=rate, amount=amount))
    return lines


def documents_of(user: User, referral_id: int) -> list[Document]:
    """The documents a person may see of one family's referral and of its case, newest
    first, with who added them and who marked them expired: one query, however many."""
    return list(
        policy.visible(user, Document)
        .filter(Q(referral_id=referral_id) | Q(case__referral_id=referral_id))
        .select_related("uploaded_by", "expired_by")
    )


def documents_section(user: User, shown: Case | Referral) -> dict[str, Any]:
    """The Documents section of a case's or a referral's page, for those who may see it: the
    documents of the referral and of its case together (a consent signed at referral stays
    with the case), and what the person may do with them."""
    if not policy.can(user, "document.list", shown):
        return {"show_documents": False}
    if isinstance(shown, Case):
        referral_id = shown.referral_id
        add_url = reverse("mentoring:document_add", args=[shown.pk])
    else:
        referral_id = shown.pk
        add_url = reverse("mentoring:referral_document_add", args=[shown.pk])
    return {
        "show_documents": True,
        "documents": documents_of(user, referral_id),
        "can_add_document": policy.can(user, "document.add", shown),
        "can_expire_documents": policy.can(
            user, "document.change", Document(program_id=shown.program_id)
        ),
        "add_document_url": add_url,
    }


# --- Follow-ups ---------------------------------------------------------------------------


FOLLOW_UP_ROLES = {Role.PARENT_PARTNER_COORDINATOR, Role.PROGRAM_COORDINATOR}


def follow_up_owners(case: Case) -> QuerySet[User]:
    """Who may be given a follow-up on this case: its Parent Partners now, and the program's
    coordinators (2 queries when listed)."""
    partners = Assignment.objects.filter(
        case=case, ended_on__isnull=True, parent_partner__user__isnull=False
    ).values("parent_partner__user")
    coordinators = Membership.objects.filter(
        program_id=case.program_id, role__in=FOLLOW_UP_ROLES, is_active=True
    ).values("user")
    return (
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=partners) | Q(pk__in=coordinators))
        .order_by("first_name", "last_name", "id")
    )


def follow_ups_for_user(user: User) -> QuerySet[FollowUp]:
    """Open follow-ups on the open cases ``user`` sees, soonest first, with what a row
    shows; ``can_act`` on each says whether the user may change it or mark it done (the
    policy's ``follow_up.change``, without a query per row)."""
    return (
        policy.visible(user, FollowUp)
        .filter(done_at__isnull=True, case__status=CaseStatus.OPEN)
        .select_related("case__referral", "owner")
        .order_by("due_on", "id")
    )


FOLLOW_UPS_ON_HOME = 5


@dataclass(frozen=True)
class FollowUpSummary:
    """A person's own open follow-ups for the dashboard: the soonest, and how many in all
    and overdue."""

    soonest: list[FollowUp]
    total: int
    overdue: int

    def __bool__(self) -> bool:
        return self.total > 0


def mark_actionable(user: User, rows: list[FollowUp]) -> list[FollowUp]:
    """Set ``can_act`` on rows from ``follow_ups_for_user``: the user coordinates the
    program, or is a Parent Partner there (then the case is one of theirs now, or they
    would not see it)."""
    working = set(policy.program_ids_where(user, FOLLOW_UP_ROLES | {Role.PARENT_PARTNER}))
    for row in rows:
        row.can_act = row.case.program_id in working  # type: ignore[attr-defined]
    return rows


def follow_up_summary(
    user: User,
    today: datetime.date | None = None,
    limit: int = FOLLOW_UPS_ON_HOME,
    known_names: dict[int, list[str]] | None = None,
    open_cases: Iterable[Case] | None = None,
) -> FollowUpSummary:
    """``user``'s own open follow-ups: the soonest ``limit``, each with only what a row
    shows, and how many in all and overdue, counted over the whole set by the same query
    (window counts are taken before its LIMIT). The families' names come from
    ``known_names`` (``parent_names``'s, a page may have them already) or one more query.

    ``open_cases``: every open case ``user`` sees, already read through the policy (the
    Parent Partner's home has them). The follow-ups are then those of these cases, by their
    ids: the same rows as the policy's scope, without planning its nested subqueries again
    (most of this query's time on the home)."""
    today = today or timezone.localdate()
    follow_ups = (
        follow_ups_for_user(user)
        if open_cases is None
        else FollowUp.objects.filter(
            case_id__in=[case.pk for case in open_cases], done_at__isnull=True
        )
    )
    rows = list(
        follow_ups.filter(owner=user)
        .select_related(None)
        .select_related("case__referral")
        .only(
            "pk",
            "version",
            "what",
            "due_on",
            "owner_id",
            "case__id",
            "case__program_id",
            "case__family_id",
            "case__referral__number",
        )
        .annotate(
            total=Window(Count("id")),
            overdue=Window(Count("id", filter=Q(due_on__lt=today))),
        )[:limit]
    )
    total = rows[0].total if rows else 0
    overdue = rows[0].overdue if rows else 0
    soonest: list[FollowUp] = mark_actionable(user, list(rows))
    names = known_names or {}
    missing = {row.case.family_id for row in soonest} - set(names)
    if missing:
        names = {**names, **parent_names(missing)}
    for row in soonest:
        row.parent_names = names.get(row.case.family_id, [])  # type: ignore[attr-defined]
    return FollowUpSummary(soonest=soonest, total=total, overdue=overdue)


def follow_ups_due(today: datetime.date) -> QuerySet[FollowUp]:
    """Every open follow-up due by ``today`` on an open case, for the daily reminders."""
    return (
        FollowUp.objects.filter(
            done_at__isnull=True, due_on__lte=today, case__status=CaseStatus.OPEN
        )
        .select_related("case__referral", "owner")
        .order_by("due_on", "id")
    )
