"""factory-boy factories for every model the tests build."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from faker import Faker

from councils.models import OutreachEvent, ReferralSource
from psp.models import (
    ContractPeriod,
    ContractPhase,
    Membership,
    Program,
    Role,
    RoleLabel,
    School,
    SchoolDistrict,
    User,
)
from referrals.models import (
    Child,
    ConsentMethod,
    DischargeReason,
    Family,
    Language,
    OutOfHomeCareType,
    Parent,
    PlacementChange,
    RaceEthnicity,
    Referral,
    ReferralRequest,
    RemovalEpisode,
    Sender,
    Status,
    Transition,
    normalize_name,
)

TEST_PASSWORD = "a-long-test-password-2026"

# One name source for every person the factories make (staff, parents, children, Parent
# Partners, council members). Names are unique within a test, so a test that checks one
# person's name is absent from a page cannot be fooled by another person sharing it.
# tests/conftest.py clears the record of names used before each test.
NAMES = Faker("en_US")


# Every word of the interface's text (the catalogues hold it, in English and Spanish): a
# person named like one ("Case", "Hope") would be found in any page or e-mail, and a test
# that a name is left out of one could not tell.
_INTERFACE_WORDS = frozenset(
    word.casefold()
    for catalogue in (Path(__file__).resolve().parent.parent / "locale").glob("*/*/django.po")
    for word in re.findall(r"[^\W\d_]+", catalogue.read_text(encoding="utf-8"))
)


def _not_a_word(make: Any) -> str:
    while True:
        name = str(make())
        if name.casefold() not in _INTERFACE_WORDS:
            return name


def unique_first_name() -> str:
    return _not_a_word(NAMES.unique.first_name)


def unique_last_name() -> str:
    return _not_a_word(NAMES.unique.last_name)


def unique_full_name() -> str:
    return f"{unique_first_name()} {unique_last_name()}"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyFunction(unique_first_name)
    last_name = factory.LazyFunction(unique_last_name)
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(user: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            user.save()


class ProgramFactory(DjangoModelFactory[Program]):
    class Meta:
        model = Program
        django_get_or_create = ["slug"]

    county = factory.Sequence(lambda n: f"County {n}")
    name = factory.LazyAttribute(lambda program: f"{program.county} PSP")
    slug = factory.LazyAttribute(lambda program: program.county.lower().replace(" ", "-"))
    lead_agency = factory.LazyAttribute(lambda program: f"{program.county} Human Services")


class ContractPeriodFactory(DjangoModelFactory[ContractPeriod]):
    class Meta:
        model = ContractPeriod

    program = factory.SubFactory(ProgramFactory)
    phase = ContractPhase.INITIAL
    starts_on = datetime.date(2021, 1, 1)
    ends_on = datetime.date(2021, 12, 31)


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(ProgramFactory)
    role = Role.PARENT_PARTNER


class SchoolDistrictFactory(DjangoModelFactory[SchoolDistrict]):
    class Meta:
        model = SchoolDistrict

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"District {n}")


class SchoolFactory(DjangoModelFactory[School]):
    class Meta:
        model = School

    district = factory.SubFactory(SchoolDistrictFactory)
    name = factory.Sequence(lambda n: f"School {n}")


class RoleLabelFactory(DjangoModelFactory[RoleLabel]):
    class Meta:
        model = RoleLabel

    program = factory.SubFactory(ProgramFactory)
    role = Role.PROGRAM_COORDINATOR
    label = "Family Well-Being Coordinator"


class FamilyFactory(DjangoModelFactory[Family]):
    class Meta:
        model = Family

    program = factory.SubFactory(ProgramFactory)


class ParentFactory(DjangoModelFactory[Parent]):
    class Meta:
        model = Parent

    family = factory.SubFactory(FamilyFactory)
    first_name = factory.LazyFunction(unique_first_name)
    last_name = factory.LazyFunction(unique_last_name)
    birth_date = datetime.date(1992, 5, 17)
    phone = "920-555-0142"
    preferred_language = Language.ENGLISH
    race_ethnicity = RaceEthnicity.WHITE
    consent_to_contact = True
    consent_date = factory.LazyFunction(timezone.localdate)
    consent_method = ConsentMethod.VERBAL
    name_key = factory.LazyAttribute(
        lambda parent: normalize_name(parent.first_name, parent.last_name)
    )


class ChildFactory(DjangoModelFactory[Child]):
    class Meta:
        model = Child
        skip_postgeneration_save = True

    family = factory.SubFactory(FamilyFactory)
    first_name = factory.LazyFunction(unique_first_name)
    last_name = factory.LazyAttribute(
        lambda child: (
            child.family.parents.first().last_name if child.family.parents.exists() else ""
        )
    )
    birth_date = datetime.date(2019, 2, 3)

    @factory.post_generation
    def episode(child: Child, create: bool, extracted: Any, **kwargs: Any) -> None:
        """A stay in care with a first placement with a relative, from ``episode`` (a date;
        default 40 days ago), still open unless ``episode__discharged_on`` (and
        ``episode__discharge_reason``) say otherwise. ``episode=False``: the child has never
        been in care."""
        if not create or extracted is False:
            return
        removed_on = extracted or timezone.localdate() - datetime.timedelta(days=40)
        RemovalEpisodeFactory(child=child, removed_on=removed_on, **kwargs)


class RemovalEpisodeFactory(DjangoModelFactory[RemovalEpisode]):
    class Meta:
        model = RemovalEpisode
        skip_postgeneration_save = True

    child = factory.SubFactory(ChildFactory, episode=False)
    removed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=40))
    discharged_on = None
    discharge_reason = factory.LazyAttribute(
        lambda episode: DischargeReason.REUNIFICATION if episode.discharged_on else ""
    )

    @factory.post_generation
    def setting(episode: RemovalEpisode, create: bool, extracted: Any, **kwargs: Any) -> None:
        """The first placement, on the day of removal: ``setting`` (default with a relative)."""
        if create:
            PlacementChange.objects.create(
                episode=episode,
                started_on=episode.removed_on,
                setting=extracted or OutOfHomeCareType.RELATIVE,
            )


class ReferralFactory(DjangoModelFactory[Referral]):
    """A received referral with one parent and one child, as intake leaves it;
    ``source_event=event`` links it to the outreach event it came from (councils keeps that)."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    family = factory.SubFactory(FamilyFactory)
    program = factory.LazyAttribute(lambda referral: referral.family.program)
    number = factory.Sequence(lambda n: f"TEST-2026-{n:04d}")
    received_on = factory.LazyFunction(timezone.localdate)
    referrer_name = "Megan Schultz"
    referrer_agency = "County CPS"
    referrer_email = "referrer@example.org"
    status = Status.RECEIVED

    @factory.post_generation
    def members(referral: Referral, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted is not False and not referral.family.parents.exists():
            ParentFactory(family=referral.family)
            ChildFactory(family=referral.family)
        if create and not referral.transitions.exists():
            Transition.objects.create(referral=referral, from_status="", to_status=referral.status)

    @factory.post_generation
    def source_event(
        referral: Referral, create: bool, extracted: OutreachEvent | None, **kwargs: object
    ) -> None:
        if create and extracted is not None:
            ReferralSource.objects.create(referral=referral, event=extracted)


class ReferralRequestFactory(DjangoModelFactory[ReferralRequest]):
    """A parent asking for themselves on the program's public page, waiting."""

    class Meta:
        model = ReferralRequest

    program = factory.SubFactory(ProgramFactory)
    sender = Sender.SELF
    parent_first_name = factory.LazyFunction(unique_first_name)
    parent_last_name = factory.LazyFunction(unique_last_name)
    phone = "920-555-0147"
    language = Language.ENGLISH
    message = "I have a court date next month and do not know what to expect."
    parent_agrees = True
