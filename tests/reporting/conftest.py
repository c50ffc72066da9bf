"""A small hand-made data set around the Q1/Q2 2026 boundary, shared by the metric tests.

The report quarter is 2026 Q2 (1 April to 30 June); 2026 Q1 is the one before it. Every
expected number in the tests is counted by hand from what is built here; the comments next
to each record say which metrics it feeds.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from councils.models import (
    AttendanceStatus,
    Council,
    CouncilKind,
    RecommendationStatus,
    RecommendationStatusChange,
    ReferralSource,
    StipendStatus,
)
from mentoring.models import (
    ActivityType,
    Case,
    CaseStatus,
    ClinicalSupportSession,
    ClosureOutcome,
    ParentPartner,
    Stage,
    StageChange,
    SupervisionSession,
    SurveyInstrument,
    SurveyResponse,
    SurveyTiming,
    TrainingRecord,
    TrainingTopic,
)
from psp.models import Program
from referrals.models import (
    Child,
    DeclineReason,
    DischargeReason,
    Family,
    RaceEthnicity,
    Referral,
    Status,
    Transition,
)
from reporting import filing, services
from reporting.quarters import Quarter
from tests.councils.factories import (
    AttendanceFactory,
    CouncilFactory,
    CouncilMemberFactory,
    MeetingFactory,
    OutreachEventFactory,
    RecommendationFactory,
    StipendFactory,
)
from tests.factories import (
    ChildFactory,
    FamilyFactory,
    ParentFactory,
    ReferralFactory,
    RemovalEpisodeFactory,
)
from tests.mentoring.factories import ActivityFactory, ParentPartnerFactory

Q1 = Quarter(2026, 1)
Q2 = Quarter(2026, 2)
date = datetime.date


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment in the project's time zone (America/Chicago)."""
    return timezone.make_aware(
        datetime.datetime(year, month, day, hour, minute), timezone.get_default_timezone()
    )


@dataclass
class Councils:
    door: Council
    rock: Council
    state: Council


@pytest.fixture
def councils(door: Program, rock: Program) -> Councils:
    return Councils(
        door=CouncilFactory(program=door),
        rock=CouncilFactory(program=rock),
        state=CouncilFactory(program=None, kind=CouncilKind.STATE),
    )


def family(program: Program, *races: str) -> Family:
    """A family whose parents (in id order) have ``races``."""
    new = FamilyFactory(program=program)
    for race in races:
        ParentFactory(family=new, race_ethnicity=race)
    return new


def referral(
    fam: Family, received_on: datetime.date, *steps: tuple[str, datetime.datetime, str], **kw: Any
) -> Referral:
    """A referral received on ``received_on`` with triage ``steps`` (status, when, reason)."""
    new = ReferralFactory(family=fam, received_on=received_on, members=False, **kw)
    Transition.objects.filter(referral=new).update(at=at(*received_on.timetuple()[:3]))
    for to_status, when, reason in steps:
        Transition.objects.create(referral=new, to_status=to_status, at=when, reason=reason)
    return new


def case(ref: Referral, opened_on: datetime.date, closed_on: datetime.date | None = None) -> Case:
    return Case.objects.create(
        referral=ref,
        program=ref.program,
        family=ref.family,
        opened_on=opened_on,
        status=CaseStatus.CLOSED if closed_on else CaseStatus.OPEN,
        closed_on=closed_on,
        closure_outcome=ClosureOutcome.GOALS_MET if closed_on else "",
    )


def contact(
    on_case: Case,
    partner: ParentPartner,
    when: datetime.datetime,
    kind: str = ActivityType.HOME_VISIT,
    minutes: int = 60,
    miles: str = "0",
) -> None:
    ActivityFactory(
        case=on_case,
        parent_partner=partner,
        at=when,
        activity_type=kind,
        duration_minutes=minutes,
        mileage=Decimal(miles),
    )


def entered(partner: ParentPartner, when: datetime.datetime) -> ParentPartner:
    """``partner`` as if entered in the system at ``when`` (``created_at`` is set on insert)."""
    ParentPartner.objects.filter(pk=partner.pk).update(created_at=when)
    return partner


def child(
    fam: Family,
    born: datetime.date,
    removed: datetime.date | None,
    discharged_on: datetime.date | None = None,
    reason: str = "",
    removed_again: datetime.date | None = None,
) -> Child:
    """A child removed on ``removed`` (if given) and discharged on ``discharged_on`` for
    ``reason``; ``removed_again`` opens a second stay."""
    new = ChildFactory(family=fam, birth_date=born, episode=False)
    if removed is not None:
        RemovalEpisodeFactory(
            child=new, removed_on=removed, discharged_on=discharged_on, discharge_reason=reason
        )
    if removed_again is not None:
        RemovalEpisodeFactory(child=new, removed_on=removed_again)
    return new


def build(door: Program, rock: Program, councils: Councils) -> None:
    """The data set. Calling it twice doubles every count (used for the query-count test)."""
    # Active, no history, entered in January: counted by its current stage.
    pp_door = entered(ParentPartnerFactory(program=door, stage=Stage.ACTIVE), at(2026, 1, 5))
    # Inactive now, but active from January until 15 July: active at the end of Q2.
    pp_door_left = ParentPartnerFactory(program=door, stage=Stage.INACTIVE)
    StageChange.objects.create(
        parent_partner=pp_door_left, from_stage=Stage.TRAINING, to_stage=Stage.ACTIVE,
        at=at(2026, 1, 10),
    )  # fmt: skip
    StageChange.objects.create(
        parent_partner=pp_door_left, from_stage=Stage.ACTIVE, to_stage=Stage.INACTIVE,
        at=at(2026, 7, 15),
    )  # fmt: skip
    # Active now, but still in training on 30 June: not active at the end of Q2.
    pp_door_new = ParentPartnerFactory(program=door, stage=Stage.ACTIVE)
    StageChange.objects.create(
        parent_partner=pp_door_new, from_stage=Stage.INQUIRY, to_stage=Stage.TRAINING,
        at=at(2026, 5, 1),
    )  # fmt: skip
    StageChange.objects.create(
        parent_partner=pp_door_new, from_stage=Stage.TRAINING, to_stage=Stage.ACTIVE,
        at=at(2026, 7, 2),
    )  # fmt: skip
    pp_rock = entered(ParentPartnerFactory(program=rock, stage=Stage.ACTIVE), at(2026, 1, 5))

    # --- Door families -------------------------------------------------------------------
    # F1: white first parent (a Hispanic second parent does not count). Referral received in
    # Q1, accepted on 31 March late in the evening (Q1). Contacts: 31 March 23:30 (Q1 only,
    # although it is already 1 April in UTC), then 1 April, 15 April, 10 May.
    f1 = family(door, RaceEthnicity.WHITE, RaceEthnicity.HISPANIC)
    r1 = referral(f1, date(2026, 3, 20), (Status.ACCEPTED, at(2026, 3, 31, 23, 59), ""))
    c1 = case(r1, date(2026, 3, 25))
    contact(c1, pp_door, at(2026, 3, 31, 23, 30), ActivityType.CHECK_IN, 15)
    contact(c1, pp_door, at(2026, 4, 1, 9), ActivityType.HOME_VISIT, 60)
    contact(c1, pp_door, at(2026, 4, 15), ActivityType.CHECK_IN, 30)
    contact(c1, pp_door, at(2026, 5, 10), ActivityType.COURT_HEARING, 120, "20.0")
    # Reunified 15 April after 226 days in care, re-entered 20 May, 35 days later.
    child(
        f1, date(2018, 1, 1), date(2025, 9, 1), discharged_on=date(2026, 4, 15),
        reason=DischargeReason.REUNIFICATION, removed_again=date(2026, 5, 20),
    )  # fmt: skip
    # A 5-day stay in August 2025: excluded from the CFSR indicators.
    child(
        f1, date(2016, 1, 1), date(2025, 8, 1), discharged_on=date(2025, 8, 6),
        reason=DischargeReason.REUNIFICATION,
    )  # fmt: skip

    # F2: Black. Received 1 April, accepted the same morning; first contact 5 April (4 days);
    # a contact at 22:00 on 30 June (last day of Q2); case closed 30 June.
    f2 = family(door, RaceEthnicity.BLACK)
    r2 = referral(f2, date(2026, 4, 1), (Status.ACCEPTED, at(2026, 4, 1, 8), ""))
    c2 = case(r2, date(2026, 4, 2), closed_on=date(2026, 6, 30))
    contact(c2, pp_door, at(2026, 4, 5), ActivityType.TEAM_MEETING, 90)
    contact(c2, pp_door, at(2026, 6, 30, 22), ActivityType.CASE_PLAN_INPUT, 45, "5.5")
    # 18 on entering care (born 1 May 2007, removed 1 October 2025): excluded from CFSR.
    # Guardianship on 30 June after 272 days.
    child(
        f2, date(2007, 5, 1), date(2025, 10, 1), discharged_on=date(2026, 6, 30),
        reason=DischargeReason.GUARDIANSHIP,
    )  # fmt: skip
    # 17 on entering (birthday in December, not reached): included; still in care.
    child(f2, date(2007, 12, 1), date(2025, 10, 1))

    # F3: Hispanic. Received on 30 June; no case, no contact yet.
    f3 = family(door, RaceEthnicity.HISPANIC)
    r3 = referral(f3, date(2026, 6, 30))

    # F4: white. Received 10 April, accepted 10 April, first contact 20 April (10 days).
    f4 = family(door, RaceEthnicity.WHITE)
    r4 = referral(f4, date(2026, 4, 10), (Status.ACCEPTED, at(2026, 4, 10), ""))
    c4 = case(r4, date(2026, 4, 11))
    contact(c4, pp_door, at(2026, 4, 20), ActivityType.HOME_VISIT, 60, "10.0")
    # Home on 1 June 2024, back in care 20 April 2026: 688 days, within 24 months only.
    child(
        f4, date(2015, 1, 1), date(2024, 1, 10), discharged_on=date(2024, 6, 1),
        reason=DischargeReason.REUNIFICATION, removed_again=date(2026, 4, 20),
    )  # fmt: skip
    # Re-entered 1 July 2026: Q3, not Q2.
    child(
        f4, date(2014, 1, 1), date(2025, 3, 1), discharged_on=date(2025, 5, 1),
        reason=DischargeReason.REUNIFICATION, removed_again=date(2026, 7, 1),
    )  # fmt: skip
    # Relative custody on 1 April after 86 days.
    child(
        f4, date(2020, 1, 1), date(2026, 1, 5), discharged_on=date(2026, 4, 1),
        reason=DischargeReason.RELATIVE_CUSTODY,
    )  # fmt: skip

    # Referrals that never became cases (their families are never served).
    event_q1 = OutreachEventFactory(program=door, held_on=date(2026, 3, 31), attendance=30)
    event_apr = OutreachEventFactory(program=door, held_on=date(2026, 4, 1), attendance=18)
    event_jun = OutreachEventFactory(program=door, held_on=date(2026, 6, 30), attendance=None)
    ReferralSource.objects.create(referral=r3, event=event_jun)
    ReferralSource.objects.create(referral=r1, event=event_q1)
    referral(
        family(door, RaceEthnicity.WHITE), date(2026, 4, 3),
        (Status.DECLINED, at(2026, 4, 5), DeclineReason.NO_CONSENT), source_event=event_apr,
    )  # fmt: skip
    # Declined on 30 June with no reason on the step: the referral's own reason is used.
    referral(
        family(door, RaceEthnicity.WHITE), date(2026, 4, 3),
        (Status.DECLINED, at(2026, 6, 30, 23), ""), decline_reason=DeclineReason.UNREACHABLE,
    )  # fmt: skip
    # Received in Q1, declined in Q2.
    referral(
        family(door, RaceEthnicity.WHITE), date(2026, 3, 1),
        (Status.DECLINED, at(2026, 4, 2), DeclineReason.NO_CONSENT),
    )  # fmt: skip
    referral(
        family(door, RaceEthnicity.WHITE), date(2026, 5, 1),
        (Status.WITHDRAWN, at(2026, 5, 5), ""),
    )  # fmt: skip

    # --- Rock families -------------------------------------------------------------------
    # F5: Asian. Received 1 May, accepted 1 May, first contact 3 May (2 days), then 1 June.
    f5 = family(rock, RaceEthnicity.ASIAN)
    r5 = referral(f5, date(2026, 5, 1), (Status.ACCEPTED, at(2026, 5, 1, 12), ""))
    c5 = case(r5, date(2026, 5, 2))
    contact(c5, pp_rock, at(2026, 5, 3))
    contact(c5, pp_rock, at(2026, 6, 1))
    # Reunified 15 May after 165 days.
    child(
        f5, date(2019, 1, 1), date(2025, 12, 1), discharged_on=date(2026, 5, 15),
        reason=DischargeReason.REUNIFICATION,
    )  # fmt: skip
    # F6: white. All in Q1; case closed 31 March, so its child is not among Q2's children.
    f6 = family(rock, RaceEthnicity.WHITE)
    r6 = referral(f6, date(2026, 1, 15), (Status.ACCEPTED, at(2026, 1, 16), ""))
    c6 = case(r6, date(2026, 1, 20), closed_on=date(2026, 3, 31))
    contact(c6, pp_rock, at(2026, 2, 1))
    child(
        f6, date(2019, 1, 1), date(2025, 11, 1), discharged_on=date(2026, 4, 10),
        reason=DischargeReason.REUNIFICATION,
    )  # fmt: skip
    OutreachEventFactory(program=rock, held_on=date(2026, 5, 1), attendance=10)

    # --- Surveys -------------------------------------------------------------------------
    instrument, _ = SurveyInstrument.objects.get_or_create(
        name="Hope and support", defaults={"questions": []}
    )

    def survey(on_case: Case, timing: str, answered_on: datetime.date, score: str) -> None:
        SurveyResponse.objects.create(
            case=on_case, instrument=instrument, timing=timing, answered_on=answered_on,
            score=Decimal(score),
        )  # fmt: skip

    survey(c1, SurveyTiming.INTAKE, date(2026, 3, 26), "2.00")
    survey(c1, SurveyTiming.CLOSURE, date(2026, 4, 30), "4.00")
    survey(c2, SurveyTiming.INTAKE, date(2026, 4, 2), "3.00")
    survey(c2, SurveyTiming.CLOSURE, date(2026, 6, 30), "3.50")
    survey(c4, SurveyTiming.CLOSURE, date(2026, 5, 1), "5.00")  # no intake: left out
    survey(c5, SurveyTiming.INTAKE, date(2026, 5, 2), "1.00")
    survey(c5, SurveyTiming.CLOSURE, date(2026, 7, 1), "2.00")  # Q3

    # --- Workforce -----------------------------------------------------------------------
    for partner, day, hours in [
        (pp_door, date(2026, 4, 1), "3.00"),
        (pp_door_left, date(2026, 6, 30), "1.25"),
        (pp_door, date(2026, 3, 31), "2.00"),  # Q1
        (pp_rock, date(2026, 5, 5), "0.50"),
    ]:
        TrainingRecord.objects.create(
            parent_partner=partner, topic=TrainingTopic.ETHICS, completed_on=day,
            hours=Decimal(hours),
        )  # fmt: skip
    for program, partner, day in [
        (door, pp_door, date(2026, 4, 1)),
        (door, pp_door, date(2026, 6, 30)),
        (door, pp_door, date(2026, 3, 31)),  # Q1
        (rock, pp_rock, date(2026, 4, 15)),
    ]:
        SupervisionSession.objects.create(program=program, parent_partner=partner, held_on=day)
    for program, day in [
        (door, date(2026, 4, 15)),
        (door, date(2026, 4, 28)),
        (door, date(2026, 6, 2)),
        (rock, date(2026, 5, 20)),
    ]:
        ClinicalSupportSession.objects.create(program=program, held_on=day)

    # --- Councils ------------------------------------------------------------------------
    def member(council: Council, lived: bool) -> Any:
        return CouncilMemberFactory(council=council, lived_experience=lived)

    door_a, door_b, door_c = (
        member(councils.door, True),
        member(councils.door, False),
        member(councils.door, True),
    )
    door_april = MeetingFactory(council=councils.door, held_on=date(2026, 4, 1))
    AttendanceFactory(meeting=door_april, member=door_a)
    AttendanceFactory(meeting=door_april, member=door_b)
    AttendanceFactory(meeting=door_april, member=door_c, status=AttendanceStatus.ABSENT)
    door_march = MeetingFactory(council=councils.door, held_on=date(2026, 3, 31))
    AttendanceFactory(meeting=door_march, member=door_a)
    rock_june = MeetingFactory(council=councils.rock, held_on=date(2026, 6, 30))
    AttendanceFactory(meeting=rock_june, member=member(councils.rock, True))
    state_may = MeetingFactory(council=councils.state, held_on=date(2026, 5, 5))
    state_lived = member(councils.state, True)
    AttendanceFactory(meeting=state_may, member=member(councils.state, False))
    AttendanceFactory(meeting=state_may, member=state_lived)

    def stipend(member: Any, awarded_on: datetime.date, amount: str, paid_on: Any) -> None:
        StipendFactory(
            member=member, awarded_on=awarded_on, amount=Decimal(amount), paid_on=paid_on,
            status=StipendStatus.PAID if paid_on else StipendStatus.PENDING,
        )  # fmt: skip

    stipend(door_a, date(2026, 4, 1), "50.00", date(2026, 4, 10))
    stipend(door_a, date(2026, 3, 31), "50.00", date(2026, 3, 31))  # paid in Q1
    stipend(state_lived, date(2026, 5, 5), "75.00", date(2026, 5, 20))

    def adopted(recommendation: Any, when: datetime.datetime) -> None:
        RecommendationStatusChange.objects.create(
            recommendation=recommendation, from_status=RecommendationStatus.UNDER_REVIEW,
            to_status=RecommendationStatus.ADOPTED, at=when,
        )  # fmt: skip

    adopted(RecommendationFactory(council=councils.door, proposed_on=date(2026, 4, 1)),
            at(2026, 6, 15))  # fmt: skip
    adopted(RecommendationFactory(council=councils.door, proposed_on=date(2026, 2, 1)),
            at(2026, 4, 2))  # fmt: skip
    RecommendationFactory(council=councils.state, proposed_on=date(2026, 5, 5))


@pytest.fixture
def data(door: Program, rock: Program, councils: Councils) -> Iterator[Councils]:
    """The data set, on a clock after 2026 Q2 has ended, as it had when it was counted. A
    clock set earlier (``pytest --clock=2026-03-08T02:30``) moves on to the same time of day
    on 1 July 2026, so the quarter can be reported on."""
    now = timezone.localtime()
    if now.date() > Q2.end:
        build(door, rock, councils)
        yield councils
        return
    first_day_after = datetime.datetime.combine(
        Q2.end + datetime.timedelta(days=1), now.time(), tzinfo=now.tzinfo
    )
    with time_machine.travel(first_day_after, tick=True):
        build(door, rock, councils)
        yield councils


@pytest.fixture
def close_everywhere(personas: dict[str, Any], django_capture_on_commit_callbacks: Any) -> Any:
    """Close ``quarter`` (default Q2) for every program that must close it, as an
    administrator on each program's behalf, with the reports it makes made at once; the
    statewide quarter closes with the last one. Returns the programs closed."""

    def close(quarter: Quarter = Q2) -> list[Program]:
        programs = filing.programs_still_open(quarter)
        with django_capture_on_commit_callbacks(execute=True):
            for program in programs:
                services.close_quarter(actor=personas["admin"], program=program, quarter=quarter)
        return programs

    return close
