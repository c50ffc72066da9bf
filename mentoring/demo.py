"""Demo Parent Partners, cases, contacts and workforce support (SPEC.md's demo data contract).

``seed_demo`` calls ``seed(context)`` after ``psp.demo`` and ``referrals.demo``. For Door, Rock
and Jefferson it adds:

* Parent Partners (``5 * scale``, at most 60 a program): the program's ``<slug>-parent-partner``
  user as an active Parent Partner, others without sign-in accounts, one in training and one
  applicant, each with the stage changes that brought them where they are;
* 10 to 14 community resources;
* a case for about 85% of the accepted referrals older than ten days: the referral moves to
  "assigned", an active Parent Partner (one who speaks the family's language first) is put on
  it, and it gets one to three case-plan goals with progress notes; older cases are often
  closed, and about one in ten was handed to another Parent Partner once;
* a contact every five to nine days while a case is open, reviewed by the Parent Partner
  coordinator, and the parent surveys at intake and closure;
* supervision every two weeks, monthly clinical support (never yet this month, so that
  reminder shows) and training records.

The demo Parent Partner of each program has four or five open cases, among them one with a
court hearing within a week and one without contact for over two weeks, and a contact sent
back for a fix, so their home page shows every kind of reminder.

Everything is drawn from ``context.rng`` and dated relative to ``context.today``, so the same
seed gives the same data. A program that already has a Parent Partner is left alone, which
makes the part safe to run twice. The large tables are written with ``bulk_insert`` and, being
demo data, nothing is written to the audit log.
"""

from __future__ import annotations

import datetime
import heapq
import random
import uuid
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from mentoring import school_demo
from mentoring import selectors as mentoring_selectors
from mentoring import services as mentoring_services
from mentoring.models import (
    CORE_TOPICS,
    Activity,
    ActivityType,
    Assignment,
    Case,
    CaseGoal,
    CaseStatus,
    ClinicalSupportSession,
    ClosureOutcome,
    ContactMode,
    EligibilityBasis,
    Employer,
    ExpenseClaim,
    FollowUp,
    GoalProgress,
    GoalStatus,
    Hearing,
    HearingType,
    MileageRate,
    ParentPartner,
    Participation,
    ParticipationKind,
    PartnerSource,
    PermanencyGoal,
    Present,
    Resource,
    ResourceCategory,
    ReviewStatus,
    Stage,
    StageChange,
    SupervisionSession,
    SurveyInstrument,
    SurveyResponse,
    SurveyTiming,
    TrainingRecord,
    TrainingTopic,
    one_year_after,
)
from mentoring.services import default_survey_instrument
from mentoring.tasks import follow_up_key
from psp.demo import (
    DemoContext,
    bulk_insert,
    bulk_insert_rows,
    indexes_built_after,
    voluntary_race,
)
from psp.models import Membership, Notification, NotificationKind, Program, Role, User
from psp.numbers import round_half_up
from referrals.models import (
    Child,
    Language,
    Need,
    Parent,
    Referral,
    Status,
    Transition,
    normalize_name,
)

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
BATCH_SIZE = 1000
PARTNERS_PER_SCALE = 5
MAX_PARTNERS = 60
CASE_SHARE = 0.85  # of the accepted referrals, how many became cases
MIN_REFERRAL_AGE = 10  # days: younger accepted referrals are still waiting for a partner
CLOSABLE_AGE = 183  # cases opened before this may have closed
CLOSED_SHARE = 0.6
REASSIGNED_SHARE = 0.1
DAYS_BACK = 548  # six quarters of supervision
# The hearings of a Wisconsin CHIPS case (Chapter 48), as mentoring migration 0013 adds them.
HEARING_TYPES = [
    "Temporary physical custody hearing",
    "Plea hearing",
    "Fact-finding hearing",
    "Dispositional hearing",
    "Permanency plan review",
    "Change of placement",
    "Extension of the dispositional order",
    "Termination of parental rights",
    "Other",
]
# The IRS business mileage rate of each year, which many counties pay.
DEMO_MILEAGE_RATES = [
    (2023, Decimal("0.655")),
    (2024, Decimal("0.67")),
    (2025, Decimal("0.70")),
    (2026, Decimal("0.725")),
]

DEMO_JUDGES = [
    "Judge D. Weber",
    "Judge M. Lindqvist",
    "Court Commissioner A. Vang",
    "Judge R. Ortiz",
]
DEMO_OUTCOMES = [
    "Permanency plan approved; goal stays reunification. Parent to finish the parenting class.",
    "Dispositional order entered. Family time moves to unsupervised on weekends.",
    "Plea entered. Next hearing set for the permanency plan review.",
    "Court found reasonable efforts. Parent asked for more family time; granted.",
    "Placement with the grandmother continues. Conditions for return reviewed with the parent.",
]
CLINICAL_MONTHS = 18
REVIEW_DAYS = 10  # contacts older than this have been signed off
TIME_GIVEN_SHARE = 0.8  # of contacts logged with a time of day
DEMO_OPEN_CASES = 4  # at least: three with recent contact and one without

T = TypeVar("T")

INTAKE_ANSWERS = ((1, 15), (2, 35), (3, 35), (4, 12), (5, 3))  # mean about 2.5
CLOSURE_ANSWERS = ((2, 5), (3, 25), (4, 50), (5, 20))  # mean about 3.85


# --- Small helpers -------------------------------------------------------------------------


def _names(text: str) -> tuple[str, ...]:
    """``"Mai, Pa, Nou"`` as a tuple: names are listed comma-separated to keep them short."""
    return tuple(name.strip() for name in text.split(","))


def _weighted(rng: random.Random, pairs: Sequence[tuple[T, int]]) -> T:
    values = [value for value, _ in pairs]
    weights = [weight for _, weight in pairs]
    return rng.choices(values, weights=weights)[0]


def _days(count: int) -> datetime.timedelta:
    return datetime.timedelta(days=count)


def _minutes(count: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=count)


def _months_before(first_of_month: datetime.date, months: int) -> datetime.date:
    index = first_of_month.year * 12 + first_of_month.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """An aware datetime on ``day`` in Chicago time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)), CHICAGO)


def _workday(day: datetime.date) -> datetime.date:
    """The day itself, or the Friday before when it falls on a weekend."""
    if day.weekday() >= 5:
        return day - _days(day.weekday() - 4)
    return day


def _ascii(text: str) -> str:
    return "".join(char for char in normalize_name(text) if char.isalnum())


def _account_name(slug: str, partner: ParentPartner) -> str:
    return f"{slug}-partner-{_ascii(partner.first_name)}-{_ascii(partner.last_name)}".lower()


def _user(context: DemoContext, username: str) -> User | None:
    user = context.users.get(username)
    if user is None:
        user = User.objects.filter(username=username).first()
        if user is not None:
            context.users[username] = user
    return user


def _score(answers: dict[str, int]) -> Decimal:
    """The mean of the answers, to two decimals (as a survey's score is stored)."""
    mean = Fraction(sum(answers.values()), len(answers))
    return round_half_up(mean, 2)


def _age_on(birth_date: datetime.date | None, day: datetime.date) -> int | None:
    if birth_date is None:
        return None
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


# --- Parent Partner names ------------------------------------------------------------------


def ensure_hearing_types() -> list[HearingType]:
    """The statewide kinds of hearing (a database emptied by a test may have lost them)."""
    for order, name in enumerate(HEARING_TYPES):
        HearingType.objects.get_or_create(program=None, name=name, defaults={"order": order})
    return list(HearingType.objects.filter(program=None).order_by("order", "pk"))


@dataclass(frozen=True)
class PartnerNames:
    """Names Parent Partners of one background have, and the languages they speak."""

    women: tuple[str, ...]
    men: tuple[str, ...]
    last_names: tuple[str, ...]
    languages: tuple[str, ...] = (Language.ENGLISH,)


PARTNER_NAMES: dict[str, PartnerNames] = {
    "latina": PartnerNames(
        women=_names("Marisol, Yesenia, Leticia, Araceli, Guadalupe, Claudia, Verónica, Rosa"),
        men=_names("Javier, Ricardo, Luis"),
        last_names=_names(
            "Morales, Gutiérrez, Ramírez, Castillo, Mendoza, Flores, Vargas, Herrera, Ortega"
        ),
        languages=(Language.ENGLISH, Language.SPANISH),
    ),
    "hmong": PartnerNames(
        women=_names("Mai, Pa, Nou, Kia, Bao, Chia, Zoua, Pang"),
        men=_names("Tou, Kou, Neng"),
        last_names=_names("Vang, Xiong, Yang, Thao, Lor, Moua, Her, Vue"),
        languages=(Language.ENGLISH, Language.HMONG),
    ),
    "black": PartnerNames(
        women=_names("Keisha, Tanya, Monique, Shanice, Denise, Ebony, Tasha, Angela"),
        men=_names("Darnell, Andre, Terrence"),
        last_names=_names("Jackson, Coleman, Banks, Turner, Freeman, Hayes, Bryant, Simmons"),
    ),
    "white": PartnerNames(
        women=_names("Jennifer, Amanda, Kristin, Heidi, Becky, Sarah, Jessica, Crystal"),
        men=_names("Travis, Dustin, Kyle"),
        last_names=_names(
            "Schroeder, Krueger, Halvorson, Nowak, Kowalski, Jeanquart, Delfosse, Lambert, "
            "Gunderson, Wagner"
        ),
    ),
}


# --- Programs and their resources ----------------------------------------------------------


@dataclass(frozen=True)
class ResourceSpec:
    category: str
    name: str
    description: str
    town: str
    spanish: bool = False
    hmong: bool = False


def _resources(table: str) -> tuple[ResourceSpec, ...]:
    """Resources written two lines each: ``category | name | town | languages``, then the
    description indented below."""
    specs: list[ResourceSpec] = []
    lines = [line for line in table.splitlines() if line.strip()]
    for header, description in zip(lines[::2], lines[1::2], strict=True):
        category, name, town, languages = (part.strip() for part in header.split("|"))
        specs.append(
            ResourceSpec(
                category=category,
                name=name,
                description=description.strip(),
                town=town,
                spanish="es" in languages.split(),
                hmong="hmn" in languages.split(),
            )
        )
    return tuple(specs)


STREETS = _names("Main St, Oak St, Madison Ave, Jefferson St, Walnut St, Division St, Mill St")

# The first ten of each county cover every category; the rest are picked when there are more.
DOOR_RESOURCES = _resources("""
housing | Door County Housing Authority | Sturgeon Bay | en
    Housing vouchers, family units and help with the waiting list.
food | Door County Food Pantry Network | Sturgeon Bay | en es
    Food pantries in Sturgeon Bay, Sister Bay and Forestville; no paperwork needed.
mental_health | Door County Behavioral Health Services | Sturgeon Bay | en
    Counseling, a 24-hour crisis line and psychiatry; sliding fee.
substance_use | Bay Lakes Recovery Center | Sturgeon Bay | en
    Outpatient treatment, recovery groups and a recovery coach.
domestic_violence | HELP of Door County | Sturgeon Bay | en es
    24-hour hotline, shelter, safety planning and court advocacy.
legal_aid | Legal Action of Wisconsin | Green Bay | en es
    Free civil legal help for low-income families: housing, family law and benefits.
employment | Door County Job Center | Sturgeon Bay | en
    Job search help, resume workshops and W-2 sign-up.
child_care | Northern Lights Child Care Resource & Referral | Sturgeon Bay | en es
    Finding licensed child care and applying for Wisconsin Shares.
health | Door County Public Health: WIC and Family Health | Sturgeon Bay | en es
    WIC, immunizations and BadgerCare sign-up.
transportation | Door-Tran | Sturgeon Bay | en
    Rides to appointments, family time and work; gas cards.
other | Door County Diaper Bank | Sister Bay | en
    Diapers and wipes once a month for families with young children.
housing | Lakeshore CAP Emergency Rent Assistance | Sturgeon Bay | en
    One-time help with rent, deposits and utility bills.
mental_health | Peninsula Family Counseling | Fish Creek | en
    Family and individual counseling; evening appointments.
food | Sturgeon Bay Community Meal | Sturgeon Bay | en
    A free hot meal every weeknight; families welcome.
""")

ROCK_RESOURCES = _resources("""
housing | Rock County Housing Authority | Janesville | en
    Housing vouchers and help with the application.
food | ECHO Janesville Food Pantry | Janesville | en es
    Food pantry and emergency help with rent and utilities.
mental_health | Rock County Crisis and Behavioral Health Clinic | Janesville | en es
    Walk-in crisis help, counseling and medication management.
substance_use | Rock Valley Recovery Services | Beloit | en
    Outpatient and intensive outpatient treatment, recovery groups.
domestic_violence | YWCA Rock County Alternatives to Violence | Janesville | en es
    Shelter, hotline, restraining-order help and support groups.
legal_aid | Legal Action of Wisconsin | Janesville | en es
    Free civil legal help for low-income families: housing, family law and benefits.
employment | Rock County Job Center | Janesville | en
    Job search help, training programs and W-2 sign-up.
child_care | Rock County Child Care Resource & Referral | Janesville | en es
    Finding licensed child care and applying for Wisconsin Shares.
health | HealthNet of Rock County | Janesville | en es
    Free clinic for adults without insurance; dental and vision days.
transportation | Beloit and Janesville Transit Bus Passes | Beloit | en
    Monthly bus passes for appointments and family time.
other | Latino Service Providers Coalition | Beloit | en es
    Help in Spanish finding services, interpreters and community events.
housing | Community Action of Rock and Walworth Counties | Beloit | en
    Rent help, a family shelter and budgeting classes.
food | Beloit Area Community Food Pantry | Beloit | en es
    Weekly food pantry; fresh produce on Thursdays.
mental_health | Beloit Area Family Counseling | Beloit | en
    Counseling for parents and children; sliding fee.
""")

JEFFERSON_RESOURCES = _resources("""
housing | Jefferson County Housing Authority | Jefferson | en
    Housing vouchers and family units.
food | Fort Atkinson Community Food Pantry | Fort Atkinson | en es
    Food pantry open three days a week; delivery for families without a car.
mental_health | Jefferson County Behavioral Health Clinic | Jefferson | en es
    Counseling, crisis help and psychiatry.
substance_use | Watertown Recovery Center | Watertown | en
    Outpatient treatment, recovery groups and a recovery coach.
domestic_violence | Safe Harbor of Jefferson County | Fort Atkinson | en es
    Hotline, shelter, safety planning and court advocacy.
legal_aid | Legal Action of Wisconsin | Madison | en es
    Free civil legal help for low-income families: housing, family law and benefits.
employment | Jefferson County Job Center | Jefferson | en
    Job search help, resume workshops and W-2 sign-up.
child_care | Jefferson County Child Care Connections | Fort Atkinson | en es
    Finding licensed child care and applying for Wisconsin Shares.
health | Jefferson County Health Department: WIC | Jefferson | en es hmn
    WIC, immunizations and BadgerCare sign-up.
transportation | Jefferson County Mobility Program | Jefferson | en
    Rides to medical appointments and court; call two days ahead.
other | Watertown Hmong Community Center | Watertown | en hmn
    Help in Hmong with forms, interpreting and family events.
housing | Tomorrow's Hope Family Shelter | Watertown | en
    Emergency shelter for parents with children.
food | Watertown Food Pantry | Watertown | en es
    Food pantry and holiday meal boxes.
employment | Lake Mills Community Job Club | Lake Mills | en
    Weekly job club with help on applications and interviews.
""")


@dataclass(frozen=True)
class ProgramDemo:
    """What differs between the counties' Parent Partners and resources."""

    area_code: str
    first_backgrounds: tuple[str, ...]  # of the Parent Partners after the demo user
    backgrounds: tuple[tuple[str, int], ...]
    resources: tuple[ResourceSpec, ...]
    courthouse: str
    demo_languages: tuple[str, ...] = (Language.ENGLISH,)


PROGRAM_DEMOS: dict[str, ProgramDemo] = {
    "door": ProgramDemo(
        area_code="920",
        first_backgrounds=("latina", "white", "hmong", "white"),
        backgrounds=(("white", 60), ("latina", 20), ("hmong", 10), ("black", 10)),
        resources=DOOR_RESOURCES,
        courthouse="Door County Justice Center",
    ),
    "rock": ProgramDemo(
        area_code="608",
        first_backgrounds=("latina", "black", "hmong", "black"),
        backgrounds=(("white", 35), ("black", 30), ("latina", 25), ("hmong", 10)),
        resources=ROCK_RESOURCES,
        courthouse="Rock County Courthouse",
    ),
    "jefferson": ProgramDemo(
        area_code="920",
        first_backgrounds=("hmong", "latina", "white", "latina"),
        backgrounds=(("white", 45), ("latina", 35), ("hmong", 15), ("black", 5)),
        resources=JEFFERSON_RESOURCES,
        courthouse="Jefferson County Courthouse",
        demo_languages=(Language.ENGLISH, Language.SPANISH),
    ),
}


def _program_demo(program: Program) -> ProgramDemo:
    demo = PROGRAM_DEMOS.get(program.slug)
    if demo is not None:
        return demo
    return ProgramDemo(
        area_code="608",
        first_backgrounds=("latina", "white", "black", "white"),
        backgrounds=(("white", 60), ("latina", 20), ("black", 20)),
        resources=JEFFERSON_RESOURCES[:10],
        courthouse=f"{program.county} County Courthouse",
    )


# --- Case content --------------------------------------------------------------------------

GOALS_BY_NEED: dict[str, tuple[str, ...]] = {
    Need.PARENTING: ("Complete parenting class", "Attend all family time visits"),
    Need.COURT: ("Attend all court hearings", "Understand the conditions for return"),
    Need.MENTAL_HEALTH: ("Keep counseling appointments",),
    Need.SUBSTANCE_USE: ("Stay in substance-use treatment", "Go to a recovery group every week"),
    Need.HOUSING: ("Find stable housing",),
    Need.EMPLOYMENT: ("Find steady work", "Build a monthly budget"),
    Need.DOMESTIC_VIOLENCE: ("Keep following the safety plan",),
    Need.FOOD: ("Sign up for FoodShare and WIC",),
    Need.EDUCATION: ("Take part in the children's school meetings",),
    Need.LEGAL: ("Meet with legal aid about the custody order",),
}
COMMON_GOALS = (
    "Attend all family time visits",
    "Complete parenting class",
    "Keep a calendar of appointments",
    "Build a support network of friends and family",
)
PROGRESS_NOTES = (
    "Made the first call together; appointment set for next week.",
    "Going well: on track this month.",
    "Missed one appointment and rescheduled it right away.",
    "Talked about what gets in the way; made a plan for rides.",
    "The social worker agrees this is going well.",
    "Started this week; parent feels good about it.",
)
MET_NOTE = "Goal met. Parent is proud of this."

NEED_RESOURCES: dict[str, str] = {
    Need.HOUSING: ResourceCategory.HOUSING,
    Need.FOOD: ResourceCategory.FOOD,
    Need.MENTAL_HEALTH: ResourceCategory.MENTAL_HEALTH,
    Need.SUBSTANCE_USE: ResourceCategory.SUBSTANCE_USE,
    Need.DOMESTIC_VIOLENCE: ResourceCategory.DOMESTIC_VIOLENCE,
    Need.LEGAL: ResourceCategory.LEGAL_AID,
    Need.EMPLOYMENT: ResourceCategory.EMPLOYMENT,
}

PERMANENCY_GOALS = (
    (PermanencyGoal.REUNIFICATION, 85),
    (PermanencyGoal.RELATIVE, 6),
    (PermanencyGoal.GUARDIANSHIP, 6),
    (PermanencyGoal.ADOPTION, 3),
)
CLOSURE_OUTCOMES = (
    (ClosureOutcome.REUNIFIED, 60),
    (ClosureOutcome.GOALS_MET, 12),
    (ClosureOutcome.DISENGAGED, 12),
    (ClosureOutcome.MOVED, 6),
    (ClosureOutcome.OTHER_PERMANENCY, 5),
    (ClosureOutcome.CPS_CLOSED, 5),
)
CLOSURE_NOTES: dict[str, tuple[str, ...]] = {
    ClosureOutcome.REUNIFIED: (
        "The children are home. Parent knows to call us any time.",
        "Reunified; the family has a plan for support after the case.",
    ),
    ClosureOutcome.GOALS_MET: ("Parent met the goals we worked on together.",),
    ClosureOutcome.DISENGAGED: (
        "Parent stopped answering calls and texts; sent a closing letter.",
        "Parent said they no longer want a Parent Partner.",
    ),
    ClosureOutcome.MOVED: ("The family moved out of the county.",),
    ClosureOutcome.OTHER_PERMANENCY: ("The children live with a relative now (guardianship).",),
    ClosureOutcome.CPS_CLOSED: ("The CPS case closed.",),
}
REASSIGNMENT_REASONS = (
    "Caseload was full; handed to a colleague.",
    "The family asked for a Parent Partner who speaks their language.",
    "Schedules did not fit; the new Parent Partner can meet evenings.",
    "Parent Partner on leave.",
)

# Contacts: how common each kind is, how it happens, how long it takes, who is there.
ACTIVITY_WEIGHTS = (
    (ActivityType.CHECK_IN, 32),
    (ActivityType.HOME_VISIT, 30),
    (ActivityType.TEAM_MEETING, 8),
    (ActivityType.FAMILY_TIME, 8),
    (ActivityType.RESOURCE_LINKAGE, 8),
    (ActivityType.CASE_PLAN_INPUT, 5),
    (ActivityType.COURT_HEARING, 4),
    (ActivityType.IEP_MEETING, 2),
    (ActivityType.OTHER, 3),
)
MODES: dict[str, tuple[tuple[str, int], ...]] = {
    ActivityType.CHECK_IN: ((ContactMode.PHONE, 60), (ContactMode.TEXT, 40)),
    ActivityType.HOME_VISIT: ((ContactMode.IN_PERSON, 1),),
    ActivityType.TEAM_MEETING: ((ContactMode.IN_PERSON, 60), (ContactMode.VIDEO, 40)),
    ActivityType.FAMILY_TIME: ((ContactMode.IN_PERSON, 1),),
    ActivityType.RESOURCE_LINKAGE: ((ContactMode.IN_PERSON, 50), (ContactMode.PHONE, 50)),
    ActivityType.CASE_PLAN_INPUT: (
        (ContactMode.IN_PERSON, 50),
        (ContactMode.VIDEO, 30),
        (ContactMode.PHONE, 20),
    ),
    ActivityType.COURT_HEARING: ((ContactMode.IN_PERSON, 85), (ContactMode.VIDEO, 15)),
    ActivityType.IEP_MEETING: ((ContactMode.IN_PERSON, 80), (ContactMode.VIDEO, 20)),
    ActivityType.OTHER: ((ContactMode.IN_PERSON, 60), (ContactMode.PHONE, 40)),
}
DURATIONS: dict[str, tuple[int, int]] = {
    ActivityType.CHECK_IN: (15, 30),
    ActivityType.HOME_VISIT: (45, 120),
    ActivityType.TEAM_MEETING: (45, 90),
    ActivityType.FAMILY_TIME: (60, 120),
    ActivityType.RESOURCE_LINKAGE: (20, 90),
    ActivityType.CASE_PLAN_INPUT: (60, 120),
    ActivityType.COURT_HEARING: (60, 180),
    ActivityType.IEP_MEETING: (45, 90),
    ActivityType.OTHER: (15, 60),
}
PRESENT: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # (always there, sometimes there)
    ActivityType.CHECK_IN: ((Present.PARENT,), ()),
    ActivityType.HOME_VISIT: ((Present.PARENT,), (Present.CHILDREN, Present.OTHER_PARENT)),
    ActivityType.TEAM_MEETING: (
        (Present.PARENT, Present.SOCIAL_WORKER),
        (Present.PROVIDER, Present.FOSTER_PARENT, Present.OTHER_PARENT),
    ),
    ActivityType.FAMILY_TIME: ((Present.PARENT, Present.CHILDREN), (Present.FOSTER_PARENT,)),
    ActivityType.RESOURCE_LINKAGE: ((Present.PARENT,), (Present.PROVIDER,)),
    ActivityType.CASE_PLAN_INPUT: (
        (Present.PARENT, Present.SOCIAL_WORKER),
        (Present.PROVIDER, Present.OTHER_PARENT),
    ),
    ActivityType.COURT_HEARING: (
        (Present.PARENT, Present.ATTORNEY, Present.SOCIAL_WORKER),
        (Present.OTHER_PARENT, Present.FOSTER_PARENT),
    ),
    ActivityType.IEP_MEETING: ((Present.PARENT, Present.OTHER), (Present.FOSTER_PARENT,)),
    ActivityType.OTHER: ((Present.PARENT,), (Present.CHILDREN,)),
}
NOTES: dict[str, tuple[str, ...]] = {
    ActivityType.CHECK_IN: (
        "Quick check-in; parent is doing OK.",
        "Texted a reminder about tomorrow's appointment.",
        "Parent called after a hard day; listened and talked about next steps.",
        "Checked in about the housing application.",
        "Confirmed the ride for the next visit.",
        "Parent shared good news about the last visit.",
    ),
    ActivityType.HOME_VISIT: (
        "Met at home and talked through the week and the visit schedule.",
        "Went over the case plan together and wrote down questions for the social worker.",
        "Helped set up a calendar for appointments.",
        "Talked about how the last family time went; parent feels more confident.",
        "Practiced what to say at the team meeting.",
    ),
    ActivityType.TEAM_MEETING: (
        "Team meeting with the social worker; parent shared what is going well.",
        "Supported the parent at the team meeting; goals were updated.",
        "Helped the parent ask about more visit time.",
    ),
    ActivityType.FAMILY_TIME: (
        "Supported the parent before and after family time.",
        "Helped the parent plan activities for the visit.",
        "Talked after the visit about what went well.",
    ),
    ActivityType.RESOURCE_LINKAGE: (
        "Went with the parent to sign up.",
        "Called together and set an intake appointment.",
        "Gave the contact information and helped fill out the form.",
    ),
    ActivityType.CASE_PLAN_INPUT: (
        "Gave input on the case plan goals together with the parent.",
        "Case plan review; the parent's goals are written in their own words.",
    ),
    ActivityType.COURT_HEARING: (
        "Sat with the parent at the hearing and explained what happens next.",
        "Went over the court report with the parent before the hearing.",
        "Permanency hearing; the next hearing date is set.",
    ),
    ActivityType.IEP_MEETING: (
        "Went to the IEP meeting with the parent; the parent asked good questions.",
        "Helped the parent get ready for the school meeting.",
    ),
    ActivityType.OTHER: (
        "Helped the parent request a copy of a birth certificate.",
        "Dropped off a bus pass and a paper calendar.",
    ),
}
LOCATIONS: dict[str, tuple[str, ...]] = {
    ActivityType.HOME_VISIT: ("Family's home",),
    ActivityType.TEAM_MEETING: ("Human Services office",),
    ActivityType.FAMILY_TIME: ("Visitation center", "Public library", "City park"),
    ActivityType.CASE_PLAN_INPUT: ("Human Services office",),
    ActivityType.IEP_MEETING: ("Children's school",),
    ActivityType.OTHER: ("Coffee shop", "Family's home"),
}
NEXT_STEPS = (
    "Check in by phone in a few days.",
    "Go with the parent to the next team meeting.",
    "Follow up on the housing application.",
    "Help the parent write down questions for court.",
    "Call the social worker about visit times.",
    "Text a reminder before the next appointment.",
)
SEND_BACK_COMMENTS = (
    "Please add who was there.",
    "Can you add a next step?",
    "Please keep notes general: leave out the medical details.",
    "This looks like the same contact as the one before; please check the date.",
    "Please add the miles you drove.",
)

SUPERVISION_TOPICS = (
    "Caseload review",
    "Self-care and boundaries",
    "Getting ready for a court hearing",
    "Writing contact notes",
    "Hard conversations with parents",
    "Working with the social worker",
    "Housing resources",
    "Sharing my own story safely",
    "Time off and coverage",
)
TRAINING_PROVIDERS = (
    "Wisconsin Child Welfare Professional Development System",
    "Parent Partner coordinator",
    "County Human Services staff training",
)
OTHER_TRAININGS = (
    "Motivational interviewing basics",
    "Trauma-informed care",
    "Self-care for peer supporters",
    "Understanding ICWA",
    "Supporting parents in recovery",
    "Poverty and child welfare",
    "Talking about race and equity",
    "Safety when visiting homes",
)


# --- What a program's seeding builds in memory ---------------------------------------------


@dataclass(eq=False)
class PartnerPlan:
    """A Parent Partner, when they reached each stage and, while cases are planned, the end
    dates of the cases they hold."""

    record: ParentPartner
    stage_times: list[tuple[str, datetime.datetime]]
    active_on: datetime.date | None = None
    training_on: datetime.date | None = None
    is_demo: bool = False
    ends: list[datetime.date] = field(default_factory=list)  # a heap: the soonest first

    def hold(self, end: datetime.date) -> None:
        """One more case, held until ``end``."""
        heapq.heappush(self.ends, end)

    def load(self, day: datetime.date) -> int:
        """Cases held on ``day``; cases that ended before it are forgotten. (A heap: asked
        for every case and partner, a scan of hundreds of cases made ``--scale 1000`` slow.)"""
        while self.ends and self.ends[0] <= day:
            heapq.heappop(self.ends)
        return len(self.ends)


@dataclass(eq=False)
class Segment:
    partner: PartnerPlan
    start: datetime.date
    end: datetime.date | None = None
    end_reason: str = ""
    over_capacity: bool = False


@dataclass(eq=False)
class CasePlan:
    referral: Referral
    accepted_at: datetime.datetime
    assigned_at: datetime.datetime  # when the referral moved to "assigned" (set on saving)
    case: Case
    languages: set[str]
    child_birth_dates: list[datetime.date]
    segments: list[Segment] = field(default_factory=list)
    contacts_until: datetime.date | None = None  # the last day with a contact
    recent_contact: bool = False  # make sure there is one in the last week

    @property
    def is_open(self) -> bool:
        return self.case.status == CaseStatus.OPEN

    def partner_on(self, day: datetime.date) -> PartnerPlan:
        for segment in self.segments:
            if segment.end is None or day < segment.end:
                return segment.partner
        return self.segments[-1].partner


class ProgramSeeder:
    """Builds one program's mentoring records; ``run`` saves them table by table."""

    def __init__(
        self,
        context: DemoContext,
        program: Program,
        today: datetime.date,
        instrument: SurveyInstrument,
    ) -> None:
        self.context = context
        self.rng = context.rng
        self.program = program
        self.today = today
        self.yesterday = today - _days(1)
        self.now = timezone.now()
        self.instrument = instrument
        self.demo = _program_demo(program)
        slug = program.slug
        self.demo_user = _user(context, f"{slug}-parent-partner")
        self.coordinator = _user(context, f"{slug}-coordinator")
        self.pp_coordinator = _user(context, f"{slug}-pp-coordinator") or self.coordinator
        self.pp_coordinator_id = self.pp_coordinator.pk if self.pp_coordinator else None
        self.clinician = _user(context, f"{slug}-clinical")
        self.partners: list[PartnerPlan] = []
        self.resources: list[Resource] = []
        self.plans: list[CasePlan] = []
        self.counts: dict[str, int] = {}

    def run(self) -> None:
        self.add_partners()
        self.add_resources()
        self.plan_cases()
        self.give_demo_partner_cases()
        self.save_cases()
        self.add_hearings()
        self.add_goals()
        self.add_activities()
        self.add_follow_ups()
        self.add_notifications()
        self.add_surveys()
        self.add_supervision()
        self.add_clinical_support()
        self.add_training()
        self.add_mileage_claims()

    def summary(self) -> str:
        counts = ", ".join(f"{count} {name}" for name, count in self.counts.items())
        return f"{counts} for {self.program.name}"

    # Parent Partners ---------------------------------------------------------------------

    def add_partners(self) -> None:
        rng = self.rng
        total = min(PARTNERS_PER_SCALE * self.context.scale, MAX_PARTNERS)
        taken: set[tuple[str, str]] = set()
        if self.demo_user is not None:
            self.partners.append(self.demo_partner(self.demo_user))
            taken.add((self.demo_user.first_name, self.demo_user.last_name))
        extra_stages: list[str] = [Stage.ACTIVE, Stage.ACTIVE, Stage.TRAINING, Stage.INQUIRY]
        index = 0
        while len(self.partners) < total:
            if index < len(extra_stages):
                stage = extra_stages[index]
                background = self.demo.first_backgrounds[index]
            else:
                stage = _weighted(
                    rng,
                    [(Stage.ACTIVE, 82), (Stage.TRAINING, 9), (Stage.INQUIRY, 9)],
                )
                background = _weighted(rng, self.demo.backgrounds)
            if stage == Stage.INQUIRY:
                stage = rng.choice([Stage.INQUIRY, Stage.SCREENING])
            self.partners.append(self.new_partner(PARTNER_NAMES[background], stage, taken))
            index += 1
        self.give_accounts()
        for plan in self.partners:  # added on the day they first asked about the role
            plan.record.created_at = min(at for _stage, at in plan.stage_times)
        # The first one still asking came through the program's public page.
        for plan in self.partners:
            if plan.record.stage == Stage.INQUIRY:
                plan.record.source = PartnerSource.PUBLIC_FORM
                plan.record.interest_message = (
                    "I got my kids back three years ago. A Parent Partner helped me through "
                    "court and I would like to do the same for someone else."
                )
                break
        bulk_insert([plan.record for plan in self.partners])
        changes: list[StageChange] = []
        for plan in self.partners:
            previous = ""
            for stage, at in plan.stage_times:
                changes.append(
                    StageChange(
                        parent_partner=plan.record,
                        from_stage=previous,
                        to_stage=stage,
                        actor=None if stage == Stage.INQUIRY else self.pp_coordinator,
                        at=at,
                    )
                )
                previous = stage
        bulk_insert(changes)
        self.counts["parent partners"] = len(self.partners)

    def give_accounts(self) -> None:
        """Every active Parent Partner signs in to log contacts: an account (without a
        usable password) and a Parent Partner membership for those the demo users are not."""
        slug = self.program.slug
        wanted = {
            _account_name(slug, plan.record): plan
            for plan in self.partners
            if plan.record.stage == Stage.ACTIVE and plan.record.user is None
        }
        existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
        User.objects.bulk_create(
            [
                User(
                    username=username,
                    first_name=plan.record.first_name,
                    last_name=plan.record.last_name,
                    email=plan.record.email,
                    password=make_password(None),
                )
                for username, plan in wanted.items()
                if username not in existing
            ],
            batch_size=BATCH_SIZE,
        )
        users = User.objects.in_bulk(list(wanted), field_name="username")
        for username, plan in wanted.items():
            plan.record.user = users[username]
        Membership.objects.bulk_create(
            [
                Membership(user=user, program=self.program, role=Role.PARENT_PARTNER)
                for user in users.values()
            ],
            ignore_conflicts=True,
        )

    def stage_dates(
        self, stage: str, active_on: datetime.date | None
    ) -> list[tuple[str, datetime.date]]:
        """The day each stage was reached, oldest first, all in the past."""
        rng = self.rng
        if active_on is not None:
            inquiry = active_on - _days(rng.randint(90, 200))
        elif stage == Stage.TRAINING:
            inquiry = self.today - _days(rng.randint(75, 150))
        else:
            inquiry = self.today - _days(rng.randint(10, 60))
        screening = inquiry + _days(rng.randint(3, 30))
        training = screening + _days(rng.randint(14, 40))
        days: list[tuple[str, datetime.date]] = [
            (Stage.INQUIRY, inquiry),
            (Stage.SCREENING, min(screening, self.yesterday)),
        ]
        if stage in {Stage.TRAINING, Stage.ACTIVE}:
            days.append((Stage.TRAINING, min(training, self.yesterday)))
        if active_on is not None:
            days.append((Stage.ACTIVE, active_on))
        if stage == Stage.INQUIRY:
            days = days[:1]
        return days

    def demo_partner(self, user: User) -> PartnerPlan:
        rng = self.rng
        eligibility = self.today - _days(rng.randint(4 * 365, 6 * 365))
        active_on = one_year_after(eligibility) + _days(rng.randint(30, 300))
        record = ParentPartner(
            program=self.program,
            user=user,
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
            phone=f"{self.demo.area_code}-555-03{rng.randint(0, 99):02d}",
            employer=self.employer(),
            eligibility_basis=EligibilityBasis.REUNIFIED,
            eligibility_date=eligibility,
            languages=list(self.demo.demo_languages),
            race_ethnicity=voluntary_race(user.get_full_name()),
            capacity=5,
            stage=Stage.ACTIVE,
            notes="Prefers morning meetings.",
        )
        return self.partner_plan(record, Stage.ACTIVE, active_on, is_demo=True)

    def new_partner(
        self, names: PartnerNames, stage: str, taken: set[tuple[str, str]]
    ) -> PartnerPlan:
        rng = self.rng
        first, last = "", ""
        while not first or (first, last) in taken:
            woman = rng.random() < 0.8
            first = rng.choice(names.women if woman else names.men)
            last = rng.choice(names.last_names)
        taken.add((first, last))
        active_on: datetime.date | None = None
        if stage == Stage.ACTIVE:
            eligibility = self.today - _days(rng.randint(2 * 365, 6 * 365))
            active_on = min(
                one_year_after(eligibility) + _days(rng.randint(30, 400)), self.today - _days(60)
            )
        elif stage == Stage.TRAINING:
            eligibility = self.today - _days(rng.randint(300, 900))
        else:  # an applicant: often not yet eligible, so activation would be refused
            eligibility = self.today - _days(rng.randint(120, 200))
        record = ParentPartner(
            program=self.program,
            first_name=first,
            last_name=last,
            email=f"{_ascii(first)}.{_ascii(last)}@example.org",
            phone=f"{self.demo.area_code}-555-03{rng.randint(0, 99):02d}",
            employer=self.employer(),
            race_ethnicity=voluntary_race(f"{first} {last}"),
            eligibility_basis=_weighted(
                rng,
                [
                    (EligibilityBasis.REUNIFIED, 80),
                    (EligibilityBasis.TPR_RESOLVED, 10),
                    (EligibilityBasis.OTHER_PERMANENCY, 10),
                ],
            ),
            eligibility_date=eligibility,
            languages=list(names.languages),
            capacity=rng.randint(3, 6),
            stage=stage,
        )
        return self.partner_plan(record, stage, active_on)

    def partner_plan(
        self,
        record: ParentPartner,
        stage: str,
        active_on: datetime.date | None,
        is_demo: bool = False,
    ) -> PartnerPlan:
        rng = self.rng
        days = self.stage_dates(stage, active_on)
        times = [
            (reached, _at(day, rng.randint(9, 15), rng.choice([0, 15, 30, 45])))
            for reached, day in days
        ]
        record.stage_changed_at = times[-1][1]
        return PartnerPlan(
            record=record,
            stage_times=times,
            active_on=active_on,
            training_on=dict(days).get(Stage.TRAINING),
            is_demo=is_demo,
        )

    def employer(self) -> str:
        return Employer.PARTNER if self.program.slug == "door" else Employer.COUNTY

    def active_partners(self, day: datetime.date | None = None) -> list[PartnerPlan]:
        return [
            plan
            for plan in self.partners
            if plan.active_on is not None and (day is None or plan.active_on <= day)
        ]

    # Resources ---------------------------------------------------------------------------

    def add_resources(self) -> None:
        rng = self.rng
        specs = list(self.demo.resources)
        count = min(len(specs), rng.randint(10, 14))
        numbers = rng.sample(range(100), count)
        for spec, number in zip(specs[:count], numbers, strict=True):
            languages = [Language.ENGLISH]
            if spec.spanish:
                languages.append(Language.SPANISH)
            if spec.hmong:
                languages.append(Language.HMONG)
            self.resources.append(
                Resource(
                    program=self.program,
                    name=spec.name,
                    category=spec.category,
                    description=spec.description,
                    phone=f"{self.demo.area_code}-555-02{number:02d}",
                    address=f"{rng.randint(100, 1999)} {rng.choice(STREETS)}, {spec.town}, WI",
                    languages=languages,
                )
            )
        Resource.objects.bulk_create(self.resources)
        self.counts["resources"] = len(self.resources)

    # Cases and assignments ---------------------------------------------------------------

    def accepted_referrals(self) -> list[tuple[Referral, datetime.datetime]]:
        """Accepted referrals old enough to have a Parent Partner, with when they were
        accepted."""
        referrals = list(
            Referral.objects.filter(
                program=self.program,
                status=Status.ACCEPTED,
                received_on__lt=self.today - _days(MIN_REFERRAL_AGE),
                case__isnull=True,
            ).order_by("received_on", "id")
        )
        accepted: dict[int, datetime.datetime] = {}
        steps = Transition.objects.filter(
            referral__program=self.program, referral__status=Status.ACCEPTED
        ).values_list("referral_id", "at")
        for referral_id, at in steps:
            if referral_id not in accepted or at > accepted[referral_id]:
                accepted[referral_id] = at
        return [
            (referral, accepted.get(referral.pk) or _at(referral.received_on, 9))
            for referral in referrals
        ]

    def family_details(self) -> tuple[dict[int, set[str]], dict[int, list[datetime.date]]]:
        languages: dict[int, set[str]] = {}
        for family_id, language in Parent.objects.filter(family__program=self.program).values_list(
            "family_id", "preferred_language"
        ):
            languages.setdefault(family_id, set()).add(language)
        birth_dates: dict[int, list[datetime.date]] = {}
        for family_id, birth_date in Child.objects.filter(
            family__program=self.program, birth_date__isnull=False
        ).values_list("family_id", "birth_date"):
            if birth_date is not None:  # always (filtered): narrows the type
                birth_dates.setdefault(family_id, []).append(birth_date)
        return languages, birth_dates

    def plan_cases(self) -> None:
        rng = self.rng
        languages, birth_dates = self.family_details()
        for referral, accepted_at in self.accepted_referrals():
            if rng.random() >= CASE_SHARE:
                continue
            accepted_on = timezone.localtime(accepted_at, CHICAGO).date()
            opened_on = min(_workday(accepted_on + _days(rng.randint(1, 5))), self.yesterday)
            opened_on = max(opened_on, accepted_on)
            case = Case(
                referral=referral,
                program=self.program,
                family_id=referral.family_id,
                opened_on=opened_on,
                permanency_goal=_weighted(rng, PERMANENCY_GOALS),
            )
            plan = CasePlan(
                referral=referral,
                accepted_at=accepted_at,
                assigned_at=accepted_at,
                case=case,
                languages=languages.get(referral.family_id, {Language.ENGLISH}),
                child_birth_dates=birth_dates.get(referral.family_id, []),
            )
            self.maybe_close(plan)
            self.assign(plan)
            self.plans.append(plan)
        self.plans.sort(key=lambda plan: (plan.case.opened_on, plan.referral.pk))

    def maybe_close(self, plan: CasePlan) -> None:
        rng = self.rng
        case = plan.case
        age = (self.today - case.opened_on).days
        if age > CLOSABLE_AGE and rng.random() < CLOSED_SHARE:
            outcome = _weighted(rng, CLOSURE_OUTCOMES)
            shortest, longest = 60, 420
            if outcome in {ClosureOutcome.DISENGAGED, ClosureOutcome.MOVED}:
                shortest, longest = 30, 150
            length = rng.randint(shortest, min(longest, age - 1))  # closed before today
            case.status = CaseStatus.CLOSED
            case.closed_on = case.opened_on + _days(length)
            case.closure_outcome = outcome
            case.closure_note = rng.choice(CLOSURE_NOTES[outcome])
            plan.contacts_until = case.closed_on
        else:
            plan.contacts_until = self.yesterday
            if rng.random() < 0.45:
                case.next_court_date = self.today + _days(rng.randint(1, 75))

    def choose_partner(
        self, plan: CasePlan, day: datetime.date, exclude: PartnerPlan | None = None
    ) -> tuple[PartnerPlan, bool] | None:
        """The best active partner on ``day``: one who speaks the family's language, then the
        most room; the demo Parent Partner is never put over capacity."""
        best: tuple[tuple[bool, bool, int, float], PartnerPlan, bool] | None = None
        for partner in self.active_partners(day):
            if partner is exclude:
                continue
            load = partner.load(day)
            over = load >= partner.record.capacity
            if over and partner.is_demo:
                continue
            match = bool(plan.languages & set(partner.record.languages))
            key = (not match, over, load - partner.record.capacity, self.rng.random())
            if best is None or key < best[0]:
                best = (key, partner, over)
        return None if best is None else (best[1], best[2])

    def assign(self, plan: CasePlan) -> None:
        rng = self.rng
        case = plan.case
        chosen = self.choose_partner(plan, case.opened_on)
        if chosen is None:  # nobody active yet: the demo Parent Partner takes it
            chosen = (self.partners[0], True)
        partner, over = chosen
        end = case.closed_on or datetime.date.max
        first = Segment(partner, case.opened_on, over_capacity=over)
        plan.segments.append(first)
        span = (min(end, self.today) - case.opened_on).days
        if span >= 45 and rng.random() < REASSIGNED_SHARE:
            switch = case.opened_on + _days(rng.randint(20, span - 20))
            other = self.choose_partner(plan, switch, exclude=partner)
            if other is not None:
                first.end = switch
                first.end_reason = rng.choice(REASSIGNMENT_REASONS)
                partner.hold(switch)
                plan.segments.append(Segment(other[0], switch, over_capacity=other[1]))
                other[0].hold(end)
                return
        partner.hold(end)

    def give_demo_partner_cases(self) -> None:
        """At least four open cases for the demo Parent Partner: one with a hearing within a
        week, one without contact for over two weeks, the others with a recent contact."""
        demo = next((partner for partner in self.partners if partner.is_demo), None)
        if demo is None:
            return
        mine = [plan for plan in self.plans if plan.is_open and plan.segments[-1].partner is demo]
        others = [
            plan
            for plan in reversed(self.plans)
            if len(plan.segments) == 1 and plan.segments[0].partner is not demo
        ]
        # Newest open cases first; when a small program has too few, reopen closed ones.
        others.sort(key=lambda plan: not plan.is_open)
        while len(mine) < DEMO_OPEN_CASES and others:
            plan = others.pop(0)
            if not plan.is_open:
                self.reopen(plan)
            plan.segments[0].partner = demo
            plan.segments[0].over_capacity = False
            mine.append(plan)
        if not mine:
            return
        mine.sort(key=lambda plan: plan.case.opened_on)
        for plan in mine:
            plan.recent_contact = True
        if len(mine) > 1:
            stale = mine[0]
            stale.recent_contact = False
            stale.case.next_court_date = None
            stale.contacts_until = self.today - _days(self.rng.randint(15, 22))
        mine[-1].case.next_court_date = self.today + _days(self.rng.randint(1, 6))

    def reopen(self, plan: CasePlan) -> None:
        case = plan.case
        case.status = CaseStatus.OPEN
        case.closed_on = None
        case.closure_outcome = case.closure_note = ""
        plan.contacts_until = self.yesterday

    def save_cases(self) -> None:
        cases = [plan.case for plan in self.plans]
        bulk_insert(cases)
        transitions: list[Transition] = []
        assignments: list[Assignment] = []
        for plan in self.plans:
            at = max(_at(plan.case.opened_on, 9, 30), plan.accepted_at + _minutes(20))
            plan.assigned_at = at
            transitions.append(
                Transition(
                    referral=plan.referral,
                    from_status=Status.ACCEPTED,
                    to_status=Status.ASSIGNED,
                    actor=self.coordinator,
                    at=at,
                    note=f"Assigned to {plan.segments[0].partner.record.first_name}.",
                )
            )
            for segment in plan.segments:
                ended_on = segment.end
                end_reason = segment.end_reason
                if segment.end is None and plan.case.closed_on is not None:
                    ended_on = plan.case.closed_on
                    end_reason = "Case closed"
                assignments.append(
                    Assignment(
                        case=plan.case,
                        parent_partner=segment.partner.record,
                        started_on=segment.start,
                        ended_on=ended_on,
                        assigned_by=self.coordinator,
                        end_reason=end_reason,
                        over_capacity=segment.over_capacity,
                    )
                )
        bulk_insert(transitions)
        bulk_insert(assignments)
        assigned = Transition.objects.filter(referral=OuterRef("pk"), to_status=Status.ASSIGNED)
        Referral.objects.filter(
            program=self.program, status=Status.ACCEPTED, case__isnull=False
        ).update(
            status=Status.ASSIGNED,
            status_changed_at=Subquery(assigned.values("at")[:1]),
            version=F("version") + 1,
        )
        self.counts["cases"] = len(cases)

    # Court hearings ----------------------------------------------------------------------

    def add_hearings(self) -> None:
        """Each open case with a next court date has that hearing to come; most also had one
        held before it, with what the court decided. Drawn from a generator of their own,
        so the rest of the demo is what it was before hearings were records."""
        rng = random.Random(f"hearings:{self.program.slug}")  # noqa: S311 - made-up data
        kinds = ensure_hearing_types()
        court = f"{self.program.county} County Circuit Court"
        hearings: list[Hearing] = []
        for plan in self.plans:
            case = plan.case
            if case.next_court_date is None:
                continue
            judge = rng.choice(DEMO_JUDGES)
            held = case.next_court_date - _days(rng.randint(60, 120))
            if held > case.opened_on and held < self.today and kinds:
                hearings.append(
                    Hearing(
                        case=case,
                        day=held,
                        time=datetime.time(rng.choice([8, 9, 10, 13, 14]), rng.choice([0, 30])),
                        hearing_type=rng.choice(kinds[1:6]),
                        court=court,
                        judge=judge,
                        outcome=rng.choice(DEMO_OUTCOMES),
                        created_by=self.coordinator,
                    )
                )
            hearings.append(
                Hearing(
                    case=case,
                    day=case.next_court_date,
                    time=datetime.time(rng.choice([8, 9, 10, 13, 14]), rng.choice([0, 30])),
                    hearing_type=rng.choice(kinds[3:5]) if kinds else None,
                    court=court,
                    judge=judge,
                    created_by=self.coordinator,
                )
            )
        bulk_insert(hearings)
        self.counts["court hearings"] = len(hearings)

    # Mileage and expenses ----------------------------------------------------------------

    def add_mileage_claims(self) -> None:
        """The program's mileage rates (the IRS business rate of each year), and claims from
        the demo Parent Partner and a few others for the year's months: the oldest paid, then
        approved, then waiting for approval; last month is left for the demo to claim, and
        the demo Parent Partner has one claim sent back to change."""
        for year, per_mile in DEMO_MILEAGE_RATES:
            MileageRate.objects.get_or_create(
                program=self.program,
                starts_on=datetime.date(year, 1, 1),
                defaults={"per_mile": per_mile, "created_by": self.coordinator},
            )
        approver = self.coordinator
        if approver is None:
            return
        last_month = mentoring_selectors.month_start(self.today) - _days(1)
        months = []
        month = mentoring_selectors.first_claimable_month(self.today)
        while month < mentoring_selectors.month_start(last_month):
            months.append(month)
            month = mentoring_selectors.next_month(month)
        claimants = sorted(self.partners, key=lambda partner: not partner.is_demo)[:4]
        count = 0
        for partner in claimants:
            actor = partner.record.user or approver
            for index, month in enumerate(months):
                age = len(months) - index  # 1: the month before last
                expenses = []
                if index % 3 == 0:
                    expenses.append(
                        {
                            "spent_on": month + _days(9),
                            "description": "Parking at the courthouse",
                            "amount": Decimal("6.00"),
                        }
                    )
                try:
                    claim = mentoring_services.claim_submit(
                        actor=actor, partner=partner.record, month=month, expenses=expenses
                    )
                except ValidationError:
                    continue  # nothing driven that month
                count += 1
                # The demo Parent Partner's newest claim was sent back; everyone's next
                # waits for approval, the one before is approved, older ones are paid.
                age -= 1 if partner.is_demo else 0
                if age == 0:
                    mentoring_services.claim_decide(
                        actor=approver,
                        claim=claim,
                        approve=False,
                        note="Please add the parking receipt for the court date.",
                        expected_version=1,
                    )
                if age >= 2:
                    mentoring_services.claim_decide(
                        actor=approver, claim=claim, approve=True, note="", expected_version=1
                    )
                if age >= 3:
                    mentoring_services.claim_pay(
                        actor=approver,
                        claim=claim,
                        paid_on=self.today,
                        reference=f"Check {1000 + count}",
                        expected_version=2,
                    )
                # Dated as they happened: sent early in the next month, approved a week
                # later, paid a week after that.
                sent = mentoring_selectors.next_month(month) + _days(2)
                ExpenseClaim.objects.filter(pk=claim.pk).update(
                    submitted_at=_at(sent, 9),
                    decided_at=_at(min(sent + _days(7), self.today), 8) if age != 1 else None,
                    paid_on=min(sent + _days(14), self.today) if age >= 3 else None,
                )
        self.counts["mileage claims"] = count

    # Goals and progress ------------------------------------------------------------------

    def author(self, partner: PartnerPlan) -> User | None:
        return partner.record.user or self.pp_coordinator

    def goal_texts(self, plan: CasePlan) -> list[str]:
        rng = self.rng
        texts: list[str] = []
        for need in plan.referral.needs:
            texts.extend(GOALS_BY_NEED.get(need, ()))
        texts.extend(COMMON_GOALS)
        texts = list(dict.fromkeys(texts))
        count = _weighted(rng, [(1, 30), (2, 45), (3, 25)])
        chosen = texts[: max(1, count - 1)]
        rest = [text for text in texts if text not in chosen]
        while len(chosen) < count and rest:
            chosen.append(rest.pop(rng.randrange(len(rest))))
        return chosen

    def goal_status(self, plan: CasePlan) -> str:
        rng = self.rng
        case = plan.case
        if case.status == CaseStatus.CLOSED:
            met = 75 if case.closure_outcome != ClosureOutcome.DISENGAGED else 15
            return _weighted(
                rng,
                [(GoalStatus.MET, met), (GoalStatus.WORKING, 90 - met), (GoalStatus.CHANGED, 10)],
            )
        if (self.today - case.opened_on).days > 90:
            return _weighted(
                rng, [(GoalStatus.WORKING, 75), (GoalStatus.MET, 20), (GoalStatus.CHANGED, 5)]
            )
        return GoalStatus.WORKING

    def add_goals(self) -> None:
        rng = self.rng
        goals: list[CaseGoal] = []
        progress: list[GoalProgress] = []
        for plan in self.plans:
            partner = plan.segments[0].partner
            last_day = min(plan.case.closed_on or self.yesterday, self.yesterday)
            span = (last_day - plan.case.opened_on).days
            for text in self.goal_texts(plan):
                goal = CaseGoal(
                    case=plan.case,
                    text=text,
                    status=self.goal_status(plan),
                    created_by=self.author(partner),
                    created_at=plan.assigned_at,  # written when the case opened
                )
                goals.append(goal)
                notes = rng.randint(0, 3) if span > 7 else 0
                days = sorted(rng.randint(1, span) for _ in range(notes))
                for index, offset in enumerate(days):
                    day = plan.case.opened_on + _days(offset)
                    is_last = index == len(days) - 1
                    note = rng.choice(PROGRESS_NOTES)
                    if is_last and goal.status == GoalStatus.MET:
                        note = MET_NOTE
                    progress.append(
                        GoalProgress(
                            goal=goal,
                            note=note,
                            author=self.author(plan.partner_on(day)),
                            at=_at(day, rng.randint(9, 17), rng.choice([0, 15, 30, 45])),
                            shared_with_referrer=rng.random() < 0.8,
                        )
                    )
        bulk_insert(goals)
        bulk_insert(progress)
        self.counts["goals"] = len(goals)
        self.counts["progress notes"] = len(progress)

    # Contacts ----------------------------------------------------------------------------

    def contact_days(self, plan: CasePlan) -> list[datetime.date]:
        """A contact every five to nine days (weekends mostly moved to the Friday)."""
        rng = self.rng
        opened_on = plan.case.opened_on
        until = plan.contacts_until or self.yesterday
        days: list[datetime.date] = []
        day = opened_on + _days(rng.randint(0, 3))
        while day <= until:
            if day.weekday() >= 5 and rng.random() < 0.75:
                days.append(max(_workday(day), opened_on))
            else:
                days.append(day)
            day += _days(rng.randint(5, 9))
        if plan.recent_contact and (not days or days[-1] < self.today - _days(7)):
            days.append(max(self.yesterday - _days(rng.randint(0, 3)), opened_on))
        return days

    def school_age(self, plan: CasePlan, day: datetime.date) -> bool:
        return any(5 <= (_age_on(birth, day) or 0) <= 18 for birth in plan.child_birth_dates)

    def resource_for(self, plan: CasePlan) -> Resource:
        wanted = {NEED_RESOURCES[need] for need in plan.referral.needs if need in NEED_RESOURCES}
        matching = [resource for resource in self.resources if resource.category in wanted]
        return self.rng.choice(matching or self.resources)

    def activity(self, plan: CasePlan, day: datetime.date) -> dict[str, Any]:
        """A contact, as the row ``bulk_insert_rows`` writes (a million of them at
        ``--scale 1000``: model instances would take longer to make than to save)."""
        rng = self.rng
        kind = _weighted(rng, ACTIVITY_WEIGHTS)
        if kind == ActivityType.IEP_MEETING and not self.school_age(plan, day):
            kind = ActivityType.CHECK_IN
        mode = _weighted(rng, MODES[kind])
        low, high = DURATIONS[kind]
        duration = 15 if mode == ContactMode.TEXT else rng.randint(low // 5, high // 5) * 5
        always, sometimes = PRESENT[kind]
        present = [*always, *(who for who in sometimes if rng.random() < 0.35)]
        partner = plan.partner_on(day)
        logged_at = min(
            _at(day, rng.randint(8, 17), rng.choice([0, 10, 15, 20, 30, 40, 45, 50])), self.now
        )
        # Parent Partners leave the optional time out now and then; nothing is made up.
        time_given = rng.random() < TIME_GIVEN_SHARE
        activity: dict[str, Any] = {
            "client_uuid": uuid.UUID(int=rng.getrandbits(128)),
            "case_id": plan.case.pk,
            "program_id": self.program.pk,
            "parent_partner_id": partner.record.pk,
            "occurred_on": day,
            "occurred_time": timezone.localtime(logged_at).time() if time_given else None,
            "duration_minutes": duration,
            "activity_type": kind,
            "mode": mode,
            "present": present,
            "notes": rng.choice(NOTES[kind]),
            "created_by_id": partner.record.user_id,
            "created_at": logged_at,  # logged when it happened
            "review_status": ReviewStatus.WAITING,
        }
        if mode == ContactMode.IN_PERSON:
            activity["mileage"] = Decimal(rng.randint(15, 350)) / 10
            if kind == ActivityType.COURT_HEARING:
                activity["location"] = self.demo.courthouse
            elif kind in LOCATIONS:
                activity["location"] = rng.choice(LOCATIONS[kind])
        if kind == ActivityType.RESOURCE_LINKAGE:
            resource = self.resource_for(plan)
            activity["resource_id"] = resource.pk
            if mode == ContactMode.IN_PERSON:
                activity["location"] = resource.name
        if rng.random() < 0.4:
            activity["next_step"] = rng.choice(NEXT_STEPS)
        self.review(activity, day)
        return activity

    def review(self, activity: dict[str, Any], day: datetime.date) -> None:
        rng = self.rng
        if (self.today - day).days > REVIEW_DAYS:
            activity["review_status"] = ReviewStatus.SIGNED_OFF
            activity["reviewed_by_id"] = self.pp_coordinator_id
            reviewed_on = day + _days(rng.randint(1, 4))
            activity["reviewed_at"] = _at(reviewed_on, rng.randint(9, 16), rng.choice([0, 30]))
        elif rng.random() < 0.08:
            self.send_back(activity)

    def send_back(self, activity: dict[str, Any]) -> None:
        logged_at = activity["created_at"]
        reviewed_at = logged_at + datetime.timedelta(hours=self.rng.randint(2, 26))
        if reviewed_at > self.now:
            reviewed_at = min(logged_at + datetime.timedelta(hours=1), self.now)
        activity["review_status"] = ReviewStatus.SENT_BACK
        activity["reviewed_by_id"] = self.pp_coordinator_id
        activity["reviewed_at"] = reviewed_at
        activity["review_comment"] = self.rng.choice(SEND_BACK_COMMENTS)

    def add_activities(self) -> None:
        activities: list[dict[str, Any]] = []
        for plan in self.plans:
            for day in self.contact_days(plan):
                activities.append(self.activity(plan, day))
        self.ensure_sent_back(activities)
        bulk_insert_rows(Activity, activities)
        self.counts["contacts"] = len(activities)

    def add_follow_ups(self) -> None:
        """Each open case's latest next step is its Parent Partner's follow-up, due a week
        after the contact (so some are overdue, as in life), and the coordinator has one
        on a case: to call the social worker before the next hearing."""
        latest: dict[int, Activity] = {}
        contacts = (
            Activity.objects.filter(program=self.program, case__status=CaseStatus.OPEN)
            .exclude(next_step="")
            .select_related("parent_partner")
            .order_by("case_id", "-occurred_on", "-id")
        )
        for contact in contacts:
            latest.setdefault(contact.case_id, contact)
        follow_ups = [
            FollowUp(
                case_id=contact.case_id,
                what=contact.next_step,
                due_on=contact.occurred_on + _days(7),
                owner_id=contact.parent_partner.user_id,
                from_contact=contact,
                created_by_id=contact.parent_partner.user_id,
            )
            for contact in latest.values()
            if contact.parent_partner.user_id
        ]
        if self.pp_coordinator is not None and latest:
            case_id = min(latest)
            follow_ups.append(
                FollowUp(
                    case_id=case_id,
                    what="Call the social worker about the next hearing",
                    due_on=self.today + _days(3),
                    owner=self.pp_coordinator,
                    created_by=self.pp_coordinator,
                )
            )
        FollowUp.objects.bulk_create(follow_ups, batch_size=1000)
        self.counts["follow-ups"] = len(follow_ups)

    def add_notifications(self) -> None:
        """What the bell has told the demo's people, so it is not empty on a first visit:
        the Program Coordinators heard of the latest referrals as they arrived, the
        Parent Partner of a contact sent back, their latest case and their follow-ups due.
        Keyed as the services and the daily job key them, so neither tells them twice;
        all but the newest few are read already."""
        made: list[Notification] = []

        def tell(
            user: User | None, kind: str, key: str, url: str, when: datetime.datetime, **params: Any
        ) -> None:
            if user is not None:
                made.append(
                    Notification(
                        recipient=user,
                        kind=kind,
                        key=key,
                        url=url,
                        params=params,
                        program=self.program,
                        created_at=min(when, self.now),
                    )
                )

        arrived = Referral.objects.filter(program=self.program).order_by("-received_on", "-id")[:6]
        for coordinator in {self.coordinator, self.pp_coordinator} - {None}:
            for referral in arrived:
                tell(
                    coordinator,
                    NotificationKind.REFERRAL_ARRIVED,
                    str(referral.pk),
                    reverse("referrals:detail", args=[referral.pk]),
                    _at(referral.received_on, 9, 0),
                    number=referral.number,
                    day=referral.received_on.isoformat(),
                )
        user = self.demo_user
        if user is not None:
            sent_back = Activity.objects.filter(
                program=self.program,
                parent_partner__user=user,
                review_status=ReviewStatus.SENT_BACK,
            ).select_related("case__referral")
            for contact in sent_back:
                tell(
                    user,
                    NotificationKind.CONTACT_SENT_BACK,
                    f"{contact.pk}:{contact.version}",
                    reverse("mentoring:activity_edit", args=[contact.pk]),
                    contact.reviewed_at or self.now,
                    number=contact.case.referral.number,
                    day=contact.occurred_on.isoformat(),
                )
            latest = (
                Assignment.objects.filter(parent_partner__user=user, ended_on__isnull=True)
                .select_related("case__referral")
                .order_by("-started_on", "-id")
                .first()
            )
            if latest is not None:
                tell(
                    user,
                    NotificationKind.CASE_ASSIGNED,
                    str(latest.pk),
                    reverse("mentoring:case_detail", args=[latest.case_id]),
                    _at(latest.started_on, 10, 0),
                    number=latest.case.referral.number,
                )
            due = FollowUp.objects.filter(
                owner=user, done_at__isnull=True, due_on__lte=self.today
            ).select_related("case__referral")
            for follow_up in due:
                weeks_late = (self.today - follow_up.due_on).days // 7
                tell(
                    user,
                    NotificationKind.FOLLOW_UP_DUE,
                    follow_up_key(follow_up, self.today),
                    reverse("mentoring:case_detail", args=[follow_up.case_id]),
                    _at(follow_up.due_on + _days(7 * weeks_late), 7, 0),
                    number=follow_up.case.referral.number,
                    day=follow_up.due_on.isoformat(),
                )
        # Oldest first, so a later one has the higher id (the bell lists by time, then id),
        # and each person's newest three stay unread.
        made.sort(key=lambda notification: notification.created_at)
        unread_left: dict[int, int] = {}
        for notification in reversed(made):
            left = unread_left.setdefault(notification.recipient.pk, 3)
            if left:
                unread_left[notification.recipient.pk] = left - 1
            else:
                notification.read_at = notification.created_at
        Notification.objects.bulk_create(made, ignore_conflicts=True)
        self.counts["notifications"] = len(made)

    def ensure_sent_back(self, activities: list[dict[str, Any]]) -> None:
        """The demo Parent Partner has a contact to fix: their latest one not signed off."""
        demo = next((partner for partner in self.partners if partner.is_demo), None)
        if demo is None:
            return
        theirs = [a for a in activities if a["parent_partner_id"] == demo.record.pk]
        if not theirs or any(a["review_status"] == ReviewStatus.SENT_BACK for a in theirs):
            return
        waiting = [a for a in theirs if a["review_status"] == ReviewStatus.WAITING]
        latest = max(waiting or theirs, key=lambda activity: activity["created_at"])
        self.send_back(latest)

    # Surveys -----------------------------------------------------------------------------

    def answers(self, weights: Sequence[tuple[int, int]]) -> dict[str, int]:
        return {
            question["key"]: _weighted(self.rng, weights) for question in self.instrument.questions
        }

    def add_surveys(self) -> None:
        rng = self.rng
        responses: list[SurveyResponse] = []
        for plan in self.plans:
            case = plan.case
            if rng.random() < 0.8:
                answered_on = min(case.opened_on + _days(rng.randint(0, 7)), self.today)
                if case.closed_on is not None:
                    answered_on = min(answered_on, case.closed_on)
                answers = self.answers(INTAKE_ANSWERS)
                responses.append(
                    SurveyResponse(
                        case=case,
                        instrument=self.instrument,
                        timing=SurveyTiming.INTAKE,
                        answered_on=answered_on,
                        answers=answers,
                        score=_score(answers),
                    )
                )
            if case.closed_on is not None and rng.random() < 0.7:
                answers = self.answers(CLOSURE_ANSWERS)
                responses.append(
                    SurveyResponse(
                        case=case,
                        instrument=self.instrument,
                        timing=SurveyTiming.CLOSURE,
                        answered_on=case.closed_on,
                        answers=answers,
                        score=_score(answers),
                    )
                )
        bulk_insert(responses)
        self.counts["surveys"] = len(responses)

    # Supervision, clinical support and training ------------------------------------------

    def add_supervision(self) -> None:
        rng = self.rng
        sessions: list[SupervisionSession] = []
        start = self.today - _days(DAYS_BACK)
        for partner in self.active_partners():
            if partner.active_on is None:
                continue
            day = max(start, partner.active_on) + _days(rng.randint(0, 13))
            while day < self.today:
                held_on = _workday(day)
                if rng.random() < 0.9:
                    topics = rng.sample(SUPERVISION_TOPICS, rng.randint(1, 3))
                    sessions.append(
                        SupervisionSession(
                            program=self.program,
                            parent_partner=partner.record,
                            supervisor=self.pp_coordinator,
                            held_on=held_on,
                            duration_minutes=rng.choice([30, 45, 60]),
                            topics="; ".join(topics),
                        )
                    )
                day += _days(rng.randint(12, 16))
        bulk_insert(sessions)
        self.counts["supervision sessions"] = len(sessions)

    def add_clinical_support(self) -> None:
        """One session a month for the last 18 months, never yet this month; Rock missed
        one month."""
        rng = self.rng
        first_of_month = self.today.replace(day=1)
        skipped = 5 if self.program.slug == "rock" else None
        sessions: list[ClinicalSupportSession] = []
        attendees: list[list[ParentPartner]] = []
        for months_ago in range(CLINICAL_MONTHS, 0, -1):
            if months_ago == skipped:
                continue
            month = _months_before(first_of_month, months_ago)
            held_on = _workday(month + _days(rng.randint(7, 20)))
            present = [
                partner.record for partner in self.active_partners(held_on) if rng.random() < 0.85
            ]
            sessions.append(
                ClinicalSupportSession(
                    program=self.program,
                    held_on=held_on,
                    facilitator=self.clinician,
                    duration_minutes=rng.choice([60, 60, 90]),
                )
            )
            attendees.append(present)
        ClinicalSupportSession.objects.bulk_create(sessions)
        through = ClinicalSupportSession.attendees.through
        links = [
            through(clinicalsupportsession_id=session.pk, parentpartner_id=partner.pk)
            for session, present in zip(sessions, attendees, strict=True)
            for partner in present
        ]
        through.objects.bulk_create(links, batch_size=BATCH_SIZE)
        self.counts["clinical support sessions"] = len(sessions)

    def add_training(self) -> None:
        rng = self.rng
        records: list[TrainingRecord] = []
        for partner in self.partners:
            started = partner.training_on
            if started is None:
                continue
            if partner.active_on is None:  # in training: a few core topics so far
                done = rng.sample(CORE_TOPICS, rng.randint(2, 4))
                last = self.yesterday
            else:
                done = list(CORE_TOPICS)  # nobody starts work before the core topics
                last = partner.active_on
            for topic in done:
                span = max(0, (last - started).days)
                records.append(self.training(partner, topic, started + _days(rng.randint(0, span))))
            if partner.active_on is not None:
                span = max(0, (self.yesterday - partner.active_on).days)
                for title in rng.sample(OTHER_TRAININGS, rng.randint(1, 4)):
                    day = partner.active_on + _days(rng.randint(0, span))
                    records.append(self.training(partner, TrainingTopic.OTHER, day, title))
        bulk_insert(records)
        self.counts["training records"] = len(records)

    def training(
        self, partner: PartnerPlan, topic: str, day: datetime.date, title: str = ""
    ) -> TrainingRecord:
        rng = self.rng
        return TrainingRecord(
            parent_partner=partner.record,
            topic=topic,
            title=title,
            completed_on=min(day, self.yesterday),
            hours=Decimal(rng.randint(3, 12)) / 2,
            provider=rng.choice(TRAINING_PROVIDERS),
        )


def seed(context: DemoContext) -> None:
    """Add Parent Partners, cases and support records to each demo program that has no
    Parent Partner yet (see the module docstring)."""
    # Never date anything after the local (America/Chicago) today the forms check against.
    today = min(context.today, timezone.localdate())
    instrument = default_survey_instrument()
    # Tables only written here (contacts are the largest): none is read back while seeding.
    with indexes_built_after(Activity, CaseGoal, GoalProgress, SurveyResponse):
        for slug in ("door", "rock", "jefferson"):
            program = context.programs.get(slug) or Program.objects.filter(slug=slug).first()
            if program is None or ParentPartner.objects.filter(program=program).exists():
                continue
            seeder = ProgramSeeder(context, program, today, instrument)
            seeder.run()
            context.log.append(seeder.summary())
    school_demo.seed(context, today)
    for slug in ("door", "rock", "jefferson", school_demo.SLUG):
        _participation(slug, today)


def _participation(slug: str, today: datetime.date) -> None:
    """The demo Parent Partner's last three council meetings (a stipend each, paid ten days
    later once that day has come) and a training they presented, unless they have some."""
    partner = ParentPartner.objects.filter(user__username=f"{slug}-parent-partner").first()
    if partner is None or Participation.objects.filter(parent_partner=partner).exists():
        return
    records = []
    for months_ago in (3, 2, 1):
        held = _workday(_months_before(today.replace(day=1), months_ago) + _days(14))
        paid = held + _days(10)
        records.append(
            Participation(
                parent_partner=partner,
                kind=ParticipationKind.COUNCIL,
                title="Local Advisory Council",
                held_on=held,
                hours=Decimal("1.5"),
                amount=Decimal("25.00"),
                paid_on=paid if paid < today else None,
            )
        )
    records.append(
        Participation(
            parent_partner=partner,
            kind=ParticipationKind.TRAINING,
            title="What a parent wishes their caseworker knew (new-worker training)",
            held_on=_workday(today - _days(40)),
            hours=Decimal("2"),
            amount=Decimal("75.00"),
            paid_on=_workday(today - _days(30)),
        )
    )
    Participation.objects.bulk_create(records)
