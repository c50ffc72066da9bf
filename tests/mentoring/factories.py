"""Factories for mentoring records, and a helper that puts a Parent Partner on a case."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from mentoring.models import (
    Activity,
    ActivityType,
    Assignment,
    Case,
    ContactMode,
    Document,
    DocumentType,
    EligibilityBasis,
    ParentPartner,
    Resource,
    ResourceCategory,
    Stage,
)
from psp.models import Role, User
from referrals.models import Referral, Status
from tests.factories import (
    MembershipFactory,
    ProgramFactory,
    UserFactory,
    unique_first_name,
    unique_last_name,
)


class ParentPartnerFactory(DjangoModelFactory[ParentPartner]):
    class Meta:
        model = ParentPartner
        skip_postgeneration_save = True  # ``account`` saves what it changes

    program = factory.SubFactory(ProgramFactory)
    first_name = factory.LazyFunction(unique_first_name)
    last_name = factory.LazyFunction(unique_last_name)
    eligibility_basis = EligibilityBasis.REUNIFIED
    eligibility_date = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=800)
    )
    languages = factory.LazyFunction(lambda: ["en"])
    capacity = 4
    stage = Stage.ACTIVE

    @factory.post_generation
    def account(partner: ParentPartner, create: bool, extracted: object, **kwargs: object) -> None:
        """An active Parent Partner signs in to log contacts: give them an account with a
        Parent Partner membership unless the test passed one (``account=False``: none)."""
        if not create or extracted is False or partner.user_id or partner.stage != Stage.ACTIVE:
            return
        partner.user = UserFactory(first_name=partner.first_name, last_name=partner.last_name)
        MembershipFactory(user=partner.user, program=partner.program, role=Role.PARENT_PARTNER)
        partner.save(update_fields=["user"])


class ResourceFactory(DjangoModelFactory[Resource]):
    class Meta:
        model = Resource

    name = factory.Sequence(lambda n: f"Community Food Pantry {n}")
    category = ResourceCategory.FOOD
    phone = "920-555-0199"


def profile_for(user: User, program_id: int, **fields: object) -> ParentPartner:
    profile = ParentPartner.objects.filter(user=user, program_id=program_id).first()
    if profile is None:
        profile = ParentPartnerFactory(
            user=user,
            program_id=program_id,
            first_name=user.first_name,
            last_name=user.last_name,
            **fields,
        )
    return profile


def assign_case(referral: Referral, user: User, *, opened_days_ago: int = 30) -> Case:
    """An open case for ``referral`` with ``user``'s Parent Partner profile assigned."""
    partner = profile_for(user, referral.program_id)
    opened_on = timezone.localdate() - datetime.timedelta(days=opened_days_ago)
    # A family is referred before its case opens.
    referral.received_on = min(referral.received_on, opened_on)
    Referral.objects.filter(pk=referral.pk).update(
        status=Status.ASSIGNED, received_on=referral.received_on
    )
    case = Case.objects.create(
        referral=referral,
        program_id=referral.program_id,
        family_id=referral.family_id,
        opened_on=opened_on,
    )
    Assignment.objects.create(case=case, parent_partner=partner, started_on=case.opened_on)
    return case


class ActivityFactory(DjangoModelFactory[Activity]):
    class Meta:
        model = Activity

    program = factory.LazyAttribute(lambda activity: activity.case.program)
    parent_partner = factory.LazyAttribute(
        lambda activity: activity.case.assignments.get(ended_on__isnull=True).parent_partner
    )

    class Params:
        at = None  # an aware moment: the date and time of the contact together

    occurred_on = factory.LazyAttribute(
        lambda activity: (
            timezone.localdate(activity.at)
            if activity.at
            else timezone.localdate() - datetime.timedelta(days=2)
        )
    )
    occurred_time = factory.LazyAttribute(
        lambda activity: (
            timezone.localtime(activity.at).time().replace(microsecond=0)
            if activity.at
            else datetime.time(10, 0)
        )
    )
    duration_minutes = 60
    activity_type = ActivityType.HOME_VISIT
    mode = ContactMode.IN_PERSON
    notes = "Talked about the next family time visit."
    mileage = Decimal("12.5")


# The smallest files of each kind a person sends: what their first bytes say is all that is
# read of them.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML_BYTES = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def add_document(
    parent: Case | Referral,
    actor: User,
    *,
    content: bytes = PDF_BYTES,
    name: str = "Signed consent.pdf",
    content_type: str = "application/pdf",
    document_type: str = DocumentType.CONSENT,
    dated_on: datetime.date | None = None,
) -> Document:
    """A document kept through the service, as the upload page keeps it (file stored)."""
    from mentoring import services

    return services.document_add(
        actor=actor,
        parent=parent,
        upload=SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        content_type=content_type,
        data={
            "document_type": document_type,
            "dated_on": dated_on or timezone.localdate() - datetime.timedelta(days=3),
        },
    )
