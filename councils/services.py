"""Writes for councils and outreach: members, meetings with attendance, recommendations and
their status, stipends, outreach events.

Each service runs in one transaction, validates with ``full_clean`` and writes the audit log.
Agendas and minutes are sanitised here, before they are saved, so only the allowlisted HTML
below is ever stored (the templates mark exactly these fields safe).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from councils.models import (
    Attendance,
    Council,
    CouncilKind,
    CouncilMember,
    Meeting,
    OutreachEvent,
    Recommendation,
    RecommendationStatus,
    RecommendationStatusChange,
    ReferralSource,
    Stipend,
)
from psp import audit
from psp.models import AuditAction, Program, User
from psp.services import save_versioned
from referrals.models import Referral

# --- Rich text -----------------------------------------------------------------------------

RICH_TEXT_TAGS = frozenset(
    {"h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "a", "br", "blockquote"}
)
RICH_TEXT_ATTRIBUTES = {"a": {"href"}}
RICH_TEXT_URL_SCHEMES = frozenset({"http", "https", "mailto"})
_LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!]")
_BLANK_LINES = re.compile(r"\n\s*\n")
# One block per line, so the stored HTML stays readable when someone edits it again.
_BLOCK_BREAK = re.compile(r"(</(?:p|h2|h3|h4|li|ul|ol|blockquote)>|<(?:ul|ol|blockquote)>)\n*")


def sanitize_rich_text(text: str) -> str:
    """Agenda or minutes as safe HTML: headings, paragraphs, lists, emphasis and links only.

    Plain text (no tags at all) becomes paragraphs at blank lines and line breaks within
    them; anything else passes through nh3's allowlist, which drops scripts with their
    content, event-handler attributes and unsafe link schemes.
    """
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    if not _LOOKS_LIKE_HTML.search(text):
        paragraphs = [part.strip() for part in _BLANK_LINES.split(text) if part.strip()]
        text = "".join(
            "<p>" + "<br>".join(html.escape(line) for line in part.split("\n")) + "</p>"
            for part in paragraphs
        )
    clean = nh3.clean(
        text,
        tags=set(RICH_TEXT_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in RICH_TEXT_ATTRIBUTES.items()},
        url_schemes=set(RICH_TEXT_URL_SCHEMES),
        link_rel="noopener noreferrer",
    )
    return _BLOCK_BREAK.sub(r"\1\n", clean).strip()


# --- Councils and members ------------------------------------------------------------------


@transaction.atomic
def council_create(*, actor: User | None, kind: str, program: Program | None, name: str) -> Council:
    council = Council(kind=kind, program=program if kind == CouncilKind.LOCAL else None, name=name)
    council.full_clean()
    council.save()
    audit.record(
        actor=actor, action=AuditAction.CREATE, obj=council, changes=audit.snapshot(council)
    )
    return council


MEMBER_FIELDS = [
    "name",
    "user",
    "organisation",
    "council_role",
    "lived_experience",
    "email",
    "phone",
    "term_start",
    "term_end",
    "is_active",
]


@transaction.atomic
def member_create(*, actor: User, council: Council, data: dict[str, Any]) -> CouncilMember:
    member = CouncilMember(council=council, **_pick(data, MEMBER_FIELDS))
    member.full_clean()
    member.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=member,
        changes=audit.snapshot(member, MEMBER_FIELDS),
    )
    return member


@transaction.atomic
def member_update(*, actor: User, member: CouncilMember, data: dict[str, Any]) -> CouncilMember:
    before = audit.snapshot(CouncilMember.objects.get(pk=member.pk), MEMBER_FIELDS)
    for name, value in _pick(data, MEMBER_FIELDS).items():
        setattr(member, name, value)
    member.full_clean()
    member.save()
    changes = audit.diff(before, audit.snapshot(member, MEMBER_FIELDS))
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=member, changes=changes)
    return member


# --- Meetings and attendance ---------------------------------------------------------------

MEETING_FIELDS = ["held_on", "starts_at", "location", "video_link", "agenda", "minutes", "guests"]
# (member, status): status "" means "not recorded" and removes an earlier mark.
AttendanceMarks = Iterable[tuple[CouncilMember, str]]


@transaction.atomic
def meeting_create(
    *, actor: User, council: Council, data: dict[str, Any], attendance: AttendanceMarks = ()
) -> Meeting:
    meeting = Meeting(council=council, **_meeting_values(data))
    meeting.full_clean()
    meeting.save()
    marks = _save_attendance(meeting, attendance)
    changes = audit.snapshot(meeting, MEETING_FIELDS)
    if marks:
        changes["attendance"] = marks
    audit.record(actor=actor, action=AuditAction.CREATE, obj=meeting, changes=changes)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    expected_version: int,
    data: dict[str, Any],
    attendance: AttendanceMarks = (),
) -> Meeting:
    """Change a meeting and its attendance; refused if someone saved it since it was opened."""
    stored = Meeting.objects.get(pk=meeting.pk)
    before = audit.snapshot(stored, MEETING_FIELDS)
    before_marks = dict(
        Attendance.objects.filter(meeting=meeting).values_list("member_id", "status")
    )
    for name, value in _meeting_values(data).items():
        setattr(meeting, name, value)
    meeting.full_clean()
    save_versioned(instance=meeting, expected_version=expected_version, fields=MEETING_FIELDS)
    _save_attendance(meeting, attendance)
    after_marks = dict(
        Attendance.objects.filter(meeting=meeting).values_list("member_id", "status")
    )
    changes: dict[str, Any] = audit.diff(before, audit.snapshot(meeting, MEETING_FIELDS))
    if before_marks != after_marks:
        changes["attendance"] = [
            {str(k): v for k, v in before_marks.items()},
            {str(k): v for k, v in after_marks.items()},
        ]
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=meeting, changes=changes)
    return meeting


def _meeting_values(data: dict[str, Any]) -> dict[str, Any]:
    values = _pick(data, MEETING_FIELDS)
    for name in ("agenda", "minutes"):
        if name in values:
            values[name] = sanitize_rich_text(values[name] or "")
    for name in ("location", "video_link", "guests"):
        if name in values and values[name] is None:
            values[name] = ""
    return values


def _save_attendance(meeting: Meeting, marks: AttendanceMarks) -> dict[str, str]:
    """Write the marks; refuse marks for a meeting that has not happened yet."""
    marks = [(member, status) for member, status in marks]
    recorded = {str(member.pk): status for member, status in marks if status}
    if recorded and meeting.held_on > timezone.localdate():
        raise ValidationError(
            {
                "held_on": _(
                    "This meeting is in the future. Record attendance on or after the "
                    "meeting date, or change the date."
                )
            }
        )
    existing = {row.member_id: row for row in Attendance.objects.filter(meeting=meeting)}
    for member, status in marks:
        if member.council_id != meeting.council_id:
            raise ValidationError(_("Only members of this council can be marked at its meetings."))
        row = existing.get(member.pk)
        if not status:
            if row is not None:
                row.delete()
            continue
        if row is None:
            row = Attendance(meeting=meeting, member=member, status=status)
        elif row.status == status:
            continue
        row.status = status
        row.full_clean(exclude=["meeting", "member"])
        row.save()
    return recorded


# --- Recommendations -----------------------------------------------------------------------

# Which status may follow which.
ALLOWED_MOVES: dict[str, frozenset[str]] = {
    RecommendationStatus.PROPOSED: frozenset(
        {RecommendationStatus.UNDER_REVIEW, RecommendationStatus.DECLINED}
    ),
    RecommendationStatus.UNDER_REVIEW: frozenset(
        {RecommendationStatus.ADOPTED, RecommendationStatus.DECLINED}
    ),
    RecommendationStatus.ADOPTED: frozenset(),
    RecommendationStatus.DECLINED: frozenset(),
}
DECIDED = frozenset({RecommendationStatus.ADOPTED, RecommendationStatus.DECLINED})

RECOMMENDATION_FIELDS = ["title", "details", "area", "owner", "meeting", "raised_by", "proposed_on"]


class StatusMoveError(Exception):
    """A status change that the recommendation workflow does not allow."""


def next_statuses(recommendation: Recommendation) -> list[str]:
    """The moves open to a recommendation, in the order the page offers them."""
    allowed = ALLOWED_MOVES.get(recommendation.status, frozenset())
    return [value for value in RecommendationStatus.values if value in allowed]


@transaction.atomic
def recommendation_create(*, actor: User, council: Council, data: dict[str, Any]) -> Recommendation:
    recommendation = Recommendation(
        council=council,
        status=RecommendationStatus.PROPOSED,
        **_pick(data, RECOMMENDATION_FIELDS),
    )
    if recommendation.proposed_on is None:
        recommendation.proposed_on = (
            recommendation.meeting.held_on if recommendation.meeting else timezone.localdate()
        )
    recommendation.full_clean()
    recommendation.save()
    RecommendationStatusChange.objects.create(
        recommendation=recommendation,
        from_status="",
        to_status=RecommendationStatus.PROPOSED,
        actor=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=recommendation,
        changes=audit.snapshot(recommendation, [*RECOMMENDATION_FIELDS, "status"]),
    )
    return recommendation


@transaction.atomic
def recommendation_update(
    *,
    actor: User,
    recommendation: Recommendation,
    expected_version: int,
    data: dict[str, Any],
) -> Recommendation:
    stored = Recommendation.objects.get(pk=recommendation.pk)
    before = audit.snapshot(stored, RECOMMENDATION_FIELDS)
    for name, value in _pick(data, RECOMMENDATION_FIELDS).items():
        setattr(recommendation, name, value)
    recommendation.full_clean()
    save_versioned(
        instance=recommendation,
        expected_version=expected_version,
        fields=RECOMMENDATION_FIELDS,
    )
    changes = audit.diff(before, audit.snapshot(recommendation, RECOMMENDATION_FIELDS))
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=recommendation, changes=changes)
    return recommendation


@transaction.atomic
def recommendation_move(
    *,
    actor: User,
    recommendation: Recommendation,
    to_status: str,
    expected_version: int,
    note: str = "",
) -> RecommendationStatusChange:
    """Move a recommendation one step (proposed -> under review -> adopted or declined)."""
    from_status = recommendation.status
    if to_status not in ALLOWED_MOVES.get(from_status, frozenset()):
        raise StatusMoveError(
            _("A recommendation that is “%(from)s” cannot be marked “%(to)s”.")
            % {
                "from": RecommendationStatus(from_status).label,
                "to": _label(to_status),
            }
        )
    now = timezone.now()
    recommendation.status = to_status
    recommendation.status_changed_at = now
    recommendation.decided_on = timezone.localdate() if to_status in DECIDED else None
    save_versioned(
        instance=recommendation,
        expected_version=expected_version,
        fields=["status", "status_changed_at", "decided_on"],
    )
    change = RecommendationStatusChange.objects.create(
        recommendation=recommendation,
        from_status=from_status,
        to_status=to_status,
        at=now,
        actor=actor,
        note=note,
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=recommendation,
        changes={"status": [from_status, to_status], **({"note": note} if note else {})},
    )
    return change


def _label(status: str) -> str:
    try:
        return str(RecommendationStatus(status).label)
    except ValueError:
        return status


# --- Stipends ------------------------------------------------------------------------------

STIPEND_FIELDS = ["member", "meeting", "awarded_on", "amount", "status", "paid_on", "note"]


@transaction.atomic
def stipend_create(*, actor: User, council: Council, data: dict[str, Any]) -> Stipend:
    stipend = Stipend(**_pick(data, STIPEND_FIELDS))
    if stipend.member_id is None or stipend.member.council_id != council.pk:
        raise ValidationError({"member": _("Choose a member of this council.")})
    stipend.full_clean()
    stipend.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=stipend,
        changes=audit.snapshot(stipend, STIPEND_FIELDS),
    )
    return stipend


@transaction.atomic
def stipend_update(*, actor: User, stipend: Stipend, data: dict[str, Any]) -> Stipend:
    council_id = stipend.member.council_id
    before = audit.snapshot(Stipend.objects.get(pk=stipend.pk), STIPEND_FIELDS)
    for name, value in _pick(data, STIPEND_FIELDS).items():
        setattr(stipend, name, value)
    if stipend.member.council_id != council_id:
        raise ValidationError({"member": _("Choose a member of this council.")})
    stipend.full_clean()
    stipend.save()
    changes = audit.diff(before, audit.snapshot(stipend, STIPEND_FIELDS))
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=stipend, changes=changes)
    return stipend


# --- Outreach ------------------------------------------------------------------------------

OUTREACH_FIELDS = [
    "held_on",
    "title",
    "audience_type",
    "organisation",
    "attendance",
    "presenters",
    "notes",
]


@transaction.atomic
def outreach_create(*, actor: User, program: Program, data: dict[str, Any]) -> OutreachEvent:
    event = OutreachEvent(program=program, created_by=actor, **_pick(data, OUTREACH_FIELDS))
    event.full_clean()
    event.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=event,
        changes=audit.snapshot(event, OUTREACH_FIELDS),
    )
    return event


@transaction.atomic
def outreach_update(
    *, actor: User, event: OutreachEvent, expected_version: int, data: dict[str, Any]
) -> OutreachEvent:
    before = audit.snapshot(OutreachEvent.objects.get(pk=event.pk), OUTREACH_FIELDS)
    for name, value in _pick(data, OUTREACH_FIELDS).items():
        setattr(event, name, value)
    event.full_clean()
    save_versioned(instance=event, expected_version=expected_version, fields=OUTREACH_FIELDS)
    changes = audit.diff(before, audit.snapshot(event, OUTREACH_FIELDS))
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=event, changes=changes)
    return event


@transaction.atomic
def referral_source_record(
    *, actor: User, referral: Referral, event: OutreachEvent
) -> ReferralSource:
    """Keep the outreach event where a new referral's family heard of the program."""
    source = ReferralSource(referral=referral, event=event)
    source.full_clean()
    source.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=source, changes=audit.snapshot(source))
    return source


def _pick(data: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {name: data[name] for name in names if name in data}
