"""Each person's calendar: court hearings, case team meetings, council meetings, supervision
and clinical-support sessions, each read through the policy's scope for that person (so
nobody sees another program's, and a Parent Partner sees their own families' only).

Two ways out: the pages (``reporting.views.calendar``), which may name families since they
are behind the sign-in and audited, and the person's feed (``feed_ics``), which names no
family or child, only case numbers and kinds, so that it is safe in a phone's calendar.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
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
from psp.dates import format_when
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
    order: int = 0  # the record's key: events at the same hour keep one order

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])

    @property
    def time_text(self) -> str:
        return _time_text(self.time, translation.get_language()) if self.time else ""

    @property
    def time_iso(self) -> str:
        return f"{self.day.isoformat()}T{self.time:%H:%M}" if self.time else ""

    def html(self) -> SafeString:
        """The event as the pages list it, a link to its record: written here rather than
        by a template included for each of a month's events (markup of
        ``reporting/calendar.html``'s cells and lists)."""
        hour = (
            format_html('<time datetime="{}">{}</time> ', self.time_iso, self.time_text)
            if self.time
            else ""
        )
        return format_html(
            '<a href="{}" class="calendar-event calendar-{}">{}'
            '<span class="badge calendar-kind">{}</span> {}</a>',
            self.url,
            self.kind,
            hour,
            self.kind_label,
            self.title,
        )

    @property
    def sort_key(self) -> tuple[datetime.date, datetime.time, int, int]:
        return (self.day, self.time or datetime.time.min, KIND_ORDER[self.kind], self.order)


KIND_ORDER = {kind: rank for rank, kind in enumerate(KINDS)}


@functools.lru_cache(maxsize=1024)
def _time_text(value: datetime.time, language: str) -> str:
    """An hour as the pages write it, in ``language``; a month of events has few hours."""
    return format_when(value, "time")


@dataclass
class Days:
    """What a span of days holds: the events shown each day (the first ``per_day`` of them,
    in order) and how many there are in all that day."""

    shown: dict[datetime.date, list[Event]]
    total: dict[datetime.date, int]

    @property
    def count(self) -> int:
        return sum(self.total.values())

    def on(self, day: datetime.date) -> list[Event]:
        return self.shown.get(day, [])

    def more(self, day: datetime.date) -> int:
        """How many events of ``day`` are not shown."""
        return self.total.get(day, 0) - len(self.shown.get(day, []))


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


@dataclass(frozen=True)
class _Source:
    """One kind of event: the rows a person may see in a span, which fields hold its day and
    hour, the fields its events are written from, and how."""

    rows: Callable[..., models.QuerySet | None]
    day: str
    time: str | None
    fields: tuple[str, ...]
    build: Callable[[list[dict[str, Any]]], list[Event]]

    def ordered(self) -> list[models.OrderBy]:
        order = [models.F(self.day).asc()]
        if self.time:
            order.append(models.F(self.time).asc(nulls_first=True))
        return [*order, models.F("pk").asc()]

    def read(self, rows: models.QuerySet) -> list[Event]:
        return self.build(list(rows.order_by(*self.ordered()).values("pk", *self.fields)))


def events(
    user: User,
    start: datetime.date,
    end: datetime.date,
    *,
    program: Program | None = None,
    person: ParentPartner | None = None,
) -> list[Event]:
    """Every event from ``start`` to ``end`` (both included) the person may see, in order;
    one query per kind of event, and one for the families' names. For the feed, which has
    them all; the pages show a few a day (``days``)."""
    found: list[Event] = []
    for source in _SOURCES:
        rows = source.rows(user, start, end, program, person)
        if rows is not None:
            found += source.read(rows)
    return sorted(found, key=lambda event: event.sort_key)


def days(
    user: User,
    start: datetime.date,
    end: datetime.date,
    *,
    per_day: int,
    program: Program | None = None,
    person: ParentPartner | None = None,
) -> Days:
    """The first ``per_day`` events of each day from ``start`` to ``end`` the person may see,
    and how many each day has. The database numbers each kind's rows within their day and
    sends the keys of only the first ``per_day`` of each, with the day's count; then those
    rows are read with what their events name. So a day of 200 hearings costs what a day of
    a few does: two queries per kind of event, one for the families' names."""
    candidates: list[Event] = []
    total: dict[datetime.date, int] = {}
    for source in _SOURCES:
        rows = source.rows(user, start, end, program, person)
        if rows is None:
            continue
        ranked = (
            rows.annotate(
                rank=models.Window(
                    RowNumber(),
                    partition_by=[models.F(source.day)],
                    order_by=source.ordered()[1:],
                ),
                of_day=models.Window(models.Count("pk"), partition_by=[models.F(source.day)]),
            )
            .filter(rank__lte=per_day)
            .values_list("pk", source.day, "rank", "of_day")
        )
        kept = []
        for pk, day, rank, of_day in ranked:
            kept.append(pk)
            if rank == 1:
                total[day] = total.get(day, 0) + of_day
        if kept:
            # Already read through the person's scope: fetched by key alone.
            candidates += source.read(rows.model.objects.filter(pk__in=kept))
    shown: dict[datetime.date, list[Event]] = {}
    for event in sorted(candidates, key=lambda event: event.sort_key):
        on_day = shown.setdefault(event.day, [])
        if len(on_day) < per_day:
            on_day.append(event)
    return Days(shown=shown, total=total)


def _in_program(
    rows: models.QuerySet, program: Program | None, field: str = "program"
) -> models.QuerySet:
    return rows.filter(**{field: program}) if program is not None else rows


def _family(names: dict[int, list[str]], family_id: int, number: str) -> str:
    return " & ".join(names.get(family_id, [])) or number


def _url_of(name: str) -> Callable[[int], str]:
    """A record's address without resolving the URL pattern for each event."""
    pattern = reverse(name, args=[0])
    head, tail = pattern.rsplit("/0/", 1)
    return lambda pk: f"{head}/{pk}/{tail}"


def _hearing_rows(
    user: User,
    start: datetime.date,
    end: datetime.date,
    program: Program | None,
    person: ParentPartner | None,
) -> models.QuerySet:
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
    return rows


def _hearings(hearings: list[dict[str, Any]]) -> list[Event]:
    names = parent_names({hearing["case__family_id"] for hearing in hearings})
    case_url = _url_of("mentoring:case_detail")
    found = []
    for hearing in hearings:
        number = hearing["case__referral__number"]
        typed = hearing["hearing_type__name"]
        kind = typed or _("Court hearing")
        family = _family(names, hearing["case__family_id"], str(number))
        shown = f"{family} ({number})"
        found.append(
            Event(
                kind="hearing",
                day=hearing["day"],
                time=hearing["time"],
                title=f"{kind} – {shown}" if typed else shown,
                private_title=f"{kind} – {number}",
                url=case_url(hearing["case_id"]),
                program_id=hearing["case__program_id"],
                place=hearing["court"],
                uid=f"hearing-{hearing['pk']}",
                order=hearing["pk"],
            )
        )
    return found


def _team_meeting_rows(
    user: User,
    start: datetime.date,
    end: datetime.date,
    program: Program | None,
    person: ParentPartner | None,
) -> models.QuerySet:
    rows = policy.visible(user, Activity).filter(
        activity_type=ActivityType.TEAM_MEETING, occurred_on__gte=start, occurred_on__lte=end
    )
    rows = _in_program(rows, program)
    if person is not None:
        rows = rows.filter(parent_partner=person)
    return rows


def _team_meetings(meetings: list[dict[str, Any]]) -> list[Event]:
    names = parent_names({meeting["case__family_id"] for meeting in meetings})
    case_url = _url_of("mentoring:case_detail")
    label = _("Team meeting")
    found = []
    for meeting in meetings:
        number = meeting["case__referral__number"]
        family = _family(names, meeting["case__family_id"], str(number))
        found.append(
            Event(
                kind="team_meeting",
                day=meeting["occurred_on"],
                time=meeting["occurred_time"],
                title=f"{family} ({number})",
                private_title=f"{label} – {number}",
                url=case_url(meeting["case_id"]),
                program_id=meeting["program_id"],
                uid=f"team-meeting-{meeting['pk']}",
                order=meeting["pk"],
            )
        )
    return found


def _council_meeting_rows(
    user: User,
    start: datetime.date,
    end: datetime.date,
    program: Program | None,
    person: ParentPartner | None,
) -> models.QuerySet | None:
    if person is not None:
        return None  # a council's meeting is nobody's own
    rows = policy.visible(user, Meeting).filter(held_on__gte=start, held_on__lte=end)
    return _in_program(rows, program, "council__program")


def _council_meetings(meetings: list[dict[str, Any]]) -> list[Event]:
    label = _("Council meeting")
    meeting_url = _url_of("councils:meeting_detail")
    return [
        Event(
            kind="council",
            day=meeting["held_on"],
            time=meeting["starts_at"],
            title=meeting["council__name"],
            private_title=f"{label} – {meeting['council__name']}",
            url=meeting_url(meeting["pk"]),
            program_id=meeting["council__program_id"],
            place=meeting["location"],
            uid=f"council-meeting-{meeting['pk']}",
            order=meeting["pk"],
        )
        for meeting in meetings
    ]


def _supervision_rows(
    user: User,
    start: datetime.date,
    end: datetime.date,
    program: Program | None,
    person: ParentPartner | None,
) -> models.QuerySet:
    rows = policy.visible(user, SupervisionSession).filter(held_on__gte=start, held_on__lte=end)
    rows = _in_program(rows, program)
    if person is not None:
        rows = rows.filter(parent_partner=person)
    return rows


def _supervision(sessions: list[dict[str, Any]]) -> list[Event]:
    label = _("Supervision")
    url = reverse("mentoring:supervision")
    found = []
    for session in sessions:
        # As a Parent Partner is named everywhere (``ParentPartner.__str__``).
        partner = f"{session['parent_partner__first_name']} {session['parent_partner__last_name']}"
        found.append(
            Event(
                kind="supervision",
                day=session["held_on"],
                time=None,
                title=partner,
                private_title=f"{label} – {partner}",
                url=url,
                program_id=session["program_id"],
                uid=f"supervision-{session['pk']}",
                order=session["pk"],
            )
        )
    return found


def _clinical_rows(
    user: User,
    start: datetime.date,
    end: datetime.date,
    program: Program | None,
    person: ParentPartner | None,
) -> models.QuerySet:
    rows = policy.visible(user, ClinicalSupportSession).filter(held_on__gte=start, held_on__lte=end)
    rows = _in_program(rows, program)
    if person is not None:
        rows = rows.filter(attendees=person)
    return rows


def _clinical(sessions: list[dict[str, Any]]) -> list[Event]:
    label = _("Clinical support")
    url = reverse("mentoring:clinical")
    return [
        Event(
            kind="clinical",
            day=session["held_on"],
            time=None,
            title=session["program__name"],
            private_title=str(label),
            url=url,
            program_id=session["program_id"],
            uid=f"clinical-{session['pk']}",
            order=session["pk"],
        )
        for session in sessions
    ]


_CASE = ("case_id", "case__program_id", "case__family_id", "case__referral__number")
_SOURCES = [
    _Source(
        _hearing_rows, "day", "time", ("day", "time", "court", "hearing_type__name", *_CASE),
        _hearings,
    ),
    _Source(
        _team_meeting_rows, "occurred_on", "occurred_time",
        ("occurred_on", "occurred_time", "program_id", *_CASE), _team_meetings,
    ),
    _Source(
        _council_meeting_rows, "held_on", "starts_at",
        ("held_on", "starts_at", "location", "council__name", "council__program_id"),
        _council_meetings,
    ),
    _Source(
        _supervision_rows, "held_on", None,
        ("held_on", "program_id", "parent_partner__first_name", "parent_partner__last_name"),
        _supervision,
    ),
    _Source(
        _clinical_rows, "held_on", None, ("held_on", "program_id", "program__name"), _clinical
    ),
]  # fmt: skip


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
