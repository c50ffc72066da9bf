"""Who may see and do what in councils and outreach. Registered with ``psp.policy`` when
Django starts.

No family records live in councils: state staff may read every local council's meetings,
recommendations and attendance, but not its stipends (finance data) or its members' contact
details.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from councils.models import Attendance as CouncilAttendance
from councils.models import (
    Council,
    CouncilKind,
    CouncilMember,
    OutreachEvent,
    Recommendation,
    RecommendationStatusChange,
    Stipend,
)
from councils.models import Meeting as CouncilMeeting
from psp.models import Program, Role, User
from psp.policy import COORDINATORS, has_role, has_role_in, program_ids_where, rule, scope


def _council_seats(user: User) -> frozenset[int]:
    """Ids of the councils where ``user`` holds an active seat (read-only access)."""
    cached: frozenset[int] | None = getattr(user, "_psp_council_seats", None)
    if cached is None:
        cached = frozenset(
            CouncilMember.objects.filter(user=user, is_active=True).values_list(
                "council_id", flat=True
            )
        )
        user._psp_council_seats = cached  # type: ignore[attr-defined]
    return cached


def _leads_council(user: User, council: Council) -> bool:
    """Full edit: the Program Coordinator of a local council, state staff for the state's."""
    if council.kind == CouncilKind.STATE:
        return user.is_state_staff
    return has_role(user, council.program_id, {Role.PROGRAM_COORDINATOR})


def _assists_council(user: User, council: Council) -> bool:
    """Meetings and attendance: the leads above and the Parent Partner Coordinator."""
    if council.kind == CouncilKind.STATE:
        return user.is_state_staff
    return has_role(user, council.program_id, COORDINATORS)


def _sees_council(user: User, council: Council) -> bool:
    if user.is_administrator or user.is_state_staff or _assists_council(user, council):
        return True
    return council.pk in _council_seats(user)


def _council_filter(user: User, prefix: str = "") -> models.Q:
    return models.Q(
        **{
            f"{prefix}kind": CouncilKind.LOCAL,
            f"{prefix}program_id__in": program_ids_where(user, COORDINATORS),
        }
    ) | models.Q(**{f"{prefix}pk__in": _council_seats(user)})


@scope(Council)
def _councils(user: User) -> models.QuerySet[Council]:
    if user.is_administrator or user.is_state_staff:
        return Council.objects.all()
    return Council.objects.filter(_council_filter(user))


@scope(CouncilMember)
def _council_members(user: User) -> models.QuerySet[CouncilMember]:
    return CouncilMember.objects.filter(council__in=_councils(user))


@scope(CouncilMeeting)
def _council_meetings(user: User) -> models.QuerySet[CouncilMeeting]:
    return CouncilMeeting.objects.filter(council__in=_councils(user))


@scope(CouncilAttendance)
def _council_attendance(user: User) -> models.QuerySet[CouncilAttendance]:
    return CouncilAttendance.objects.filter(meeting__council__in=_councils(user))


@scope(Recommendation)
def _recommendations(user: User) -> models.QuerySet[Recommendation]:
    return Recommendation.objects.filter(council__in=_councils(user))


@scope(RecommendationStatusChange)
def _recommendation_changes(user: User) -> models.QuerySet[RecommendationStatusChange]:
    return RecommendationStatusChange.objects.filter(recommendation__council__in=_councils(user))


@scope(Stipend)
def _stipends(user: User) -> models.QuerySet[Stipend]:
    if user.is_administrator:
        return Stipend.objects.all()
    local = models.Q(
        member__council__kind=CouncilKind.LOCAL,
        member__council__program_id__in=program_ids_where(user, {Role.PROGRAM_COORDINATOR}),
    )
    if user.is_state_staff:
        local |= models.Q(member__council__kind=CouncilKind.STATE)
    return Stipend.objects.filter(local)


@scope(OutreachEvent)
def _outreach_events(user: User) -> models.QuerySet[OutreachEvent]:
    if user.is_administrator or user.is_state_staff:
        return OutreachEvent.objects.all()
    return OutreachEvent.objects.filter(program_id__in=program_ids_where(user, COORDINATORS))


@rule("council.list", "recommendation.list")
def _council_list(user: User, obj: Any) -> bool:
    if user.is_administrator or user.is_state_staff:
        return True
    return bool(program_ids_where(user, COORDINATORS)) or bool(_council_seats(user))


@rule("council.create")
def _council_create(user: User, program: Program | None) -> bool:
    """A Program Coordinator sets up their program's council; state staff the state's."""
    if program is None:
        return user.is_state_staff or bool(program_ids_where(user, {Role.PROGRAM_COORDINATOR}))
    return has_role(user, program.pk, {Role.PROGRAM_COORDINATOR})


@rule("council.create_state")
def _council_create_state(user: User, obj: Any) -> bool:
    return user.is_state_staff


@rule("council.view")
def _council_view(user: User, council: Council) -> bool:
    return _sees_council(user, council)


@rule("council.change", "recommendation.create")
def _council_change(user: User, council: Council) -> bool:
    """Members and recommendations: the council's lead only."""
    return _leads_council(user, council)


@rule("council.member.change")
def _council_member_change(user: User, member: CouncilMember) -> bool:
    return _leads_council(user, member.council)


@rule("council.members.view")
def _council_members_view(user: User, council: Council) -> bool:
    """Members' contact details and lived-experience flags."""
    return user.is_administrator or _assists_council(user, council)


@rule("meeting.create")
def _meeting_create(user: User, council: Council) -> bool:
    return _assists_council(user, council)


@rule("meeting.view")
def _meeting_view(user: User, meeting: CouncilMeeting) -> bool:
    return _sees_council(user, meeting.council)


@rule("meeting.change")
def _meeting_change(user: User, meeting: CouncilMeeting) -> bool:
    return _assists_council(user, meeting.council)


@rule("recommendation.view")
def _recommendation_view(user: User, recommendation: Recommendation) -> bool:
    return _sees_council(user, recommendation.council)


@rule("recommendation.change")
def _recommendation_change(user: User, recommendation: Recommendation) -> bool:
    return _leads_council(user, recommendation.council)


@rule("stipend.list")
def _stipend_list(user: User, council: Council | None) -> bool:
    if council is None:
        return (
            user.is_administrator
            or user.is_state_staff
            or bool(program_ids_where(user, {Role.PROGRAM_COORDINATOR}))
        )
    return user.is_administrator or _leads_council(user, council)


@rule("stipend.create", "stipend.export")
def _stipend_manage(user: User, council: Council) -> bool:
    return _leads_council(user, council)


@rule("stipend.change")
def _stipend_change(user: User, stipend: Stipend) -> bool:
    return _leads_council(user, stipend.member.council)


@rule("outreach.list")
def _outreach_list(user: User, obj: Any) -> bool:
    return (
        user.is_administrator or user.is_state_staff or bool(program_ids_where(user, COORDINATORS))
    )


@rule("outreach.create")
def _outreach_create(user: User, program: Program | None) -> bool:
    return has_role_in(user, program, COORDINATORS)


@rule("outreach.view")
def _outreach_view(user: User, event: OutreachEvent) -> bool:
    return (
        user.is_administrator
        or user.is_state_staff
        or has_role(user, event.program_id, COORDINATORS)
    )


@rule("outreach.change")
def _outreach_change(user: User, event: OutreachEvent) -> bool:
    return has_role(user, event.program_id, COORDINATORS)
