"""Demo councils and outreach for the three demo programs (SPEC.md's demo data contract).

``seed_demo`` calls ``seed(context)`` after the referrals (and mentoring) parts. For Door, Rock
and Jefferson it adds a Local Advisory Council of 8 to 12 members, about half of them parents
with lived experience and the program's two coordinators linked to their user accounts; a
monthly meeting over the last six quarters (plus the next one, with its agenda), with
attendance, minutes and stipends for the parents who came; two to four recommendations with
their status history; and 4 to 8 outreach events a quarter (times ``context.scale``). Some
referrals a coordinator entered in the weeks after an event are linked to it as their source.
The State Advisory Council gets a parent and the coordinator of each county, DCF staff (the
``dcf-state`` user among them) and partners, and a quarterly meeting.

Everything is drawn from ``context.rng`` and dated relative to ``context.today``. A program
whose council (or whose outreach events) already exist is left alone, so the part is safe to
run twice. Meetings are not multiplied by the scale (a council meets monthly however large the
state); outreach events are, and are written with ``bulk_insert``. Demo data is not audited.
"""

from __future__ import annotations

import bisect
import datetime
import random
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from councils.models import (
    Attendance,
    AttendanceStatus,
    AudienceType,
    Council,
    CouncilKind,
    CouncilMember,
    CouncilRole,
    Meeting,
    OutreachEvent,
    Recommendation,
    RecommendationArea,
    RecommendationStatus,
    RecommendationStatusChange,
    ReferralSource,
    Stipend,
    StipendStatus,
)
from councils.services import sanitize_rich_text
from psp.demo import DemoContext, bulk_insert, voluntary_race
from psp.models import Program, User
from referrals.models import Referral, normalize_name

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
DAYS_BACK = 548  # six quarters
EVENTS_PER_QUARTER = (4, 8)
LOCAL_STIPEND = Decimal("50.00")
STATE_STIPEND = Decimal("100.00")  # a day's travel to Madison
LINK_WINDOW_DAYS = (3, 56)  # a referral "heard about us" 3 to 56 days after an event
BATCH_SIZE = 1000
SLUGS = ("door", "rock", "jefferson")


@dataclass(frozen=True)
class CouncilDemo:
    """What differs between the counties' councils."""

    place: str
    parents: tuple[str, ...]
    partners: tuple[tuple[str, str], ...]  # (name, organisation)
    organisations: tuple[tuple[str, str], ...]  # (audience type, organisation) for outreach


COUNCIL_DEMOS: dict[str, CouncilDemo] = {
    "door": CouncilDemo(
        place="Door County Government Center, Sturgeon Bay",
        parents=(
            "Ashley Wautier",
            "Brandon Olson",
            "Crystal Lindahl",
            "Dakota Kakkak",
            "Heather Schmidt",
            "Jessica Delfosse",
            "Samantha Anderson",
        ),
        partners=(
            ("Karen Hanson", "Door County DHHS – Child Protective Services"),
            ("Judge Paul Weber", "Door County Circuit Court"),
            ("Kari Jeanquart", "Sturgeon Bay School District"),
            ("Jill Wautier", "Door County Public Health"),
            ("Amy Kohlbeck", "United Way of Door County"),
            ("Rev. Anne Lindquist", "Door County Interfaith Network"),
        ),
        organisations=(
            (AudienceType.AGENCY, "Door County DHHS"),
            (AudienceType.COURT, "Door County Circuit Court"),
            (AudienceType.SCHOOL, "Sturgeon Bay School District"),
            (AudienceType.SCHOOL, "Southern Door School District"),
            (AudienceType.COMMUNITY, "Sister Bay Library"),
            (AudienceType.COMMUNITY, "Door County Recovery Coalition"),
            (AudienceType.OTHER, "Door County Fair"),
        ),
    ),
    "rock": CouncilDemo(
        place="Rock County Human Services, Janesville",
        parents=(
            "Jasmine Washington",
            "DeShawn Harris",
            "María Torres",
            "Tiara Robinson",
            "Amanda Nelson",
            "Mai Vang",
            "Destiny Coleman",
        ),
        partners=(
            ("Gregory Simmons", "Rock County Circuit Court"),
            ("Erin Paulson", "School District of Beloit"),
            ("Danielle Ortiz", "School District of Janesville"),
            ("Brenda Hough", "Rock County Public Health"),
            ("Carlos Rivera", "Rock County Human Services – CPS"),
            ("Pastor James Booker", "Beloit Community Churches"),
        ),
        organisations=(
            (AudienceType.AGENCY, "Rock County Human Services"),
            (AudienceType.COURT, "Rock County Circuit Court"),
            (AudienceType.SCHOOL, "School District of Beloit"),
            (AudienceType.SCHOOL, "School District of Janesville"),
            (AudienceType.COMMUNITY, "Merrill Community Center, Beloit"),
            (AudienceType.COMMUNITY, "Janesville Public Library"),
            (AudienceType.OTHER, "WCLO radio"),
        ),
    ),
    "jefferson": CouncilDemo(
        place="Jefferson County Workforce Development Center, Jefferson",
        parents=(
            "Brittany Krueger",
            "Rosa Hernández",
            "Kayla Zimmerman",
            "Tou Xiong",
            "Megan Kowalski",
            "Alejandra Flores",
            "Courtney Becker",
        ),
        partners=(
            ("Brian Hartwig", "Jefferson County Circuit Court"),
            ("Melissa Krause", "School District of Fort Atkinson"),
            ("Chue Lee", "Watertown Unified School District"),
            ("Yolanda Reyes", "Jefferson County Health Department"),
            ("Tom Behrens", "Jefferson County Human Services – CPS"),
            ("Lisa Vogel", "Fort Atkinson Family Resource Center"),
        ),
        organisations=(
            (AudienceType.AGENCY, "Jefferson County Human Services"),
            (AudienceType.COURT, "Jefferson County Circuit Court"),
            (AudienceType.SCHOOL, "School District of Fort Atkinson"),
            (AudienceType.SCHOOL, "Watertown Unified School District"),
            (AudienceType.COMMUNITY, "Dwight Foster Public Library"),
            (AudienceType.COMMUNITY, "Watertown Latino Community Partnership"),
            (AudienceType.OTHER, "Jefferson County Fair"),
        ),
    ),
}

STATE_PARENTS = ("Latoya Pryor", "Juan Gómez", "Autumn Greendeer")
STATE_PARTNERS = (
    ("Dana Whitewing", "Ho-Chunk Nation Social Services"),
    ("Patricia Nowak", "Wisconsin Court Improvement Program"),
    ("Robert Hall", "Wisconsin Foster and Adoptive Parent Association"),
    ("Ellen Schroeder", "DCF Division of Safety and Permanence"),
)
STATE_PLACE = "DCF, 201 W. Washington Ave., Madison"

TOPICS = (
    "how families hear about the program",
    "the new-worker training on engaging parents",
    "visits on evenings and weekends",
    "court hearings through a parent's eyes",
    "housing help for families working toward reunification",
    "the parent survey results",
    "outreach to schools this season",
    "support for fathers",
    "how we welcome new council members",
    "the program's quarterly numbers",
)

LOCAL_RECOMMENDATIONS = (
    (
        "Offer family visits in the evening and on weekends",
        RecommendationArea.PRACTICE,
        "CPS supervisor",
    ),
    (
        "Give parents a plain-language guide to court at the first hearing",
        RecommendationArea.PRACTICE,
        "Circuit court and CPS",
    ),
    (
        "Invite a Parent Partner to the first team meeting after a removal",
        RecommendationArea.PRACTICE,
        "CPS supervisor",
    ),
    (
        "Pay council parents for trainings they give, not only for meetings",
        RecommendationArea.POLICY,
        "Human services director",
    ),
    (
        "Translate the case-plan summary into Spanish and Hmong",
        RecommendationArea.POLICY,
        "Human services director",
    ),
    (
        "Hold a resource night with housing and food partners",
        RecommendationArea.PROGRAMMING,
        "Program Coordinator",
    ),
    (
        "Start a monthly support group for fathers",
        RecommendationArea.PROGRAMMING,
        "Parent Partner Coordinator",
    ),
    (
        "Add parents with lived experience to new-worker training",
        RecommendationArea.PROGRAMMING,
        "CPS training coordinator",
    ),
)
STATE_RECOMMENDATIONS = (
    (
        "Fund Parents Supporting Parents in every county that asks",
        RecommendationArea.POLICY,
        "DCF Division of Safety and Permanence",
    ),
    (
        "Set one statewide stipend rate for parent advisors",
        RecommendationArea.POLICY,
        "DCF budget office",
    ),
    (
        "Ask every parent for feedback when their case closes",
        RecommendationArea.PRACTICE,
        "DCF policy team",
    ),
    (
        "Put lived-experience voices in the federal improvement plan",
        RecommendationArea.POLICY,
        "DCF Division of Safety and Permanence",
    ),
)
DECISION_NOTES: dict[str, str] = {
    RecommendationStatus.UNDER_REVIEW: "Sent to the management team for review.",
    RecommendationStatus.ADOPTED: "Adopted by the management team; starts next quarter.",
    RecommendationStatus.DECLINED: "Not possible this budget year; the council may raise it "
    "again in the spring.",
}

EVENT_TITLES: dict[str, tuple[str, ...]] = {
    AudienceType.AGENCY: (
        "Talk to new CPS workers",
        "Presentation at the human services staff meeting",
        "Training for ongoing case managers",
    ),
    AudienceType.COURT: (
        "Family court stakeholders' meeting",
        "Briefing for guardians ad litem",
        "Presentation to the juvenile court team",
    ),
    AudienceType.SCHOOL: (
        "School counselors' meeting",
        "Back-to-school resource fair",
        "Presentation to school social workers",
    ),
    AudienceType.COMMUNITY: (
        "Presentation to a community group",
        "Family resource night",
        "Parent Partners: a talk for volunteers",
    ),
}


def _event_title(rng: random.Random, audience: str, organisation: str) -> str:
    if audience == AudienceType.OTHER:  # the fair or the radio station
        return "Local radio interview" if "radio" in organisation else "Booth at the county fair"
    return rng.choice(EVENT_TITLES[audience])


def _at(day: datetime.date, hour: int = 18) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=CHICAGO)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> datetime.date:
    first = datetime.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + datetime.timedelta(days=offset + 7 * (nth - 1))


def _months(start: datetime.date, end: datetime.date) -> list[tuple[int, int]]:
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _user(context: DemoContext, username: str) -> User | None:
    user = context.users.get(username)
    if user is None:
        user = User.objects.filter(username=username).first()
        if user is not None:
            context.users[username] = user
    return user


def _agenda(topic: str) -> str:
    return (
        "<ul><li>Welcome and introductions</li><li>Program update from the coordinator</li>"
        f"<li>Discussion: {topic}</li><li>Follow-up on our recommendations</li>"
        "<li>Next steps and date of the next meeting</li></ul>"
    )


def _minutes(topic: str, present: int, rng: random.Random) -> str:
    follow = rng.choice(
        (
            "The coordinator will bring the council's questions to the management team.",
            "Two parents offered to share their stories at the next training.",
            "Members agreed to collect ideas from families before the next meeting.",
        )
    )
    return (
        f"<p>{present} members were present. The chair opened the meeting and welcomed "
        "everyone.</p><h3>Program update</h3><p>The coordinator shared referrals and "
        f"outreach since the last meeting.</p><h3>Discussion</h3><p>The council talked "
        f"about {topic}. Parents described what helped them and what got in the way.</p>"
        f"<ul><li>{follow}</li><li>Stipend forms are with the coordinator.</li></ul>"
    )


class _CouncilSeeder:
    """One council's members, meetings, attendance, recommendations and stipends."""

    def __init__(self, context: DemoContext, council: Council, today: datetime.date) -> None:
        self.rng = context.rng
        self.council = council
        self.today = today
        self.members: list[CouncilMember] = []

    # Members ---------------------------------------------------------------------------------

    def member(
        self,
        name: str,
        *,
        organisation: str = "",
        role: str = CouncilRole.MEMBER,
        lived_experience: bool = False,
        user: User | None = None,
    ) -> None:
        rng = self.rng
        term_start = self.today - datetime.timedelta(days=rng.randint(300, 1000))
        words = normalize_name(name).split()
        slug = ".".join("".join(c for c in word if c.isascii() and c.isalpha()) for word in words)
        self.members.append(
            CouncilMember(
                council=self.council,
                user=user,
                name=user.get_full_name() if user is not None else name,
                organisation=organisation,
                council_role=role,
                lived_experience=lived_experience,
                race_ethnicity=voluntary_race(user.get_full_name() if user is not None else name),
                email=user.email if user is not None else f"{slug}@example.org",
                phone=f"608-555-01{rng.randint(0, 99):02d}" if rng.random() < 0.7 else "",
                term_start=term_start,
                term_end=term_start + datetime.timedelta(days=3 * 365),
                is_active=True,
            )
        )

    def retire_one(self) -> None:
        """One parent left the council a few months ago (attendance before that remains)."""
        parents = [member for member in self.members if member.lived_experience]
        if len(parents) > 2:
            leaver = parents[-1]
            leaver.term_end = self.today - datetime.timedelta(days=self.rng.randint(60, 200))
            leaver.is_active = False

    def save_members(self) -> None:
        CouncilMember.objects.bulk_create(self.members)

    # Meetings --------------------------------------------------------------------------------

    def meetings(self, days: list[datetime.date], place: str, *, video: bool) -> list[Meeting]:
        rng = self.rng
        meetings = []
        for day in days:
            topic = rng.choice(TOPICS)
            online = video and rng.random() < 0.35
            meeting = Meeting(
                council=self.council,
                held_on=day,
                starts_at=datetime.time(17, 30) if not self.council.is_state else None,
                location=place,
                video_link="https://meet.example.org/psp-council" if online else "",
                agenda=sanitize_rich_text(_agenda(topic)),
            )
            meeting.topic = topic  # type: ignore[attr-defined]
            meetings.append(meeting)
        Meeting.objects.bulk_create(meetings)
        return meetings

    def attendance(self, meetings: list[Meeting], amount: Decimal) -> None:
        rng = self.rng
        rows: list[Attendance] = []
        stipends: list[Stipend] = []
        for meeting in meetings:
            if meeting.held_on >= self.today:
                continue
            present = 0
            for member in self.members:
                if member.term_start > meeting.held_on:
                    continue
                if member.term_end is not None and member.term_end < meeting.held_on:
                    continue
                draw = rng.random()
                status = (
                    AttendanceStatus.PRESENT
                    if draw < 0.8
                    else AttendanceStatus.EXCUSED
                    if draw < 0.92
                    else AttendanceStatus.ABSENT
                )
                rows.append(Attendance(meeting=meeting, member=member, status=status))
                if status != AttendanceStatus.PRESENT:
                    continue
                present += 1
                if member.lived_experience:
                    stipends.append(self.stipend(member, meeting, amount))
            meeting.minutes = sanitize_rich_text(
                _minutes(meeting.topic, present, rng)  # type: ignore[attr-defined]
            )
        Attendance.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        Stipend.objects.bulk_create(stipends, batch_size=BATCH_SIZE)
        Meeting.objects.bulk_update(
            [meeting for meeting in meetings if meeting.minutes], ["minutes"]
        )

    def stipend(self, member: CouncilMember, meeting: Meeting, amount: Decimal) -> Stipend:
        paid_on = meeting.held_on + datetime.timedelta(days=self.rng.randint(7, 21))
        paid = paid_on <= self.today and self.rng.random() < 0.95
        return Stipend(
            member=member,
            meeting=meeting,
            awarded_on=meeting.held_on,
            amount=amount,
            status=StipendStatus.PAID if paid else StipendStatus.PENDING,
            paid_on=paid_on if paid else None,
        )

    # Recommendations -------------------------------------------------------------------------

    def recommendations(
        self,
        meetings: list[Meeting],
        pool: tuple[tuple[str, str, str], ...],
        actor: User | None,
    ) -> None:
        rng = self.rng
        past = [meeting for meeting in meetings if meeting.held_on < self.today]
        parents = [member for member in self.members if member.lived_experience]
        if not past:
            return
        count = rng.randint(2, min(4, len(pool)))
        chosen = sorted(rng.sample(past, min(count, len(past))), key=lambda m: m.held_on)
        ideas = rng.sample(pool, len(chosen))
        records: list[Recommendation] = []
        steps: list[list[RecommendationStatusChange]] = []
        for index, (meeting, (title, area, owner)) in enumerate(zip(chosen, ideas, strict=True)):
            recommendation = Recommendation(
                council=self.council,
                meeting=meeting,
                raised_by=rng.choice(parents) if parents else None,
                title=title,
                area=area,
                owner=owner,
                proposed_on=meeting.held_on,
            )
            history = self.history(recommendation, actor, first=index == 0)
            recommendation.status = history[-1].to_status
            recommendation.status_changed_at = history[-1].at
            if recommendation.status in {
                RecommendationStatus.ADOPTED,
                RecommendationStatus.DECLINED,
            }:
                recommendation.decided_on = timezone.localtime(history[-1].at).date()
            records.append(recommendation)
            steps.append(history)
        Recommendation.objects.bulk_create(records)
        for recommendation, history in zip(records, steps, strict=True):
            for step in history:
                step.recommendation = recommendation
        RecommendationStatusChange.objects.bulk_create([s for h in steps for s in h])

    def history(
        self, recommendation: Recommendation, actor: User | None, *, first: bool
    ) -> list[RecommendationStatusChange]:
        """Proposed at the meeting, then reviewed and decided as the weeks go by. The
        council's oldest recommendation is always adopted, so every council shows one."""
        rng = self.rng
        proposed = recommendation.proposed_on
        steps = [
            RecommendationStatusChange(
                from_status="",
                to_status=RecommendationStatus.PROPOSED,
                at=_at(proposed),
                actor=actor,
            )
        ]
        reviewed = proposed + datetime.timedelta(days=rng.randint(10, 40))
        if reviewed >= self.today or (not first and rng.random() < 0.15):
            return steps
        steps.append(self.step(steps[-1], RecommendationStatus.UNDER_REVIEW, reviewed, actor))
        decided = reviewed + datetime.timedelta(days=rng.randint(20, 90))
        if decided >= self.today or (not first and rng.random() < 0.25):
            return steps
        outcome = (
            RecommendationStatus.ADOPTED
            if first or rng.random() < 0.75
            else RecommendationStatus.DECLINED
        )
        steps.append(self.step(steps[-1], outcome, decided, actor))
        return steps

    @staticmethod
    def step(
        previous: RecommendationStatusChange, to_status: str, day: datetime.date, actor: User | None
    ) -> RecommendationStatusChange:
        return RecommendationStatusChange(
            from_status=previous.to_status,
            to_status=to_status,
            at=_at(day, 10),
            actor=actor,
            note=DECISION_NOTES[to_status],
        )


# --- Local councils --------------------------------------------------------------------------


def _local_meeting_days(start: datetime.date, today: datetime.date) -> list[datetime.date]:
    """The second Tuesday of each month, from six quarters ago to the next one ahead."""
    days = []
    for year, month in _months(start, today + datetime.timedelta(days=40)):
        day = _nth_weekday(year, month, 1, 2)
        if start <= day:
            days.append(day)
    upcoming = [day for day in days if day >= today]
    return [day for day in days if day < today] + upcoming[:1]


def _state_meeting_days(start: datetime.date, today: datetime.date) -> list[datetime.date]:
    """The third Thursday of each quarter's middle month, and the next one ahead."""
    days = []
    for year, month in _months(start, today + datetime.timedelta(days=100)):
        if month % 3 == 2:
            day = _nth_weekday(year, month, 3, 3)
            if start <= day:
                days.append(day)
    upcoming = [day for day in days if day >= today]
    return [day for day in days if day < today] + upcoming[:1]


def _seed_local(context: DemoContext, program: Program, today: datetime.date) -> Council:
    rng = context.rng
    demo = COUNCIL_DEMOS.get(program.slug) or COUNCIL_DEMOS["door"]
    council = Council.objects.create(
        program=program,
        kind=CouncilKind.LOCAL,
        name=f"{program.county} County Local Advisory Council",
    )
    seeder = _CouncilSeeder(context, council, today)
    coordinator = _user(context, f"{program.slug}-coordinator")
    pp_coordinator = _user(context, f"{program.slug}-pp-coordinator")
    for user in (coordinator, pp_coordinator):
        if user is not None:
            seeder.member(
                user.get_full_name(),
                organisation=program.partner_agency
                if user is pp_coordinator and program.partner_agency
                else program.lead_agency,
                role=CouncilRole.STAFF,
                user=user,
            )
    size = rng.randint(8, 12)
    parents = rng.sample(demo.parents, min(len(demo.parents), round(size / 2)))
    for index, name in enumerate(parents):
        role = CouncilRole.CHAIR if index == 0 else CouncilRole.MEMBER
        if index == 1:
            role = CouncilRole.VICE_CHAIR
        seeder.member(name, role=role, lived_experience=True)
    others = size - len(seeder.members)
    for name, organisation in rng.sample(demo.partners, min(len(demo.partners), others)):
        seeder.member(name, organisation=organisation)
    seeder.retire_one()
    seeder.save_members()
    start = today - datetime.timedelta(days=DAYS_BACK)
    meetings = seeder.meetings(_local_meeting_days(start, today), demo.place, video=True)
    seeder.attendance(meetings, LOCAL_STIPEND)
    seeder.recommendations(meetings, LOCAL_RECOMMENDATIONS, coordinator)
    return council


def _seed_state(context: DemoContext, today: datetime.date) -> Council:
    rng = context.rng
    council = Council.objects.create(kind=CouncilKind.STATE, name="State Advisory Council")
    seeder = _CouncilSeeder(context, council, today)
    state_user = _user(context, "dcf-state")
    if state_user is not None:
        seeder.member(
            state_user.get_full_name(),
            organisation="Wisconsin Department of Children and Families",
            role=CouncilRole.STAFF,
            user=state_user,
        )
    for index, name in enumerate(STATE_PARENTS):
        seeder.member(
            name,
            organisation="Parent with lived experience",
            role=CouncilRole.CHAIR if index == 0 else CouncilRole.MEMBER,
            lived_experience=True,
        )
    for slug in SLUGS:
        program = context.programs.get(slug)
        coordinator = _user(context, f"{slug}-coordinator")
        if program is not None and coordinator is not None:
            seeder.member(coordinator.get_full_name(), organisation=program.name, user=coordinator)
        demo = COUNCIL_DEMOS.get(slug)
        if demo is not None:  # one more parent from each county's own council pool
            seeder.member(
                rng.choice(demo.parents),
                organisation=f"{slug.title()} County",
                lived_experience=True,
            )
    for name, organisation in STATE_PARTNERS:
        seeder.member(name, organisation=organisation)
    seeder.save_members()
    start = today - datetime.timedelta(days=DAYS_BACK)
    meetings = seeder.meetings(_state_meeting_days(start, today), STATE_PLACE, video=True)
    seeder.attendance(meetings, STATE_STIPEND)
    seeder.recommendations(meetings, STATE_RECOMMENDATIONS, state_user)
    return council


# --- Outreach --------------------------------------------------------------------------------


def _seed_outreach(
    context: DemoContext, program: Program, today: datetime.date
) -> list[OutreachEvent]:
    rng = context.rng
    demo = COUNCIL_DEMOS.get(program.slug) or COUNCIL_DEMOS["door"]
    presenters = [
        user.get_full_name()
        for user in (
            _user(context, f"{program.slug}-coordinator"),
            _user(context, f"{program.slug}-pp-coordinator"),
            _user(context, f"{program.slug}-parent-partner"),
        )
        if user is not None
    ] or ["Program staff"]
    events = []
    for quarter in range(6):
        quarter_end = today - datetime.timedelta(days=quarter * 91 + 1)
        count = rng.randint(*EVENTS_PER_QUARTER) * context.scale
        for _ in range(count):
            day = quarter_end - datetime.timedelta(days=rng.randint(0, 90))
            audience, organisation = rng.choice(demo.organisations)
            events.append(
                OutreachEvent(
                    program=program,
                    held_on=day,
                    title=_event_title(rng, audience, organisation),
                    audience_type=audience,
                    organisation=organisation,
                    attendance=rng.randint(6, 80),
                    presenters=", ".join(rng.sample(presenters, rng.randint(1, len(presenters)))),
                )
            )
    bulk_insert(events)
    return events


def _link_referrals(context: DemoContext, program: Program, events: list[OutreachEvent]) -> int:
    """Some referrals a coordinator entered for an outside referrer came after an event:
    link them to it (``ReferralSource``), written with ``bulk_insert``."""
    rng = context.rng
    dated = sorted((event.held_on, event.pk) for event in events)
    days = [day for day, _pk in dated]
    by_event: dict[int, list[int]] = defaultdict(list)
    referrals = (
        Referral.objects.filter(program=program, referred_by__isnull=True, source__isnull=True)
        .order_by("received_on", "id")
        .values_list("pk", "received_on")
    )
    for pk, received_on in referrals:
        if rng.random() >= 0.6:
            continue
        low = bisect.bisect_left(days, received_on - datetime.timedelta(days=LINK_WINDOW_DAYS[1]))
        high = bisect.bisect_right(days, received_on - datetime.timedelta(days=LINK_WINDOW_DAYS[0]))
        if low < high:
            by_event[dated[rng.randrange(low, high)][1]].append(pk)
    bulk_insert(
        [
            ReferralSource(referral_id=pk, event_id=event_id)
            for event_id, ids in by_event.items()
            for pk in ids
        ]
    )
    return sum(len(ids) for ids in by_event.values())


def seed(context: DemoContext) -> None:
    """Add councils and outreach where they are missing (see the module docstring)."""
    today = min(context.today, timezone.localdate())
    for slug in SLUGS:
        program = context.programs.get(slug) or Program.objects.filter(slug=slug).first()
        if program is None:
            continue
        context.programs.setdefault(slug, program)
        if not Council.objects.filter(program=program, kind=CouncilKind.LOCAL).exists():
            council = _seed_local(context, program, today)
            context.log.append(f"council {council.name}")
        if not OutreachEvent.objects.filter(program=program).exists():
            events = _seed_outreach(context, program, today)
            linked = _link_referrals(context, program, events)
            context.log.append(f"{len(events)} outreach events, {linked} referrals linked")
    if not Council.objects.filter(kind=CouncilKind.STATE).exists():
        _seed_state(context, today)
        context.log.append("State Advisory Council")
