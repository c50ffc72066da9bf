"""Demo families and referrals for the three demo programs (SPEC.md's demo data contract).

``seed_demo`` calls ``seed(context)`` after ``psp.demo``: for Door, Rock and Jefferson it adds
about ``30 * context.scale`` referrals spread over the last six quarters, each with a family of
one or two parents and one to four children, and the triage steps (transitions) that led to
the referral's status. Names and languages follow the mix of Wisconsin families the programs
serve: Anglo, German, Scandinavian and Polish, Black American, Latino, Hmong, and Menominee,
Ho-Chunk and Oneida.

Everything is drawn from ``context.rng`` and dated relative to ``context.today``, so the same
seed gives the same data. A program that already has a referral is left alone, which makes the
part safe to run twice. Records are written with ``bulk_insert`` (``--scale 100`` is 9,000
referrals) and, being demo data, are not written to the audit log.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.utils import timezone

from psp.demo import DemoContext, bulk_insert, indexes_built_after
from psp.models import Program, User
from referrals.models import (
    Child,
    ConsentMethod,
    CpsCase,
    DeclineReason,
    DischargeReason,
    Family,
    Language,
    Need,
    OutOfHomeCareType,
    Parent,
    PlacementChange,
    RaceEthnicity,
    Referral,
    ReferralRequest,
    RemovalEpisode,
    RemovalReason,
    RequestCloseReason,
    RequestStatus,
    Sender,
    Sex,
    Status,
    Transition,
    Urgency,
    normalize_name,
)

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
REFERRALS_PER_PROGRAM = 30
DAYS_BACK = 548  # six quarters
RECENT_DAYS = 28  # referrals this new are mostly still in triage
OLDER_DAYS = 183  # families referred before this may have reached permanency

T = TypeVar("T")

# --- Names ---------------------------------------------------------------------------------


def _names(text: str) -> tuple[str, ...]:
    """``"Mai, Pa, Mai Yer"`` as a tuple: names are listed comma-separated to keep them short."""
    return tuple(name.strip() for name in text.split(","))


# First names young Wisconsin parents and children commonly have, whatever their family name.
AMERICAN_WOMEN = _names(
    "Ashley, Jessica, Amanda, Brittany, Sarah, Samantha, Stephanie, Heather, Nicole, Kayla, "
    "Megan, Crystal, Amber, Tiffany, Chelsea, Courtney, Kaitlyn, Danielle, Jennifer, Rachel, "
    "Melissa, Alyssa, Taylor, Kelsey, Brianna"
)
AMERICAN_MEN = _names(
    "Michael, Christopher, Joshua, Matthew, Tyler, Cody, Justin, Brandon, Dustin, Travis, "
    "Jacob, Kyle, Ryan, Andrew, Derek, Zachary, Jeremy, Dylan, Austin, Nathan"
)
AMERICAN_CHILDREN = _names(
    "Liam, Noah, Oliver, Emma, Ava, Harper, Mason, Aiden, Brooklyn, Paisley, Wyatt, Carter, "
    "Lily, Grayson, Hunter, Addison, Kinsley, Jaxon, Madison, Chloe, Evelyn, Owen, Easton, "
    "Hazel, Colton, Aubrey, Bentley, Ella"
)


@dataclass(frozen=True)
class Background:
    """Family names, first names, and the race and language answers that go with them."""

    last_names: tuple[str, ...]
    women: tuple[str, ...]
    men: tuple[str, ...]
    children: tuple[str, ...]
    races: tuple[tuple[str, int], ...]
    languages: tuple[tuple[str, int], ...] = ((Language.ENGLISH, 1),)


def _races(main: str, weight: int, multiracial: int) -> tuple[tuple[str, int], ...]:
    """The answer most parents of a background give; the rest say multiracial or decline."""
    not_reported = 100 - weight - multiracial
    return (
        (main, weight),
        (RaceEthnicity.MULTIRACIAL, multiracial),
        (RaceEthnicity.NOT_REPORTED, not_reported),
    )


BACKGROUNDS: dict[str, Background] = {
    "anglo": Background(
        last_names=_names(
            "Smith, Miller, Brown, Davis, Wilson, Moore, Taylor, Thomas, White, Martin, "
            "Thompson, Clark, Lewis, Walker, Hall, Allen, Young, Wright, Baker, Adams, Hill, "
            "Campbell, Mitchell, Carter, Evans, Parker, Collins, Murphy, Cook, Cooper, Reed, "
            "Kelly, Sullivan, O'Brien, McCarthy, Brennan"
        ),
        women=AMERICAN_WOMEN,
        men=AMERICAN_MEN,
        children=AMERICAN_CHILDREN,
        races=_races(RaceEthnicity.WHITE, 82, 8),
    ),
    "german_scandinavian": Background(
        last_names=_names(
            "Schmidt, Schneider, Mueller, Krueger, Wagner, Becker, Hoffmann, Koch, Bauer, "
            "Richter, Klein, Schroeder, Neumann, Zimmerman, Braun, Lange, Vogel, Fischer, Weber, "
            "Meyer, Stoltz, Behrens, Olson, Anderson, Larson, Nelson, Hanson, Peterson, Swenson, "
            "Halvorson, Gunderson, Thorson, Lindquist, Bergstrom, Carlson, Knutson"
        ),
        women=(*AMERICAN_WOMEN, "Heidi", "Kirsten", "Greta", "Britta"),
        men=(*AMERICAN_MEN, "Erik", "Karl", "Lars", "Nils"),
        children=(*AMERICAN_CHILDREN, "Elsa", "Anders", "Ingrid", "Axel"),
        races=_races(RaceEthnicity.WHITE, 88, 4),
    ),
    "polish": Background(
        last_names=_names(
            "Kowalski, Nowak, Wisniewski, Wojcik, Kaminski, Lewandowski, Zielinski, Szymanski, "
            "Dombrowski, Jankowski, Mazur, Krawczyk, Pawlak, Sobczak, Grabowski, Wierzbicki"
        ),
        women=(*AMERICAN_WOMEN, "Katarzyna", "Anna", "Monika"),
        men=(*AMERICAN_MEN, "Stanley", "Tomasz", "Adam"),
        children=(*AMERICAN_CHILDREN, "Zofia", "Jakub", "Lena"),
        races=_races(RaceEthnicity.WHITE, 90, 3),
    ),
    "black": Background(
        last_names=_names(
            "Washington, Williams, Johnson, Brown, Harris, Robinson, Jones, Banks, Coleman, "
            "Henderson, Bryant, Simmons, Gaines, Pryor, Turner, Booker, Hayes, Franklin, Mosley, "
            "Patterson, Stokes, Dixon, Freeman, Holloway, Jackson"
        ),
        women=_names(
            "Jasmine, Destiny, Imani, Brianna, Tiara, Ebony, Monique, Kiara, Aisha, Danielle, "
            "Candace, Shanice, Alexis, Janae, Keyana, Latoya, Tasha, Kierra"
        ),
        men=_names(
            "DeShawn, Marcus, Terrell, Darius, Andre, Jamal, Brandon, Darnell, Antoine, Jerome, "
            "Malik, Devonte, Isaiah, Cedric, Xavier, Jalen"
        ),
        children=_names(
            "Jayden, Zion, Amari, Nevaeh, Aaliyah, Kennedi, Josiah, Kamari, Elijah, Jordyn, "
            "Kendrick, Nia, Jaylen, Ava, Khalil, Zuri, Malachi, Londyn"
        ),
        races=_races(RaceEthnicity.BLACK, 84, 10),
    ),
    "latino": Background(
        last_names=_names(
            "García, Hernández, Martínez, López, González, Rodríguez, Pérez, Sánchez, Ramírez, "
            "Torres, Flores, Rivera, Gómez, Díaz, Morales, Reyes, Cruz, Ortiz, Gutiérrez, "
            "Chávez, Mendoza, Ruiz, Vargas, Castillo"
        ),
        women=_names(
            "María, Guadalupe, Rosa, Ana, Juana, Verónica, Alejandra, Yesenia, Leticia, Daniela, "
            "Marisol, Carmen, Elena, Sofía, Araceli, Maribel"
        ),
        men=_names(
            "José, Juan, Luis, Carlos, Miguel, Jesús, Francisco, Jorge, Alejandro, Eduardo, "
            "Ricardo, Antonio, Óscar, Javier"
        ),
        children=_names(
            "Mateo, Santiago, Sofía, Valentina, Camila, Diego, Emiliano, Isabella, Ximena, "
            "Adrián, Jayden, Ángel, Génesis, Brianna, Yareli, Leonardo, Luz, Damián"
        ),
        races=_races(RaceEthnicity.HISPANIC, 86, 5),
        languages=((Language.SPANISH, 55), (Language.ENGLISH, 45)),
    ),
    "hmong": Background(
        last_names=_names("Vang, Xiong, Yang, Lee, Thao, Her, Moua, Lor, Vue, Chang, Hang, Khang"),
        women=_names("Mai, Pa, Nou, Yer, Kia, Bao, Pang, Zoua, Ka, Mai Yer, Chia, Lia"),
        men=_names("Kou, Tou, Chue, Fue, Neng, Pao, Tong, Xay, Nhia, Doua"),
        children=_names(
            "Mai Nou, Pa Nhia, Kou, Tou, Nou, Yer, Bee, Kaysee, Ethan, Kaylee, Jonah, Gaonou, "
            "Xai, Sophia"
        ),
        races=_races(RaceEthnicity.ASIAN, 90, 3),
        languages=((Language.HMONG, 45), (Language.ENGLISH, 55)),
    ),
    # Menominee, Ho-Chunk and Oneida family names.
    "native": Background(
        last_names=_names(
            "Waukau, Kakkak, Grignon, Tourtillott, Wapoose, Oshkosh, Pyawasit, Sanapaw, "
            "Decorah, Greendeer, Whitewing, Funmaker, Littlegeorge, Blackdeer, Whiterabbit, "
            "Lonetree, Skenandore, Doxtator, Cornelius, Metoxen, Powless, Ninham, Danforth, "
            "Archiquette"
        ),
        women=(*AMERICAN_WOMEN, "Autumn", "Dakota", "Skye", "Mariah", "Raven", "Shawna"),
        men=(*AMERICAN_MEN, "Shane", "Lance", "Wesley", "Ira", "Elliott"),
        children=(*AMERICAN_CHILDREN, "Aiyana", "Kaya", "Takoda", "Sage", "River"),
        races=_races(RaceEthnicity.AMERICAN_INDIAN, 78, 15),
    ),
}

# --- Programs ------------------------------------------------------------------------------


def _mix(**weights: int) -> dict[str, int]:
    """How often each background (a key of ``BACKGROUNDS``) occurs among a county's families."""
    return weights


def _agency(organization: str, unit: str) -> str:
    return f"{organization} \N{EN DASH} {unit}"


@dataclass(frozen=True)
class ProgramDemo:
    """What differs between the counties: who lives there and who refers families."""

    area_code: str
    towns: tuple[str, ...]
    cps_agency: str
    backgrounds: dict[str, int]
    # Referrers outside the child welfare agency: (name, agency).
    others: tuple[tuple[str, str], ...] = ()


PROGRAM_DEMOS: dict[str, ProgramDemo] = {
    "door": ProgramDemo(
        area_code="920",
        towns=_names(
            "Sturgeon Bay, Sister Bay, Egg Harbor, Fish Creek, Forestville, Baileys Harbor, "
            "Brussels"
        ),
        cps_agency=_agency("Door County DHHS", "Child Protective Services"),
        backgrounds=_mix(
            anglo=30, german_scandinavian=30, polish=7, latino=13, black=4, hmong=6, native=10
        ),
        others=(
            ("Kari Jeanquart", _agency("Sturgeon Bay School District", "School Counseling")),
            ("Sara Delfosse", _agency("Southern Door School District", "Student Services")),
            ("Jill Wautier", _agency("Door County Public Health", "Nurse Home Visiting")),
            ("Thomas Mueller", _agency("Door County Circuit Court", "Juvenile Intake")),
        ),
    ),
    "rock": ProgramDemo(
        area_code="608",
        towns=_names("Janesville, Beloit, Milton, Edgerton, Evansville, Clinton"),
        cps_agency=_agency("Rock County Human Services", "Child Protective Services"),
        backgrounds=_mix(
            anglo=22, german_scandinavian=15, polish=5, latino=22, black=22, hmong=8, native=6
        ),
        others=(
            ("Danielle Ortiz", _agency("School District of Janesville", "School Counseling")),
            ("Erin Paulson", _agency("School District of Beloit", "Student Services")),
            ("Brenda Hough", _agency("Rock County Public Health", "Nurse Home Visiting")),
            ("Gregory Simmons", _agency("Rock County Circuit Court", "Juvenile Intake")),
        ),
    ),
    "jefferson": ProgramDemo(
        area_code="920",
        towns=_names(
            "Watertown, Fort Atkinson, Jefferson, Lake Mills, Waterloo, Johnson Creek, Palmyra"
        ),
        cps_agency=_agency("Jefferson County Human Services", "Child Protective Services"),
        backgrounds=_mix(
            anglo=24, german_scandinavian=25, polish=8, latino=25, black=5, hmong=9, native=4
        ),
        others=(
            ("Melissa Krause", _agency("School District of Fort Atkinson", "School Counseling")),
            ("Chue Lee", _agency("Watertown Unified School District", "Student Services")),
            ("Yolanda Reyes", _agency("Jefferson County Health Department", "Public Health")),
            ("Brian Hartwig", _agency("Jefferson County Circuit Court", "Juvenile Intake")),
        ),
    ),
}

STREETS = _names(
    "Main St, Oak St, Maple Ave, Church St, Park Ave, Lincoln Ave, Washington St, Madison St, "
    "Jefferson Ave, Cedar St, Pine St, Lakeview Dr, River Rd, Elm St, Highland Dr, Center Ave, "
    "Mill St, Division St"
)


# --- Referral content ----------------------------------------------------------------------

NEED_WEIGHTS: tuple[tuple[str, int], ...] = (
    (Need.PARENTING, 22),
    (Need.COURT, 20),
    (Need.MENTAL_HEALTH, 14),
    (Need.SUBSTANCE_USE, 14),
    (Need.HOUSING, 12),
    (Need.EMPLOYMENT, 8),
    (Need.DOMESTIC_VIOLENCE, 6),
    (Need.FOOD, 6),
    (Need.EDUCATION, 6),
    (Need.LEGAL, 5),
    (Need.OTHER, 2),
)

REASONS: dict[str, tuple[str, ...]] = {
    Need.PARENTING: (
        "{parent} wants support with parenting and with the visits the case plan sets.",
        "{parent} asked for someone who has been through CPS to talk to about visits.",
        "{parent} is a new parent and feels alone with the case plan.",
    ),
    Need.COURT: (
        "{parent} is confused about the court process and the conditions for return.",
        "{parent} has a permanency hearing coming up and would like a peer to prepare with.",
        "{parent} is overwhelmed by the case plan and missed the last court date.",
    ),
    Need.MENTAL_HEALTH: (
        "{parent} is dealing with depression and wants help staying on track with services.",
        "{parent} has started counseling and would benefit from peer support.",
    ),
    Need.SUBSTANCE_USE: (
        "{parent} recently finished treatment and wants support staying in recovery.",
        "{parent} is in early recovery and is working toward reunification.",
    ),
    Need.HOUSING: (
        "{parent} lost housing after the removal and needs help finding a place for the kids.",
        "{parent} is staying with friends and needs stable housing before the children return.",
    ),
    Need.EMPLOYMENT: (
        "{parent} lost a job and is struggling to keep up with visits and appointments.",
        "{parent} wants help finding work that fits around the visit schedule.",
    ),
    Need.DOMESTIC_VIOLENCE: (
        "{parent} left an abusive partner and needs support and a safety plan.",
        "{parent} is working with the shelter and wants a peer to talk to.",
    ),
    Need.FOOD: (
        "{parent} has trouble getting enough food for the family at the end of the month.",
    ),
    Need.EDUCATION: (
        "{parent} wants help getting ready for the children's IEP meetings at school.",
        "{parent} is worried about the oldest child's school attendance.",
    ),
    Need.LEGAL: ("{parent} has questions about a custody order and needs help finding legal aid.",),
    Need.OTHER: (
        "{parent} asked to be connected with another parent who has been through the system.",
    ),
}

DECLINE_NOTES: dict[str, str] = {
    DeclineReason.NOT_ELIGIBLE: "No open CPS case; shared other community resources instead.",
    DeclineReason.NO_CONSENT: "Parent said they are not interested right now; left our number.",
    DeclineReason.UNREACHABLE: "Called three times and sent a letter; no answer.",
    DeclineReason.NO_CAPACITY: "All Parent Partners are at full caseload right now.",
    DeclineReason.OUT_OF_AREA: "Family lives in another county; referred them to that program.",
    DeclineReason.CASE_CLOSED: "The CPS case closed before the first meeting.",
    DeclineReason.OTHER: "Family already works with another peer mentor program.",
}
DECLINE_WEIGHTS: tuple[tuple[str, int], ...] = (
    (DeclineReason.UNREACHABLE, 28),
    (DeclineReason.NO_CONSENT, 24),
    (DeclineReason.NOT_ELIGIBLE, 14),
    (DeclineReason.CASE_CLOSED, 12),
    (DeclineReason.OUT_OF_AREA, 8),
    (DeclineReason.NO_CAPACITY, 8),
    (DeclineReason.OTHER, 6),
)
WITHDRAWN_NOTES = (
    "The referrer withdrew the referral: the family moved out of state.",
    "The referral was sent twice by mistake.",
    "The parent asked to withdraw the referral.",
    "The referrer withdrew the referral after the case plan changed.",
)
SCREENING_NOTES = (
    "",
    "",
    "Called the parent to explain the program.",
    "Left a voicemail for the parent.",
    "Checked eligibility with the referring worker.",
)
ACCEPTED_NOTES = (
    "",
    "Parent agreed to meet a Parent Partner.",
    "Eligible; the parent is glad to have someone to talk to.",
    "Eligible; first meeting to be scheduled.",
)


# --- Helpers -------------------------------------------------------------------------------


def _weighted(rng: random.Random, pairs: Sequence[tuple[T, int]]) -> T:
    values = [value for value, _ in pairs]
    weights = [weight for _, weight in pairs]
    return rng.choices(values, weights=weights)[0]


def _workday(day: datetime.date) -> datetime.date:
    """The day itself, or the Monday after when it falls on a weekend."""
    if day.weekday() >= 5:
        return day + datetime.timedelta(days=7 - day.weekday())
    return day


def _at(day: datetime.date, minutes_after_nine: int = 0) -> datetime.datetime:
    start = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=CHICAGO)
    return start + datetime.timedelta(minutes=minutes_after_nine)


def _birth_date(rng: random.Random, on: datetime.date, age: int) -> datetime.date:
    """A date of birth that makes someone ``age`` years old on ``on``."""
    return on - datetime.timedelta(days=age * 365 + rng.randint(0, 364))


def _ascii(text: str) -> str:
    return "".join(char for char in normalize_name(text) if char.isalnum())


def _user(context: DemoContext, username: str) -> User | None:
    user = context.users.get(username)
    if user is None:
        user = User.objects.filter(username=username).first()
        if user is not None:
            context.users[username] = user
    return user


def _program_demo(program: Program) -> ProgramDemo:
    demo = PROGRAM_DEMOS.get(program.slug)
    if demo is not None:
        return demo
    return ProgramDemo(
        area_code="608",
        towns=(program.county or "Madison",),
        cps_agency=_agency(f"{program.county} County Human Services", "Child Protective Services"),
        backgrounds={"anglo": 40, "german_scandinavian": 30, "latino": 15, "black": 15},
    )


# --- Building one program's records --------------------------------------------------------


@dataclass
class _Batch:
    """Unsaved records of one program, written with ``bulk_insert`` in dependency order."""

    families: list[Family] = field(default_factory=list)
    parents: list[Parent] = field(default_factory=list)
    children: list[Child] = field(default_factory=list)
    episodes: list[RemovalEpisode] = field(default_factory=list)
    placements: list[PlacementChange] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)

    def save(self) -> None:
        for records in (
            self.families,
            self.parents,
            self.children,
            self.episodes,
            self.placements,
            self.referrals,
            self.transitions,
        ):
            bulk_insert(records)


class _ProgramSeeder:
    def __init__(self, context: DemoContext, program: Program, today: datetime.date) -> None:
        self.rng = context.rng
        # What the agency records of a child and a removal (sex, removal reasons) is drawn
        # from a stream of its own, so the rest of the demo stays what it was.
        self.agency = random.Random(f"{program.slug}:agency-records")  # noqa: S311 (demo)
        self.program = program
        self.today = today
        self.demo = _program_demo(program)
        self.coordinator = _user(context, f"{program.slug}-coordinator")
        self.social_worker = _user(context, f"{program.slug}-social-worker")
        self.batch = _Batch()

    def run(self, count: int) -> None:
        rng = self.rng
        days: list[datetime.date] = []
        for _ in range(count):
            day = self.today - datetime.timedelta(days=rng.randint(1, DAYS_BACK))
            if day.weekday() >= 5:  # referrals come in on working days: move to the Friday
                day -= datetime.timedelta(days=day.weekday() - 4)
            days.append(day)
        days.sort()
        sequences: dict[int, int] = {}
        for received_on in days:
            sequences[received_on.year] = sequences.get(received_on.year, 0) + 1
            self.referral(received_on, sequences[received_on.year])
        self.batch.save()

    # A family: parents, then children ------------------------------------------------------

    def family(self, received_on: datetime.date) -> tuple[Family, Parent]:
        rng = self.rng
        family = Family(program=self.program)
        self.batch.families.append(family)
        background = BACKGROUNDS[_weighted(rng, list(self.demo.backgrounds.items()))]
        woman = rng.random() < 0.8  # most parents referred are mothers
        parent_age = rng.randint(19, 45)
        first = self.parent(family, background, received_on, woman=woman, age=parent_age)
        last_names = [first.last_name]
        if rng.random() < 0.45:
            other = background
            if rng.random() < 0.15:
                other = BACKGROUNDS[_weighted(rng, list(self.demo.backgrounds.items()))]
            same_name = other is background and rng.random() < 0.6
            second = self.parent(
                family,
                other,
                received_on,
                woman=woman == (rng.random() < 0.05),
                age=max(19, min(45, parent_age + rng.randint(-4, 7))),
                last_name=first.last_name if same_name else None,
                not_named=first.first_name,
                language=first.preferred_language if other is background else None,
            )
            if rng.random() < 0.7:  # most couples live together
                second.address = first.address
            last_names.append(second.last_name)
        self.add_children(family, background, last_names, received_on, parent_age)
        return family, first

    def parent(
        self,
        family: Family,
        background: Background,
        received_on: datetime.date,
        *,
        woman: bool,
        age: int,
        last_name: str | None = None,
        language: str | None = None,
        not_named: str = "",
    ) -> Parent:
        rng = self.rng
        first_name = not_named
        while first_name == not_named:
            first_name = rng.choice(background.women if woman else background.men)
        last_name = last_name or rng.choice(background.last_names)
        language = language or _weighted(rng, background.languages)
        interpreter = language != Language.ENGLISH and rng.random() < 0.5
        consent = rng.random() < 0.9
        email = ""
        if rng.random() < 0.45:
            email = f"{_ascii(first_name)}.{_ascii(last_name)}{rng.randint(1, 99)}@example.com"
        address = ""
        if rng.random() < 0.85:
            address = (
                f"{rng.randint(100, 2999)} {rng.choice(STREETS)}, {rng.choice(self.demo.towns)}, WI"
            )
        parent = Parent(
            family=family,
            first_name=first_name,
            last_name=last_name,
            birth_date=_birth_date(rng, received_on, age),
            phone=f"{self.demo.area_code}-555-01{rng.randint(0, 99):02d}",
            email=email,
            address=address,
            preferred_language=language,
            interpreter_needed=interpreter,
            race_ethnicity=_weighted(rng, background.races),
            name_key=normalize_name(first_name, last_name),
        )
        if consent:
            self.record_consent(parent, received_on)
        self.batch.parents.append(parent)
        return parent

    def record_consent(self, parent: Parent, day: datetime.date) -> None:
        parent.consent_to_contact = True
        parent.consent_date = day
        parent.consent_method = _weighted(
            self.rng, [(ConsentMethod.VERBAL, 70), (ConsentMethod.WRITTEN, 30)]
        )
        parent.consent_recorded_by = self.social_worker
        parent.consent_recorded_at = _at(day)

    def add_children(
        self,
        family: Family,
        background: Background,
        last_names: list[str],
        received_on: datetime.date,
        parent_age: int,
    ) -> None:
        rng = self.rng
        count = _weighted(rng, [(1, 38), (2, 32), (3, 19), (4, 11)])
        oldest = max(0, min(17, parent_age - 17))
        names = rng.sample(background.children, count)
        # Siblings are usually removed on the same day and go home together.
        removed = rng.random() < 0.8
        removal = received_on - datetime.timedelta(days=rng.randint(0, 120))
        days_since = (self.today - received_on).days
        permanency: datetime.date | None = None
        reason = ""
        if removed and days_since > OLDER_DAYS and rng.random() < 0.5:
            permanency = received_on + datetime.timedelta(
                days=rng.randint(45, min(420, days_since - 1))
            )
            reason = _weighted(
                rng,
                [
                    (DischargeReason.REUNIFICATION, 80),
                    (DischargeReason.GUARDIANSHIP, 10),
                    (DischargeReason.RELATIVE_CUSTODY, 10),
                ],
            )
        reasons = self.removal_reasons()
        for index, first_name in enumerate(names):
            days_old = rng.randint(0, oldest * 365 + 364)
            birth = received_on - datetime.timedelta(days=days_old)
            age = days_old // 365
            child = Child(
                family=family,
                first_name=first_name,
                last_name=last_names[0] if rng.random() < 0.85 else rng.choice(last_names),
                birth_date=birth,
                sex=_weighted(self.agency, [(Sex.FEMALE, 49), (Sex.MALE, 49), ("", 2)]),
            )
            child.clean()  # the generator must only make records the forms would accept
            self.batch.children.append(child)
            if not removed or (index > 0 and rng.random() >= 0.9):
                continue
            self.episode(child, max(removal, birth), age, permanency, reason, reasons)
            if permanency is None:
                continue
            since = (self.today - permanency).days
            if since > 90 and rng.random() < 0.05:
                # Removed again after going home: a second stay, still open.
                self.episode(
                    child, permanency + datetime.timedelta(days=rng.randint(14, since - 1)), age
                )

    def episode(
        self,
        child: Child,
        removed_on: datetime.date,
        age: int,
        discharged_on: datetime.date | None = None,
        reason: str = "",
        removal_reasons: list[str] | None = None,
    ) -> None:
        """A stay in care from ``removed_on`` (to ``discharged_on``, if given), with its first
        placement and, for some children, a move."""
        episode = RemovalEpisode(
            child=child,
            removed_on=removed_on,
            discharged_on=discharged_on,
            discharge_reason=reason,
            removal_reasons=self.removal_reasons() if removal_reasons is None else removal_reasons,
        )
        self.batch.episodes.append(episode)
        self.batch.placements.append(
            PlacementChange(episode=episode, started_on=removed_on, setting=self.care_type(age))
        )
        moved_on = removed_on + datetime.timedelta(days=self.rng.randint(20, 200))
        if self.rng.random() < 0.2 and moved_on < (discharged_on or self.today):
            self.batch.placements.append(
                PlacementChange(episode=episode, started_on=moved_on, setting=self.care_type(age))
            )

    def removal_reasons(self) -> list[str]:
        """Why siblings were removed, as the agency records it: neglect and a parent's drug
        use most often (AFCARS's national shares); one in twenty not recorded."""
        if self.agency.random() < 0.05:
            return []
        chances = [
            (RemovalReason.NEGLECT, 0.63),
            (RemovalReason.PARENT_DRUG_ABUSE, 0.38),
            (RemovalReason.CARETAKER_INABILITY, 0.14),
            (RemovalReason.PHYSICAL_ABUSE, 0.13),
            (RemovalReason.INADEQUATE_HOUSING, 0.10),
            (RemovalReason.PARENT_INCARCERATION, 0.07),
            (RemovalReason.PARENT_ALCOHOL_ABUSE, 0.05),
        ]
        chosen = [reason.value for reason, chance in chances if self.agency.random() < chance]
        return chosen or [RemovalReason.NEGLECT.value]

    def care_type(self, age: int) -> str:
        if age >= 12:
            pairs = [
                (OutOfHomeCareType.RELATIVE, 35),
                (OutOfHomeCareType.FOSTER, 35),
                (OutOfHomeCareType.GROUP, 15),
                (OutOfHomeCareType.RESIDENTIAL, 10),
                (OutOfHomeCareType.OTHER, 5),
            ]
        else:
            pairs = [
                (OutOfHomeCareType.RELATIVE, 50),
                (OutOfHomeCareType.FOSTER, 46),
                (OutOfHomeCareType.OTHER, 4),
            ]
        return _weighted(self.rng, pairs)

    # The referral and its triage -----------------------------------------------------------

    def referral(self, received_on: datetime.date, sequence: int) -> None:
        rng = self.rng
        family, parent = self.family(received_on)
        needs: list[str] = []
        wanted = _weighted(rng, [(1, 35), (2, 45), (3, 20)])
        while len(needs) < wanted:
            need = _weighted(rng, NEED_WEIGHTS)
            if need not in needs:
                needs.append(str(need))
        urgency = _weighted(rng, [(Urgency.ROUTINE, 70), (Urgency.SOON, 22), (Urgency.URGENT, 8)])
        referral = Referral(
            program=self.program,
            family=family,
            number=f"{self.program.slug.upper()}-{received_on.year}-{sequence:04d}",
            received_on=received_on,
            urgency=urgency,
            needs=needs,
            reason=rng.choice(REASONS[needs[0]]).format(parent=parent.first_name),
        )
        if self.social_worker is not None and rng.random() < 0.75:
            referral.referred_by = referral.entered_by = self.social_worker
            referral.referrer_name = self.social_worker.get_full_name()
            referral.referrer_agency = self.demo.cps_agency
            referral.referrer_email = self.social_worker.email
        else:
            name, agency = rng.choice(self.demo.others or (("Pat Jensen", ""),))
            first_name, last_name = name.split(" ", 1)
            referral.entered_by = self.coordinator
            referral.referrer_name = name
            referral.referrer_agency = agency
            referral.referrer_email = f"{_ascii(first_name)}.{_ascii(last_name)}@example.org"
        self.triage(referral)
        if referral.status == Status.ACCEPTED and not parent.consent_to_contact:
            # A referral is accepted only once the parent's agreement is recorded.
            self.record_consent(parent, received_on)
        self.batch.referrals.append(referral)

    def target_status(self, received_on: datetime.date) -> str:
        age = (self.today - received_on).days
        if age <= RECENT_DAYS:
            pairs = [
                (Status.RECEIVED, 35),
                (Status.SCREENING, 40),
                (Status.ACCEPTED, 18),
                (Status.DECLINED, 4),
                (Status.WITHDRAWN, 3),
            ]
        elif age <= 2 * RECENT_DAYS:
            pairs = [
                (Status.SCREENING, 12),
                (Status.ACCEPTED, 60),
                (Status.DECLINED, 16),
                (Status.WITHDRAWN, 12),
            ]
        else:
            pairs = [(Status.ACCEPTED, 72), (Status.DECLINED, 16), (Status.WITHDRAWN, 12)]
        return _weighted(self.rng, pairs)

    def triage(self, referral: Referral) -> None:
        """The transitions up to the referral's status, all on days before today."""
        rng = self.rng
        received_on = referral.received_on
        target = self.target_status(received_on)
        steps = [
            Transition(
                referral=referral,
                from_status="",
                to_status=Status.RECEIVED,
                actor=referral.referred_by,
                at=_at(received_on),
            )
        ]
        longest_wait: dict[str, int] = {Urgency.URGENT: 1, Urgency.SOON: 3}
        longest = longest_wait.get(referral.urgency, 5)
        screening_on = _workday(received_on + datetime.timedelta(days=rng.randint(1, longest)))
        if target != Status.RECEIVED and screening_on < self.today:
            steps.append(
                Transition(
                    referral=referral,
                    from_status=Status.RECEIVED,
                    to_status=Status.SCREENING,
                    actor=self.coordinator,
                    at=_at(screening_on, rng.randint(15, 450)),
                    note=rng.choice(SCREENING_NOTES),
                )
            )
            longest = 3 if referral.urgency == Urgency.URGENT else 10
            decided_on = _workday(screening_on + datetime.timedelta(days=rng.randint(1, longest)))
            if target != Status.SCREENING and decided_on < self.today:
                decision = Transition(
                    referral=referral,
                    from_status=Status.SCREENING,
                    to_status=target,
                    actor=self.coordinator,
                    at=_at(decided_on, rng.randint(15, 450)),
                )
                if target == Status.DECLINED:
                    decision.reason = _weighted(rng, DECLINE_WEIGHTS)
                    decision.note = DECLINE_NOTES[decision.reason]
                    referral.decline_reason = decision.reason
                elif target == Status.WITHDRAWN:
                    decision.note = rng.choice(WITHDRAWN_NOTES)
                else:
                    decision.note = rng.choice(ACCEPTED_NOTES)
                steps.append(decision)
        referral.status = steps[-1].to_status
        referral.status_changed_at = steps[-1].at
        # Entered when it came in; so was its family (each family here has one referral).
        referral.created_at = referral.family.created_at = steps[0].at
        self.batch.transitions.extend(steps)


def seed(context: DemoContext) -> None:
    """Add referrals to each demo program that has none yet (see the module docstring)."""
    # Never date anything after the local (America/Chicago) today the forms check against.
    today = min(context.today, timezone.localdate())
    # Nothing here reads these tables back but to see whether a program has referrals yet.
    tables = (Family, Parent, Child, RemovalEpisode, PlacementChange, Referral, Transition)
    with indexes_built_after(*tables):
        for slug in ("door", "rock", "jefferson"):
            program = context.programs.get(slug) or Program.objects.filter(slug=slug).first()
            if program is None or Referral.objects.filter(program=program).exists():
                continue
            count = round(REFERRALS_PER_PROGRAM * context.scale * context.rng.uniform(0.9, 1.1))
            _ProgramSeeder(context, program, today).run(count)
            context.log.append(f"{count} referrals for {program.name}")
    for slug in ("door", "rock", "jefferson"):
        program = context.programs.get(slug) or Program.objects.filter(slug=slug).first()
        if program is not None and not ReferralRequest.objects.filter(program=program).exists():
            _public_requests(program, today)


def _public_requests(program: Program, today: datetime.date) -> None:
    """Requests from the program's public page: two waiting for the coordinator (a parent
    asking in Spanish, an aunt asking for her niece) and one closed as not genuine, on
    working days before today."""

    def _weekday_before(day: datetime.date) -> datetime.date:
        while day.weekday() >= 5:
            day -= datetime.timedelta(days=1)
        return day

    waiting = [
        ReferralRequest(
            program=program,
            sender=Sender.SELF,
            parent_first_name="Yesenia",
            parent_last_name="Fuentes",
            phone="920-555-0161",
            language=Language.SPANISH,
            best_time="Por las tardes",
            children="Mateo 5, Luz 2",
            cps_case=CpsCase.YES,
            message=(
                "Mis hijos están con mi mamá. Quiero hablar con alguien que haya pasado por esto."
            ),
            page_language="es",
            parent_agrees=True,
            received_at=_at(_weekday_before(today - datetime.timedelta(days=1)), 95),
        ),
        ReferralRequest(
            program=program,
            sender=Sender.COMMUNITY,
            sender_name="Pa Houa Xiong",
            sender_relationship="Aunt",
            sender_contact="920-555-0175",
            parent_agrees=True,
            parent_first_name="Mai",
            parent_last_name="Vang",
            phone="920-555-0176",
            language=Language.HMONG,
            children="Kou 7",
            cps_case=CpsCase.UNSURE,
            message="My niece has a hearing soon and feels alone. She said I could ask for her.",
            page_language="en",
            received_at=_at(_weekday_before(today - datetime.timedelta(days=3)), 240),
        ),
    ]
    closed = ReferralRequest(
        program=program,
        sender=Sender.SELF,
        parent_first_name="Best",
        parent_last_name="Deals",
        email="offers@example.com",
        message="Cheap watches, visit our site.",
        page_language="en",
        parent_agrees=True,
        received_at=_at(_weekday_before(today - datetime.timedelta(days=9)), 30),
        status=RequestStatus.CLOSED,
        close_reason=RequestCloseReason.NOT_GENUINE,
        handled_at=_at(_weekday_before(today - datetime.timedelta(days=8)), 60),
    )
    ReferralRequest.objects.bulk_create([*waiting, closed])
