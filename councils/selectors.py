"""Reads of councils and outreach that the views, the CSV export and (later) reports share.

The lived-experience share and the stipend totals are computed by the database (aggregates
and annotations), never by looping over rows in Python, so they cost the same for three
meetings or three thousand.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from councils.models import (
    Attendance,
    AttendanceStatus,
    Council,
    CouncilKind,
    CouncilMember,
    Meeting,
    OutreachEvent,
    Recommendation,
    RecommendationStatus,
    ReferralSource,
    Stipend,
    StipendStatus,
)
from psp import policy
from psp.models import Program, Role, User
from psp.numbers import percent
from psp.selectors import count_per_row
from referrals.models import Referral

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

PRESENT = Q(status=AttendanceStatus.PRESENT)
PRESENT_WITH_LIVED_EXPERIENCE = Q(status=AttendanceStatus.PRESENT, member__lived_experience=True)
OPEN_STATUSES = [RecommendationStatus.PROPOSED, RecommendationStatus.UNDER_REVIEW]


class AttendanceCounts(TypedDict):
    present_count: int
    lived_experience_count: int
    excused_count: int
    absent_count: int
    recommendation_count: int


@dataclass(frozen=True)
class Share:
    """How many of the members present had lived experience."""

    present: int
    lived_experience: int

    @property
    def percent(self) -> int | None:
        """Whole percent, a half rounded up (1 of 8 is 13), or None when nobody was present
        (no share to speak of)."""
        share = percent(self.lived_experience, self.present)
        return None if share is None else int(share)


# --- Lived-experience share -----------------------------------------------------------------


def _share(attendance: QuerySet[Attendance]) -> Share:
    totals = attendance.aggregate(
        present=Count("id", filter=PRESENT),
        lived_experience=Count("id", filter=PRESENT_WITH_LIVED_EXPERIENCE),
    )
    return Share(present=totals["present"], lived_experience=totals["lived_experience"])


def meeting_lived_experience_share(meeting: Meeting) -> Share:
    """The share of the members present at ``meeting`` who have lived experience."""
    return _share(Attendance.objects.filter(meeting=meeting))


def council_lived_experience_share(
    council: Council | int,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Share:
    """The same share over every attendance at the council's meetings from ``start`` to
    ``end`` (inclusive): a member present at three meetings counts three times."""
    council_id = council if isinstance(council, int) else council.pk
    attendance = Attendance.objects.filter(meeting__council_id=council_id)
    if start is not None:
        attendance = attendance.filter(meeting__held_on__gte=start)
    if end is not None:
        attendance = attendance.filter(meeting__held_on__lte=end)
    return _share(attendance)


def with_attendance_counts(
    meetings: QuerySet[Meeting],
) -> QuerySet[WithAnnotations[Meeting, AttendanceCounts]]:
    """Each meeting with ``present_count``, ``lived_experience_count``, ``excused_count``,
    ``absent_count`` and ``recommendation_count``, in the same query."""
    recommendations = (
        Recommendation.objects.filter(meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(total=Count("id"))
        .values("total")
    )
    return meetings.annotate(
        present_count=Count("attendance", filter=Q(attendance__status=AttendanceStatus.PRESENT)),
        lived_experience_count=Count(
            "attendance",
            filter=Q(
                attendance__status=AttendanceStatus.PRESENT,
                attendance__member__lived_experience=True,
            ),
        ),
        excused_count=Count("attendance", filter=Q(attendance__status=AttendanceStatus.EXCUSED)),
        absent_count=Count("attendance", filter=Q(attendance__status=AttendanceStatus.ABSENT)),
        recommendation_count=Coalesce(
            Subquery(recommendations, output_field=IntegerField()), Value(0)
        ),
    )


# --- Councils ------------------------------------------------------------------------------


def councils_for_user(user: User) -> QuerySet[Council]:
    """The councils a user may see, with what the list shows, in one query."""
    today = timezone.localdate()
    active = CouncilMember.objects.filter(council=OuterRef("pk"), is_active=True).order_by()
    member_count = active.values("council").annotate(total=Count("id")).values("total")
    lived = (
        active.filter(lived_experience=True)
        .values("council")
        .annotate(total=Count("id"))
        .values("total")
    )
    next_meeting = (
        Meeting.objects.filter(council=OuterRef("pk"), held_on__gte=today)
        .order_by()
        .values("council")
        .annotate(first=Min("held_on"))
        .values("first")
    )
    last_meeting = (
        Meeting.objects.filter(council=OuterRef("pk"), held_on__lt=today)
        .order_by()
        .values("council")
        .annotate(last=Max("held_on"))
        .values("last")
    )
    open_recommendations = (
        Recommendation.objects.filter(council=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by()
        .values("council")
        .annotate(total=Count("id"))
        .values("total")
    )
    return (
        policy.visible(user, Council)
        .select_related("program")
        .annotate(
            member_count=Coalesce(Subquery(member_count, output_field=IntegerField()), Value(0)),
            lived_experience_count=Coalesce(Subquery(lived, output_field=IntegerField()), Value(0)),
            next_meeting_on=Subquery(next_meeting),
            last_meeting_on=Subquery(last_meeting),
            open_recommendation_count=Coalesce(
                Subquery(open_recommendations, output_field=IntegerField()), Value(0)
            ),
        )
        .order_by("-kind", "name")
    )


def councils_to_set_up(user: User) -> tuple[list[Program], bool]:
    """The programs whose council ``user`` may set up and has not yet, and whether the
    State Advisory Council is still to be set up by them."""
    programs: list[Program] = []
    if policy.can(user, "council.create"):
        programs = list(
            Program.objects.filter(
                pk__in=policy.program_ids_where(user, {Role.PROGRAM_COORDINATOR}),
                is_active=True,
            )
            .exclude(councils__kind=CouncilKind.LOCAL)
            .order_by("name")
        )
    state = (
        policy.can(user, "council.create_state")
        and not Council.objects.filter(kind=CouncilKind.STATE).exists()
    )
    return programs, state


def council_members(council: Council) -> QuerySet[CouncilMember]:
    return council.members.select_related("user").order_by("-is_active", "name", "id")


def upcoming_meetings(council: Council, *, limit: int = 3) -> list[Meeting]:
    today = timezone.localdate()
    return list(council.meetings.filter(held_on__gte=today).order_by("held_on", "id")[:limit])


def recent_meetings(
    council: Council, *, limit: int = 4
) -> list[WithAnnotations[Meeting, AttendanceCounts]]:
    today = timezone.localdate()
    meetings = council.meetings.filter(held_on__lt=today).order_by("-held_on", "-id")
    return list(with_attendance_counts(meetings)[:limit])


# --- Meetings ------------------------------------------------------------------------------


def meetings_for_council(council: Council) -> QuerySet[WithAnnotations[Meeting, AttendanceCounts]]:
    return with_attendance_counts(council.meetings.all()).order_by("-held_on", "-id")


def meeting_detail(user: User) -> QuerySet[Meeting]:
    return (
        policy.visible(user, Meeting)
        .select_related("council__program")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("member").order_by("member__name"),
            ),
            Prefetch(
                "recommendations",
                queryset=Recommendation.objects.order_by("proposed_on", "id"),
            ),
        )
    )


def attendance_members(meeting: Meeting | None, council: Council) -> list[CouncilMember]:
    """Whom the attendance form lists: the active members, and anybody already marked at
    this meeting (a member who has since left still attended)."""
    members = council.members.filter(is_active=True)
    if meeting is not None and meeting.pk:
        members = council.members.filter(Q(is_active=True) | Q(attendance__meeting=meeting))
    return list(members.distinct().order_by("name", "id"))


# --- Recommendations -----------------------------------------------------------------------


def recommendations_for_user(user: User) -> QuerySet[Recommendation]:
    return (
        policy.visible(user, Recommendation)
        .select_related("council__program", "meeting", "raised_by")
        .order_by("-proposed_on", "-id")
    )


def recommendation_detail(user: User) -> QuerySet[Recommendation]:
    return policy.visible(user, Recommendation).select_related(
        "council__program", "meeting", "raised_by"
    )


def recommendation_status_counts(recommendations: QuerySet[Recommendation]) -> dict[str, int]:
    return dict(
        recommendations.order_by()
        .values_list("status")
        .annotate(count=Count("id"))
        .values_list("status", "count")
    )


# --- Stipends ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberTotal:
    member_id: int
    name: str
    count: int
    total: Decimal
    paid: Decimal
    pending: Decimal


def stipends_for_council(council: Council) -> QuerySet[Stipend]:
    return (
        Stipend.objects.filter(member__council=council)
        .select_related("member", "meeting")
        .order_by("-awarded_on", "-id")
    )


def stipend_years(council: Council) -> list[int]:
    """The years with stipends, newest first, always including this year."""
    years = {
        day.year
        for day in Stipend.objects.filter(member__council=council).dates("awarded_on", "year")
    }
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def stipend_totals_by_member(council: Council | int, year: int) -> list[MemberTotal]:
    """Each member's stipends in ``year`` (by the date of the contribution): how many, the
    total, and how much of it is paid and still to pay."""
    council_id = council if isinstance(council, int) else council.pk
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=10, decimal_places=2)
    zero = Value(Decimal("0.00"), output_field=money)
    rows = (
        Stipend.objects.filter(member__council_id=council_id, awarded_on__year=year)
        .order_by()
        .values("member_id", "member__name")
        .annotate(
            count=Count("id"),
            total=Coalesce(Sum("amount"), zero, output_field=money),
            paid=Coalesce(
                Sum("amount", filter=Q(status=StipendStatus.PAID)), zero, output_field=money
            ),
            pending=Coalesce(
                Sum("amount", filter=Q(status=StipendStatus.PENDING)), zero, output_field=money
            ),
        )
        .order_by("member__name", "member_id")
    )
    return [
        MemberTotal(
            member_id=row["member_id"],
            name=row["member__name"],
            count=row["count"],
            total=Decimal(row["total"]).quantize(Decimal("0.01")),
            paid=Decimal(row["paid"]).quantize(Decimal("0.01")),
            pending=Decimal(row["pending"]).quantize(Decimal("0.01")),
        )
        for row in rows
    ]


def stipend_members(council: Council) -> QuerySet[CouncilMember]:
    """Who may receive a stipend: members with lived experience."""
    return council.members.filter(lived_experience=True).order_by("-is_active", "name", "id")


# --- Outreach ------------------------------------------------------------------------------


def outreach_for_user(user: User) -> QuerySet[OutreachEvent]:
    # The referrals are counted for each event shown, not by grouping every event with its
    # referrals before the page is taken: the page is then the first rows of the date index.
    referrals = ReferralSource.objects.filter(event=OuterRef("pk"))
    return (
        policy.visible(user, OutreachEvent)
        .select_related("program")
        .annotate(referral_count=count_per_row(referrals, "event"))
        .order_by("-held_on", "-id")
    )


def outreach_detail(user: User) -> QuerySet[OutreachEvent]:
    return policy.visible(user, OutreachEvent).select_related("program", "created_by")


def referrals_from_event(user: User, event: OutreachEvent) -> QuerySet[Referral]:
    """The referrals naming ``event`` as their source that ``user`` may see."""
    return (
        policy.visible(user, Referral)
        .filter(source__event=event)
        .only("pk", "number", "status", "received_on", "program_id")
        .order_by("-received_on", "-id")
    )


def recent_events_for_programs(
    program_ids: list[int], *, text: str = "", days: int = 365, ahead: int = 7
) -> QuerySet[OutreachEvent]:
    """Events a referral may name as its source: the programs' events of the last year and
    of the coming week (a referral can be entered ahead of one already booked), newest
    first; with ``text``, those whose title or organisation contains it."""
    today = timezone.localdate()
    events = OutreachEvent.objects.filter(
        program_id__in=program_ids,
        held_on__lte=today + datetime.timedelta(days=ahead),
        held_on__gte=today - datetime.timedelta(days=days),
    )
    for word in text.split():
        events = events.filter(Q(title__icontains=word) | Q(organisation__icontains=word))
    return events.select_related("program").order_by("-held_on", "-id")
