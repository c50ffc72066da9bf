"""Each person's calendar: court hearings, case team meetings, council meetings, supervision
and clinical-support sessions, each read through the policy's scope for that person (so
nobody sees another program's, and a Parent Partner sees their own families' only).

Two ways out: the pages (``reporting.views.calendar``), which may name families since they
are behind the sign-in and audited, and the person's feed (``feed_ics``), which names no
family or child, only case numbers and kinds, so that it is safe in a phone's calendar.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar
from icalendar import Event as IcsEvent

from councils.models import Meeting
from mentoring.models import (
    Activity,
    ActivityType,
    Assignment,
    ClinicalSupportSession,
    Hearing,
    ParentPartner,
    SupervisionSession,
)
from mentoring.selectors import parent_names
from psp import audit, policy
from psp.models import AuditAction, Program, User
from reporting.models import CalendarFeed

KINDS = {
    "hearing": gettext_lazy("Court hearing"),
    "team_meeting": gettext_lazy("Team meeting"),
    "council": gettext_lazy("Council meeting"),
    "supervision": gettext_lazy("Supervision"),
    "clinical": gettext_lazy("Clinical support"),
}
# The feed: a month back, a year ahead.
FEED_BACK = datetime.timedelta(days=31)
FEED_AHEAD = datetime.timedelta(days=366)


@dataclass(frozen=True)
class Event:
    kind: str
    day: datetime.date
    time: datetime.time | None
    title: str  # on the pages, after the kind: may name the family
    private_title: str  # in the feed: a case number and a kind, never a name
    url: str
    program_id: int | None
    place: str = ""  # in the feed only where it names no family (a court, a council's room)
    uid: str = ""

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])

    @property
    def sort_key(self) -> tuple[datetime.date, datetime.time, str]:
        return (self.day, self.time or datetime.time.min, self.title)


def may_use(user: User) -> bool:
    return policy.can(user, "calendar.view")


def programs_for(user: User) -> models.QuerySet[Program]:
    """The programs a person's calendar may be narrowed to."""
    if user.is_administrator or user.is_state_staff:
        return Program.objects.filter(is_active=True).order_by("name")
    return Program.objects.filter(pk__in=policy.program_ids_where(user)).order_by("name")


def people_for(user: User) -> models.QuerySet[ParentPartner]:
    """The Parent Partners a person's calendar may be narrowed to: those they may see."""
    return policy.visible(user, ParentPartner).order_by("last_name", "first_name", "pk")


def events(
    user: User,
    start: datetime.date,
    end: datetime.date,
    *,
    program: Program | None = None,
    person: ParentPartner | None = None,
) -> list[Event]:
    """Every event from ``start`` to ``end`` (both included) the person may see, in order;
    one query per kind of event, and one for the families' names."""
    found: list[Event] = []
    found += _hearings(user, start, end, program, person)
    found += _team_meetings(user, start, end, program, person)
    found += _council_meetings(user, start, end, program, person)
    found += _supervision(user, start, end, program, person)
    found += _clinical(user, start, end, program, person)
    return sorted(found, key=lambda event: event.sort_key)


def _in_program(
    rows: models.QuerySet, program: Program | None, field: str = "program"
) -> models.QuerySet:
    return rows.filter(**{field: program}) if program is not None else rows


def _family(names: dict[int, list[str]], family_id: int, number: str) -> str:
    return " & ".join(names.get(family_id, [])) or number


def _hearings(
    user: User,
    start: datetime.date,
    end: datetime.date,
    program: Program | None,
    person: ParentPartner | None,
) -> list[Event]:
    rows = policy.visible(user, Hearing).filter(day__gte=start, day__lte=end)
    rows = _in_program(rows, program, "case__program")
    if person is not None:
        rows = rows.filter(
            models.Exists(
                Assignment.objects.filter(
                    case=models.OuterRef("case"), parent_partner=person, ended_on__isnull=True
                )
            )
        )
    hearings = list(
        rows.select_related("case__referral", "hearing_type").order_by("day", "time", "pk")
    )
    names = parent_names({hearing.case.family_id for hearing in hearings})
    found = []
    for hearing in hearings:
        number = hearing.case.referral.number
        kind = hearing.hearing_type.name if hearing.hearing_type else _("Court hearing")
        family = _family(names, hearing.case.family_id, str(number))
        shown = f"{family} ({number})"
        found.append(
            Event(
                kind="hearing",
                day=hearing.day,
                time=hearing.time,
                title=f"{kind} – {shown}" if hearing.hearing_type else shown,
                private_title=f"{kind} – {number}",
                url=reverse("mentoring:case_detail", args=[hearing.case_id]),
                program_id=hearing.case.program_id,
                place=hearing.court,
                uid=f"hearing-{hearing.pk}",
            )
        )
    return found


def _team_meetings(
    user: User,
    start: datetime.date,
    end: datetime.date,
    program: Program | None,
    person: ParentPartner | None,
) -> list[Event]:
    rows = policy.visible(user, Activity).filter(
        activity_type=ActivityType.TEAM_MEETING, occurred_on__gte=start, occurred_on__lte=end
    )
    rows = _in_program(rows, program)
    if person is not None:
        rows = rows.filter(parent_partner=person)
    meetings = list(
        rows.select_related("case__referral").order_by("occurred_on", "occurred_time", "pk")
    )
    names = parent_names({meeting.case.family_id for meeting in meetings})
    label = _("Team meeting")
    return [
        Event(
            kind="team_meeting",
            day=meeting.occurred_on,
            time=meeting.occurred_time,
            title=f"{_family(names, meeting.case.family_id, str(meeting.case.referral.number))} "
            f"({meeting.case.referral.number})",
            private_title=f"{label} – {meeting.case.referral.number}",
            url=reverse("mentoring:case_detail", args=[meeting.case_id]),
            program_id=meeting.program_id,
            uid=f"team-meeting-{meeting.pk}",
        )
        for meeting in meetings
    ]


def _council_meetings(
    user: User,
    start: datetime.date,
    end: datetime.date,
    program: Program | None,
    person: ParentPartner | None,
) -> list[Event]:
    if person is not None:
        return []  # a council's meeting is nobody's own
    rows = policy.visible(user, Meeting).filter(held_on__gte=start, held_on__lte=end)
    rows = _in_program(rows, program, "council__program")
    label = _("Council meeting")
    return [
        Event(
            kind="council",
            day=meeting.held_on,
            time=meeting.starts_at,
            title=meeting.council.name,
            private_title=f"{label} – {meeting.council.name}",
            url=reverse("councils:meeting_detail", args=[meeting.pk]),
            program_id=meeting.council.program_id,
            place=meeting.location,
            uid=f"council-meeting-{meeting.pk}",
        )
        for meeting in rows.select_related("council").order_by("held_on", "starts_at", "pk")
    ]


def _supervision(
    user: User,
    start: datetime.date,
    end: datetime.date,
    program: Program | None,
    person: ParentPartner | None,
) -> list[Event]:
    rows = policy.visible(user, SupervisionSession).filter(held_on__gte=start, held_on__lte=end)
    rows = _in_program(rows, program)
    if person is not None:
        rows = rows.filter(parent_partner=person)
    label = _("Supervision")
    return [
        Event(
            kind="supervision",
            day=session.held_on,
            time=None,
            title=str(session.parent_partner),
            private_title=f"{label} – {session.parent_partner}",
            url=reverse("mentoring:supervision"),
            program_id=session.program_id,
            uid=f"supervision-{session.pk}",
        )
        for session in rows.select_related("parent_partner").order_by("held_on", "pk")
    ]


def _clinical(
    user: User,
    start: datetime.date,
    end: datetime.date,
    program: Program | None,
    person: ParentPartner | None,
) -> list[Event]:
    rows = policy.visible(user, ClinicalSupportSession).filter(held_on__gte=start, held_on__lte=end)
    rows = _in_program(rows, program)
    if person is not None:
        rows = rows.filter(attendees=person)
    label = _("Clinical support")
    return [
        Event(
            kind="clinical",
            day=session.held_on,
            time=None,
            title=session.program.name,
            private_title=str(label),
            url=reverse("mentoring:clinical"),
            program_id=session.program_id,
            uid=f"clinical-{session.pk}",
        )
        for session in rows.select_related("program").order_by("held_on", "pk")
    ]


# --- The feed ---------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_make(user: User) -> str:
    """A new secret address for the person's feed (the old one, if any, stops at once);
    returns the token, which is kept nowhere but in the address."""
    now = timezone.now()
    CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, token_hash=_digest(token), created_at=now)
    audit.record(actor=user, action=AuditAction.CREATE, obj=feed)
    return token


def feed_stop(user: User) -> int:
    live = list(CalendarFeed.objects.filter(user=user, revoked_at__isnull=True))
    for feed in live:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit.record(
            actor=user, action=AuditAction.UPDATE, obj=feed, changes={"revoked": [False, True]}
        )
    return len(live)


def feed_live(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def feed_owner(token: str) -> CalendarFeed | None:
    """The live feed ``token`` opens, if its person may still use a calendar."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=_digest(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.user.is_active or not may_use(feed.user):
        return None
    return feed


def feed_ics(user: User, today: datetime.date, base_url: str) -> bytes:
    """The person's events from a month back to a year ahead as iCalendar (RFC 5545):
    case numbers and kinds, never a family's or a child's name, no notes."""
    zone = timezone.get_default_timezone()
    calendar = Calendar()
    calendar.add("prodid", "-//PSP Case Management//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("PSP calendar"))
    calendar.add("x-wr-timezone", str(zone))
    stamp = timezone.now()
    for event in events(user, today - FEED_BACK, today + FEED_AHEAD):
        item = IcsEvent()
        item.add("uid", f"{event.uid}@psp")
        item.add("dtstamp", stamp)
        item.add("summary", event.private_title)
        if event.time is not None:
            begins = datetime.datetime.combine(event.day, event.time, tzinfo=zone)
            item.add("dtstart", begins)
            item.add("dtend", begins + datetime.timedelta(hours=1))
        else:
            item.add("dtstart", event.day)
            item.add("dtend", event.day + datetime.timedelta(days=1))
        if event.place:
            item.add("location", event.place)
        item.add("url", base_url + event.url)
        item.add("categories", [event.kind_label])
        calendar.add_component(item)
    # RFC 5545: every TZID the events name is defined in the file (a VTIMEZONE).
    calendar.add_missing_timezones()
    return calendar.to_ical()


def by_day(found: Iterable[Event]) -> dict[datetime.date, list[Event]]:
    grouped: dict[datetime.date, list[Event]] = {}
    for event in found:
        grouped.setdefault(event.day, []).append(event)
    return grouped
