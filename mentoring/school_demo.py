"""The demo's school-based Parent Peer Support program (``seed_demo``, after the child-welfare
programs): its Parent Peer Specialists, families referred by school staff or by themselves,
children with their school, grade and plan, and a year and a half of contacts (IEP and 504
meetings, school meetings, transitions, mental-health services, basic needs), with the
parents' confidence working with the school at intake and at closing.

About 30 families at ``--scale 1`` (a provider serves about 9 families a month), growing
with the scale up to 300: the bench's volume is the child-welfare programs'.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from mentoring.models import (
    CORE_TOPICS,
    Activity,
    ActivityType,
    Assignment,
    Case,
    CaseStatus,
    ClosureOutcome,
    ContactMode,
    EligibilityBasis,
    Employer,
    ParentPartner,
    Present,
    ReviewStatus,
    Stage,
    StageChange,
    SurveyResponse,
    SurveyTiming,
    TrainingRecord,
)
from mentoring.services import survey_instrument_for
from psp.demo import DemoContext, bulk_insert, voluntary_race
from psp.models import Membership, Program, Role, School, User
from psp.numbers import round_half_up
from referrals import schooling
from referrals.models import (
    Child,
    ConsentMethod,
    EducationPlan,
    Family,
    Language,
    Need,
    Parent,
    RaceEthnicity,
    Referral,
    Status,
    Transition,
    Urgency,
    normalize_name,
)

SLUG = "wausau"
FAMILIES = 30
MOST_FAMILIES = 300

# Parent Peer Specialists: (first, last, languages, communities, with the demo account).
SPECIALISTS = [
    ("Pa", "Yang", ["en", "hmn"], "The Hmong community of Wausau", True),
    ("Maria", "Lopez", ["en", "es"], "Spanish-speaking families", False),
    ("Jennifer", "Krause", ["en"], "", False),
]

# Families: (parent first names, last names, language, race/ethnicity, weight).
BACKGROUNDS = [
    (
        ["Mai", "Kia", "Houa", "Chao", "Tou", "Bao"],
        ["Vang", "Xiong", "Lee", "Her", "Moua", "Thao"],
        Language.HMONG,
        RaceEthnicity.ASIAN,
        30,
    ),
    (
        ["Sarah", "Jessica", "Amanda", "Brian", "Kayla", "Nicole"],
        ["Schultz", "Wagner", "Becker", "Krueger", "Nowak", "Hoffmann"],
        Language.ENGLISH,
        RaceEthnicity.WHITE,
        45,
    ),
    (
        ["Ana", "Lucia", "Jose", "Rosa", "Carmen"],
        ["Hernandez", "Garcia", "Ramirez", "Morales"],
        Language.SPANISH,
        RaceEthnicity.HISPANIC,
        15,
    ),
    (
        ["Tasha", "Monique", "Darnell"],
        ["Johnson", "Williams", "Brown"],
        Language.ENGLISH,
        RaceEthnicity.BLACK,
        10,
    ),
]
CHILD_NAMES = ["Noah", "Emma", "Liam", "Ava", "Kou", "Nou", "Mateo", "Sofia", "Jaylen", "Maya"]

CONTACTS = [
    (ActivityType.CHECK_IN, 30),
    (ActivityType.HOME_VISIT, 12),
    (ActivityType.IEP_MEETING, 14),
    (ActivityType.PLAN_504_MEETING, 6),
    (ActivityType.SCHOOL_MEETING, 12),
    (ActivityType.TRANSITION_PLANNING, 4),
    (ActivityType.MENTAL_HEALTH_LINK, 10),
    (ActivityType.BASIC_NEEDS, 8),
    (ActivityType.OTHER, 4),
]
MEETINGS = {
    ActivityType.IEP_MEETING,
    ActivityType.PLAN_504_MEETING,
    ActivityType.SCHOOL_MEETING,
    ActivityType.TRANSITION_PLANNING,
}
NOTES = {
    ActivityType.CHECK_IN: "Checked in by phone; the week at school went better.",
    ActivityType.HOME_VISIT: "Went over the questions the parent wants to ask the school.",
    ActivityType.IEP_MEETING: "Went with the parent to the IEP meeting; the team added support.",
    ActivityType.PLAN_504_MEETING: "504 meeting: the parent asked for extra time on tests.",
    ActivityType.SCHOOL_MEETING: "Met the teacher with the parent about homework.",
    ActivityType.TRANSITION_PLANNING: "Visited the next school with the parent.",
    ActivityType.MENTAL_HEALTH_LINK: "Helped the parent call the clinic for an assessment.",
    ActivityType.BASIC_NEEDS: "Connected the family to the food pantry and energy assistance.",
    ActivityType.OTHER: "Helped the parent fill in a form from the district.",
}
REASONS = [
    "The child is struggling with behaviour in class and the parent feels alone with it.",
    "The parent asked for help getting ready for the first IEP meeting.",
    "Frequent absences; the family needs help with basic needs and with the school.",
    "The child starts middle school next year and has an IEP.",
]


T = TypeVar("T")


def _weighted(rng: random.Random, pairs: list[tuple[T, int]]) -> T:
    return rng.choices([value for value, _weight in pairs], [w for _v, w in pairs])[0]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _score(answers: dict[str, int]) -> Decimal:
    return round_half_up(Fraction(sum(answers.values()), len(answers)), 2)


def seed(context: DemoContext, today: datetime.date) -> None:
    program = context.programs.get(SLUG) or Program.objects.filter(slug=SLUG).first()
    if program is None or ParentPartner.objects.filter(program=program).exists():
        return
    _Seeder(context, program, today).run(min(FAMILIES * context.scale, MOST_FAMILIES))


class _Seeder:
    def __init__(self, context: DemoContext, program: Program, today: datetime.date) -> None:
        self.rng = context.rng
        self.program = program
        self.today = today
        self.users = {
            role: User.objects.filter(username=f"{SLUG}-{slug}").first()
            for role, slug in (
                (Role.PROGRAM_COORDINATOR, "coordinator"),
                (Role.PARENT_PARTNER_COORDINATOR, "pp-coordinator"),
                (Role.PARENT_PARTNER, "parent-partner"),
                (Role.SCHOOL_STAFF, "school-staff"),
            )
        }
        self.schools = list(School.objects.filter(district__program=program).order_by("pk"))
        staff = Membership.objects.filter(
            program=program, role=Role.SCHOOL_STAFF, school__isnull=False
        ).first()
        self.staff_school = staff.school if staff is not None else None
        self.instrument = survey_instrument_for(program)
        self.partners: list[ParentPartner] = []
        self.contacts: list[Activity] = []
        self.open_cases: dict[int, int] = {}
        self.log = context.log

    def run(self, families: int) -> None:
        started = self.today - datetime.timedelta(days=3 * 365)
        for first, last, languages, communities, has_account in SPECIALISTS:
            partner = self.partner(first, last, Stage.ACTIVE, started, languages)
            partner.cultural_communities = communities
            partner.user = self.users[Role.PARENT_PARTNER] if has_account else self.account(partner)
            partner.save(update_fields=["cultural_communities", "user"])
            for index, topic in enumerate(CORE_TOPICS):
                TrainingRecord.objects.create(
                    parent_partner=partner,
                    topic=topic,
                    title=f"{topic.label} (Wisconsin Family Ties)",
                    completed_on=started + datetime.timedelta(days=14 + 3 * index),
                    hours=Decimal(3),
                    provider="Wisconsin Family Ties",
                )
            self.partners.append(partner)
        # Someone who asked last week to become a Parent Peer Specialist.
        self.partner(
            "Samantha", "Olson", Stage.INQUIRY, self.today - datetime.timedelta(days=6), ["en"]
        )
        for number in range(1, families + 1):
            self.family(number)
        bulk_insert(self.contacts)
        self.log.append(f"{families} families for {self.program.name}")

    def partner(
        self, first: str, last: str, stage: str, since: datetime.date, languages: list[str]
    ) -> ParentPartner:
        """A Parent Peer Specialist and the stages they went through to ``stage``."""
        partner = ParentPartner.objects.create(
            program=self.program,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{last.lower()}@example.org",
            employer=Employer.PARTNER,
            eligibility_basis=EligibilityBasis.CAREGIVER,
            eligibility_date=since - datetime.timedelta(days=3 * 365),
            languages=languages,
            race_ethnicity=voluntary_race(f"{first} {last}"),
            trained_by="Wisconsin Family Ties" if stage == Stage.ACTIVE else "",
            capacity=15,
            stage=stage,
            stage_changed_at=_at(since),
        )
        steps = [Stage.INQUIRY, Stage.SCREENING, Stage.TRAINING, Stage.ACTIVE]
        previous = ""
        for index, step in enumerate(steps[: steps.index(Stage(stage)) + 1]):
            StageChange.objects.create(
                parent_partner=partner,
                from_stage=previous,
                to_stage=step,
                actor=None if step == Stage.INQUIRY else self.users[Role.PROGRAM_COORDINATOR],
                at=_at(
                    since - datetime.timedelta(days=30 * (3 - index))
                    if stage == Stage.ACTIVE
                    else since
                ),
            )
            previous = step
        return partner

    def account(self, partner: ParentPartner) -> User:
        """A sign-in account for a Parent Peer Specialist who is not a demo persona."""
        username = f"{SLUG}-partner-{partner.first_name}-{partner.last_name}".lower()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(
                username=username,
                email=partner.email,
                first_name=partner.first_name,
                last_name=partner.last_name,
                password=make_password(None),  # no usable password: not a demo persona
            )
        Membership.objects.get_or_create(user=user, program=self.program, role=Role.PARENT_PARTNER)
        return user

    def family(self, number: int) -> None:
        rng = self.rng
        received_on = self.today - datetime.timedelta(days=rng.randint(3, 540))
        firsts, lasts, language, race, _weight = _weighted(
            rng, [(background, background[4]) for background in BACKGROUNDS]
        )
        family = Family.objects.create(program=self.program)
        last_name = rng.choice(lasts)
        first_name = rng.choice(firsts)
        Parent.objects.create(
            family=family,
            first_name=first_name,
            last_name=last_name,
            birth_date=received_on - datetime.timedelta(days=rng.randint(26 * 365, 48 * 365)),
            phone=f"715-555-01{rng.randint(0, 99):02d}",
            preferred_language=language,
            interpreter_needed=language == Language.HMONG and rng.random() < 0.4,
            race_ethnicity=race if rng.random() < 0.92 else "",
            consent_to_contact=True,
            consent_date=received_on,
            consent_method=ConsentMethod.VERBAL,
            name_key=normalize_name(first_name, last_name),
        )
        staff = self.users[Role.SCHOOL_STAFF]
        # School staff refer children of their own school (an elementary school here).
        from_school = self.staff_school is not None and rng.random() < 0.6
        for index in range(_weighted(rng, [(1, 70), (2, 30)])):
            if from_school and index == 0:
                grade = rng.randint(schooling.FOUR_K, 5)
                school = self.staff_school
            else:
                grade = rng.randint(schooling.FOUR_K, schooling.LAST_GRADE)
                school = self.school_for(grade)
            age = grade + 6 + (1 if rng.random() < 0.3 else 0)
            Child.objects.create(
                family=family,
                first_name=rng.choice(CHILD_NAMES),
                last_name=last_name,
                birth_date=received_on - datetime.timedelta(days=age * 365 + rng.randint(0, 364)),
                school=school,
                grade=grade,
                grade_school_year=schooling.school_year(received_on),
                education_plan=_weighted(
                    rng,
                    [
                        (EducationPlan.IEP, 45),
                        (EducationPlan.PLAN_504, 20),
                        (EducationPlan.EVALUATION, 10),
                        (EducationPlan.NONE, 25),
                    ],
                ),
                mental_health_needs=rng.random() < 0.6,
                behaviour_needs=rng.random() < 0.4,
            )
        referral = Referral.objects.create(
            program=self.program,
            family=family,
            number=f"{SLUG.upper()}-{received_on.year}-{number:04d}",
            received_on=received_on,
            referred_by=staff if from_school else None,
            entered_by=staff if from_school else self.users[Role.PROGRAM_COORDINATOR],
            referrer_name=(
                staff.get_full_name() if staff and from_school else f"{first_name} {last_name}"
            ),
            referrer_agency=str(self.staff_school) if from_school else "Self-referral",
            referrer_email=staff.email if staff and from_school else "",
            urgency=Urgency.ROUTINE,
            needs=[Need.EDUCATION, Need.MENTAL_HEALTH] if rng.random() < 0.6 else [Need.FOOD],
            reason=rng.choice(REASONS),
            status=Status.RECEIVED,
        )
        # Entered when it came in, as its family was.
        entered = _at(received_on, 9)
        Referral.objects.filter(pk=referral.pk).update(created_at=entered)
        Family.objects.filter(pk=family.pk).update(created_at=entered)
        self.triage(referral, received_on)

    def school_for(self, grade: int) -> School | None:
        """One of the program's schools that teaches ``grade`` (by its name's level)."""
        level = "Elementary" if grade <= 5 else "Middle" if grade <= 8 else "High"
        fitting = [school for school in self.schools if level in school.name]
        return self.rng.choice(fitting or self.schools) if self.schools else None

    def triage(self, referral: Referral, received_on: datetime.date) -> None:
        rng = self.rng
        coordinator = self.users[Role.PROGRAM_COORDINATOR]
        steps = [(Status.RECEIVED, received_on)]
        if (self.today - received_on).days > 2:
            steps.append((Status.SCREENING, received_on + datetime.timedelta(days=1)))
            if (self.today - received_on).days > 7:
                decided = received_on + datetime.timedelta(days=rng.randint(3, 6))
                if rng.random() < 0.9:
                    steps += [(Status.ACCEPTED, decided), (Status.ASSIGNED, decided)]
                else:
                    steps.append((Status.WITHDRAWN, decided))
        before = ""
        for status, day in steps:
            Transition.objects.create(
                referral=referral,
                from_status=before,
                to_status=status,
                actor=referral.referred_by if status == Status.RECEIVED else coordinator,
                at=_at(day, 9 if status == Status.RECEIVED else 14),
            )
            before = status
        referral.status = before
        referral.status_changed_at = _at(steps[-1][1], 14)
        referral.save(update_fields=["status", "status_changed_at"])
        if before == Status.ASSIGNED:
            self.case(referral, steps[-1][1])

    def case(self, referral: Referral, opened_on: datetime.date) -> None:
        rng = self.rng
        # The Parent Peer Specialist with the fewest open families takes the next one.
        partner = min(self.partners, key=lambda one: (self.open_cases.get(one.pk, 0), one.pk))
        case = Case.objects.create(
            referral=referral,
            program=self.program,
            family=referral.family,
            opened_on=opened_on,
            permanency_goal="",
        )
        length = rng.randint(90, 300)
        closes = opened_on + datetime.timedelta(days=length)
        closed = closes < self.today - datetime.timedelta(days=7)
        last_day = closes if closed else self.today - datetime.timedelta(days=rng.randint(1, 12))
        assignment = Assignment.objects.create(
            case=case,
            parent_partner=partner,
            started_on=opened_on,
            assigned_by=self.users[Role.PROGRAM_COORDINATOR],
        )
        day = opened_on + datetime.timedelta(days=rng.randint(1, 4))
        while day <= last_day:
            self.contact(case, partner, day)
            day += datetime.timedelta(days=rng.randint(5, 14))
        intake = {question["key"]: rng.randint(1, 3) for question in self.instrument.questions}
        self.survey(case, SurveyTiming.INTAKE, opened_on, intake)
        if closed:
            # Most parents feel more confident working with the school by the end.
            after = {key: min(5, value + rng.randint(0, 2)) for key, value in intake.items()}
            self.survey(case, SurveyTiming.CLOSURE, closes, after)
            case.status = CaseStatus.CLOSED
            case.closed_on = closes
            case.closure_outcome = _weighted(
                rng,
                [
                    (ClosureOutcome.GOALS_MET, 70),
                    (ClosureOutcome.MOVED, 15),
                    (ClosureOutcome.DISENGAGED, 15),
                ],
            )
            case.save(update_fields=["status", "closed_on", "closure_outcome"])
            assignment.ended_on = closes
            assignment.end_reason = "Case closed"
            assignment.save(update_fields=["ended_on", "end_reason"])
        else:
            self.open_cases[partner.pk] = self.open_cases.get(partner.pk, 0) + 1

    def survey(self, case: Case, timing: str, day: datetime.date, answers: dict[str, int]) -> None:
        SurveyResponse.objects.create(
            case=case,
            instrument=self.instrument,
            timing=timing,
            answered_on=day,
            answers=answers,
            score=_score(answers),
        )

    def contact(self, case: Case, partner: ParentPartner, day: datetime.date) -> None:
        rng = self.rng
        kind = _weighted(rng, CONTACTS)
        meeting = kind in MEETINGS
        present = [Present.PARENT] if meeting or rng.random() < 0.9 else []
        if meeting:
            # The school's staff sit in on every school meeting.
            present.append(Present.SCHOOL_STAFF)
        old = (self.today - day).days > 14
        self.contacts.append(
            Activity(
                case=case,
                program=self.program,
                parent_partner=partner,
                occurred_on=day,
                duration_minutes=rng.choice([30, 45, 60, 90]) if meeting else rng.choice([15, 30]),
                activity_type=kind,
                mode=ContactMode.IN_PERSON
                if meeting or kind == ActivityType.HOME_VISIT
                else ContactMode.PHONE,
                location="School" if meeting else "",
                present=present,
                notes=NOTES[kind],
                review_status=ReviewStatus.SIGNED_OFF if old else ReviewStatus.WAITING,
                reviewed_by=self.users[Role.PARENT_PARTNER_COORDINATOR] if old else None,
                reviewed_at=_at(day + datetime.timedelta(days=3)) if old else None,
                created_at=_at(day, 17),
            )
        )
