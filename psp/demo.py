"""Demo programs and people, as SPEC.md's demo data contract describes.

``seed_demo`` calls ``seed(context)`` here and then in each domain app's ``demo`` module
that has one, in order; each part adds its own records and is safe to run twice.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import TypedDict

from django.utils import timezone

from psp import services
from psp.models import ContractPeriod, ContractPhase, Program, Role, RoleLabel, StatewideRole, User

DEMO_PASSWORD = "psp-demo-2026"  # noqa: S105 - the published demo password

ROLE_SLUGS = {
    Role.PROGRAM_COORDINATOR: "coordinator",
    Role.PARENT_PARTNER_COORDINATOR: "pp-coordinator",
    Role.PARENT_PARTNER: "parent-partner",
    Role.CLINICAL_SUPPORT: "clinical",
    Role.SOCIAL_WORKER: "social-worker",
}


class ProgramSpec(TypedDict):
    slug: str
    name: str
    county: str
    lead_agency: str
    partner_agency: str
    labels: dict[Role, str]  # the program's own names for roles
    people: dict[Role, tuple[str, str]]  # first and last name


PROGRAMS: list[ProgramSpec] = [
    {
        "slug": "door",
        "name": "Door County PSP",
        "county": "Door",
        "lead_agency": "Door County Department of Health and Human Services",
        "partner_agency": "United Way of Door County",
        "labels": {
            Role.PROGRAM_COORDINATOR: "Family Well-Being Coordinator",
            Role.PARENT_PARTNER: "Family Well-Being Specialist",
        },
        "people": {
            Role.PROGRAM_COORDINATOR: ("Vivian", "Grair"),
            Role.PARENT_PARTNER_COORDINATOR: ("Rebecca", "Nicholson"),
            Role.PARENT_PARTNER: ("Tamara", "Olson"),
            Role.CLINICAL_SUPPORT: ("Daniel", "Kerr"),
            Role.SOCIAL_WORKER: ("Megan", "Schultz"),
        },
    },
    {
        "slug": "rock",
        "name": "Rock County PSP",
        "county": "Rock",
        "lead_agency": "Rock County Human Services Department",
        "partner_agency": "",
        "labels": {},
        "people": {
            Role.PROGRAM_COORDINATOR: ("Andrea", "Jimenez"),
            Role.PARENT_PARTNER_COORDINATOR: ("Marcus", "Bell"),
            Role.PARENT_PARTNER: ("Latoya", "Harris"),
            Role.CLINICAL_SUPPORT: ("Susan", "Lindqvist"),
            Role.SOCIAL_WORKER: ("Kevin", "Vang"),
        },
    },
    {
        "slug": "jefferson",
        "name": "Jefferson County PSP",
        "county": "Jefferson",
        "lead_agency": "Jefferson County Human Services",
        "partner_agency": "",
        "labels": {},
        "people": {
            Role.PROGRAM_COORDINATOR: ("Heather", "Kowalski"),
            Role.PARENT_PARTNER_COORDINATOR: ("Rosa", "Delgado"),
            Role.PARENT_PARTNER: ("Amber", "Schmidt"),
            Role.CLINICAL_SUPPORT: ("Paul", "Brenner"),
            Role.SOCIAL_WORKER: ("Mai", "Xiong"),
        },
    },
]


@dataclass
class DemoContext:
    """What the parts of the demo share: the random source, the scale and what exists."""

    rng: random.Random
    scale: int = 1
    today: datetime.date = field(default_factory=timezone.localdate)
    programs: dict[str, Program] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)


def contract_periods(program: Program) -> None:
    """Planning 2020, initial 2021, continued 2022, then yearly renewals (SPEC seeds)."""
    phases: list[tuple[int, ContractPhase, int | None]] = [
        (2020, ContractPhase.PLANNING, None),
        (2021, ContractPhase.INITIAL, None),
    ]
    phases.append((2022, ContractPhase.CONTINUED, None))
    phases += [(2022 + n, ContractPhase.RENEWAL, n) for n in range(1, 5)]
    for year, phase, renewal in phases:
        ContractPeriod.objects.get_or_create(
            program=program,
            starts_on=datetime.date(year, 1, 1),
            defaults={
                "phase": phase,
                "renewal_number": renewal,
                "ends_on": datetime.date(year, 12, 31),
            },
        )


def _user(
    context: DemoContext,
    username: str,
    first: str,
    last: str,
    statewide_role: str = StatewideRole.NONE,
) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        context.users[username] = existing
        return existing
    user = services.user_create(
        actor=None,
        username=username,
        email=f"{username}@example.org",
        password=DEMO_PASSWORD,
        first_name=first,
        last_name=last,
        statewide_role=statewide_role,
    )
    if statewide_role == StatewideRole.ADMINISTRATOR:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    context.users[username] = user
    return user


def seed(context: DemoContext) -> None:
    for spec in PROGRAMS:
        program = Program.objects.filter(slug=spec["slug"]).first()
        if program is None:
            program = services.program_create(
                actor=None,
                slug=spec["slug"],
                name=spec["name"],
                county=spec["county"],
                lead_agency=spec["lead_agency"],
                partner_agency=spec["partner_agency"],
                contact_email=f"psp-{spec['slug']}@example.org",
            )
            context.log.append(f"program {program.name}")
        context.programs[spec["slug"]] = program
        contract_periods(program)
        for role, label in spec["labels"].items():
            RoleLabel.objects.get_or_create(program=program, role=role, defaults={"label": label})
        for role, (first, last) in spec["people"].items():
            user = _user(context, f"{spec['slug']}-{ROLE_SLUGS[role]}", first, last)
            services.membership_grant(actor=None, user=user, program=program, role=role)
    _user(context, "dcf-state", "Jordan", "Reyes", StatewideRole.STATE_STAFF)
    _user(context, "admin", "Site", "Administrator", StatewideRole.ADMINISTRATOR)
