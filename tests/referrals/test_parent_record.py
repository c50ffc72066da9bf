"""A parent's consent to be contacted and their details after intake: no consent date
without consent, accepting needs it recorded, and coordinators correct a parent's record
without silently overwriting anybody."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from psp.models import AuditAction, AuditEntry
from referrals.models import ConsentMethod, Language, Parent, Referral, Status
from tests.factories import ParentFactory, ReferralFactory
from tests.referrals.conftest import intake_data, race_options

pytestmark = pytest.mark.django_db


def parent_data(parent: Parent, version: int, **changes: str) -> dict[str, str]:
    assert parent.birth_date is not None
    data = {
        "first_name": parent.first_name,
        "last_name": parent.last_name,
        "birth_date_day": str(parent.birth_date.day),
        "birth_date_month": str(parent.birth_date.month),
        "birth_date_year": str(parent.birth_date.year),
        "phone": parent.phone,
        "email": parent.email,
        "address": parent.address,
        "preferred_language": parent.preferred_language,
        "race_ethnicity": parent.race_ethnicity,
        "consent_date": parent.consent_date.isoformat() if parent.consent_date else "",
        "consent_method": parent.consent_method,
        "version": str(version),
    }
    if parent.consent_to_contact:
        data["consent_to_contact"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_no_consent_means_no_consent_date(personas, door, client_for):
    client = client_for(personas["door_social_worker"])
    data = intake_data(
        parents=[
            {
                "first_name": "Ana",
                "last_name": "Ruiz",
                "birth_date": datetime.date(1990, 5, 1),
                "consent_to_contact": False,
            }
        ]
    )
    assert data["parents-0-consent_date"] == timezone.localdate().isoformat()  # the default
    response = client.post("/referrals/new/", data)
    assert response.status_code == 302
    parent = Parent.objects.get(first_name="Ana")
    assert parent.consent_to_contact is False
    assert parent.consent_date is None
    assert parent.consent_method == ""
    assert parent.consent_recorded_by is None


def test_consent_is_recorded_with_how_and_by_whom(personas, door, client_for):
    client = client_for(personas["door_social_worker"])
    response = client.post("/referrals/new/", intake_data())
    assert response.status_code == 302
    parent = Parent.objects.get()
    assert parent.consent_to_contact and parent.consent_method == ConsentMethod.VERBAL
    assert parent.consent_date == timezone.localdate()
    assert parent.consent_recorded_by == personas["door_social_worker"]
    assert parent.consent_recorded_at is not None


def test_consent_without_saying_how_is_explained_at_the_field(personas, door, client_for):
    client = client_for(personas["door_social_worker"])
    data = intake_data()
    data["parents-0-consent_method"] = ""
    response = client.post("/referrals/new/", data)
    assert response.status_code == 200
    assert "Choose how the parent agreed." in response.content.decode()
    assert not Referral.objects.exists()


def test_the_database_refuses_a_consent_date_without_consent(door):
    parent = ParentFactory(family__program=door)
    with pytest.raises(IntegrityError), transaction.atomic():
        Parent.objects.filter(pk=parent.pk).update(consent_to_contact=False)


def test_a_referral_without_recorded_consent_cannot_be_accepted(
    personas, door, client_for, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(family__program=door, status=Status.SCREENING)
    parent = referral.family.parents.get()
    Parent.objects.filter(pk=parent.pk).update(
        consent_to_contact=False, consent_date=None, consent_method=""
    )
    client = client_for(personas["door_coordinator"])
    detail = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "No parent's agreement to be contacted is recorded yet." in detail
    page = client.post(
        f"/referrals/{referral.pk}/status/",
        {"to_status": Status.ACCEPTED, "version": str(referral.version)},
        follow=True,
    ).content.decode()
    assert "Record the parent&#x27;s agreement to be contacted" in page
    referral.refresh_from_db()
    assert referral.status == Status.SCREENING

    # The coordinator records it on the parent's page, then accepting works.
    parent.refresh_from_db()
    response = client.post(
        f"/referrals/parents/{parent.pk}/edit/",
        parent_data(
            parent,
            parent.family.version,
            consent_to_contact="on",
            consent_method=ConsentMethod.WRITTEN,
            consent_date=(timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        ),
    )
    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.has_recorded_consent
    assert parent.consent_recorded_by == personas["door_coordinator"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/referrals/{referral.pk}/status/",
            {"to_status": Status.ACCEPTED, "version": str(referral.version)},
        )
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED


def test_coordinator_corrects_a_parents_details(personas, door, client_for):
    referral = ReferralFactory(family__program=door)
    parent = referral.family.parents.get()
    client = client_for(personas["door_coordinator"])
    detail = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert f'href="/referrals/parents/{parent.pk}/edit/"' in detail
    response = client.post(
        f"/referrals/parents/{parent.pk}/edit/",
        parent_data(
            parent,
            referral.family.version,
            first_name="Marisol",
            phone="920-555-0177",
            address="12 Jefferson St, Sturgeon Bay, WI",
            preferred_language=Language.SPANISH,
            birth_date_year="1989",
        ),
    )
    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.first_name == "Marisol"
    assert parent.birth_date is not None and parent.birth_date.year == 1989
    assert parent.address == "12 Jefferson St, Sturgeon Bay, WI"
    assert parent.preferred_language == Language.SPANISH
    assert parent.name_key.startswith("marisol")  # duplicates are found under the new name
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="referrals.parent")
    assert entry.changes["phone"] == ["920-555-0142", "920-555-0177"]
    assert entry.changes["first_name"][1] == "Marisol"


def test_a_parent_never_asked_is_shown_so_and_answered_later(personas, door, client_for):
    referral = ReferralFactory(family__program=door)
    parent = referral.family.parents.get()
    Parent.objects.filter(pk=parent.pk).update(race_ethnicity="")
    client = client_for(personas["door_coordinator"])
    assert "Not asked yet" in client.get(f"/referrals/{referral.pk}/").content.decode()
    url = f"/referrals/parents/{parent.pk}/edit/"
    options = race_options(client.get(url).content.decode(), "race_ethnicity")
    assert options[0] == ("", True, "— Not asked yet —")
    parent.refresh_from_db()
    answered = parent_data(parent, referral.family.version, race_ethnicity="not_reported")
    assert client.post(url, answered).status_code == 302
    parent.refresh_from_db()
    assert parent.race_ethnicity == "not_reported"
    options = race_options(client.get(url).content.decode(), "race_ethnicity")
    assert [option for option in options if option[1]] == [
        ("not_reported", True, "Prefer not to say")
    ]


def test_two_coordinators_correcting_one_parent_do_not_overwrite_each_other(
    personas, door, client_for
):
    referral = ReferralFactory(family__program=door)
    parent = referral.family.parents.get()
    version = referral.family.version
    first = client_for(personas["door_coordinator"])
    second = client_for(personas["door_pp_coordinator"])
    assert (
        first.post(
            f"/referrals/parents/{parent.pk}/edit/", parent_data(parent, version, phone="111")
        ).status_code
        == 302
    )
    response = second.post(
        f"/referrals/parents/{parent.pk}/edit/", parent_data(parent, version, phone="222")
    )
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    assert 'value="222"' in response.content.decode()
    parent.refresh_from_db()
    assert parent.phone == "111"


def test_bad_parent_details_are_shown_at_the_field(personas, door, client_for):
    referral = ReferralFactory(family__program=door)
    parent = referral.family.parents.get()
    client = client_for(personas["door_coordinator"])
    response = client.post(
        f"/referrals/parents/{parent.pk}/edit/",
        parent_data(parent, referral.family.version, first_name="", birth_date_month="13"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["first_name"] == ["Enter the parent's first name."]
    assert "birth_date" in errors
    parent.refresh_from_db()
    assert parent.first_name != ""
