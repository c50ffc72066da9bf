"""factory-boy factories for the councils app's models."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

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
    Stipend,
    StipendStatus,
)
from tests.factories import ProgramFactory, unique_full_name


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


class CouncilFactory(DjangoModelFactory[Council]):
    """A Local Advisory Council; pass ``program=None, kind="state"`` for the state's."""

    class Meta:
        model = Council

    program = factory.SubFactory(ProgramFactory)
    kind = CouncilKind.LOCAL
    name = factory.LazyAttribute(
        lambda council: (
            f"{council.program.name} Local Advisory Council"
            if council.program
            else "State Advisory Council"
        )
    )


class CouncilMemberFactory(DjangoModelFactory[CouncilMember]):
    class Meta:
        model = CouncilMember

    council = factory.SubFactory(CouncilFactory)
    name = factory.LazyFunction(unique_full_name)
    organisation = ""
    council_role = CouncilRole.MEMBER
    lived_experience = False
    email = factory.Sequence(lambda n: f"member{n}@example.org")
    phone = "920-555-0100"
    term_start = factory.LazyFunction(lambda: days_ago(400))
    is_active = True


class MeetingFactory(DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    council = factory.SubFactory(CouncilFactory)
    held_on = factory.LazyFunction(lambda: days_ago(7))
    location = "Human Services building, room 2"
    agenda = "<ul><li>Welcome</li><li>Updates</li></ul>"
    minutes = "<p>The council met.</p>"


class AttendanceFactory(DjangoModelFactory[Attendance]):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    member = factory.SubFactory(
        CouncilMemberFactory, council=factory.SelfAttribute("..meeting.council")
    )
    status = AttendanceStatus.PRESENT


class RecommendationFactory(DjangoModelFactory[Recommendation]):
    class Meta:
        model = Recommendation
        skip_postgeneration_save = True

    council = factory.SubFactory(CouncilFactory)
    title = factory.Sequence(lambda n: f"Offer evening visits ({n})")
    area = RecommendationArea.PRACTICE
    owner = "CPS supervisor"
    proposed_on = factory.LazyFunction(lambda: days_ago(7))
    status = RecommendationStatus.PROPOSED

    @factory.post_generation
    def history(
        recommendation: Recommendation, create: bool, extracted: object, **kwargs: object
    ) -> None:
        if create and not recommendation.status_changes.exists():
            RecommendationStatusChange.objects.create(
                recommendation=recommendation,
                from_status="",
                to_status=RecommendationStatus.PROPOSED,
            )


class StipendFactory(DjangoModelFactory[Stipend]):
    class Meta:
        model = Stipend

    member = factory.SubFactory(CouncilMemberFactory, lived_experience=True)
    awarded_on = factory.LazyFunction(lambda: days_ago(7))
    amount = Decimal("50.00")
    status = StipendStatus.PENDING


class OutreachEventFactory(DjangoModelFactory[OutreachEvent]):
    class Meta:
        model = OutreachEvent

    program = factory.SubFactory(ProgramFactory)
    held_on = factory.LazyFunction(lambda: days_ago(14))
    title = factory.Sequence(lambda n: f"Talk to new CPS workers ({n})")
    audience_type = AudienceType.AGENCY
    organisation = "County CPS"
    attendance = 18
    presenters = "Vivian Grair, Tamara Olson"
