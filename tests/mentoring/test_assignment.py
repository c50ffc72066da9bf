"""Assigning a Parent Partner: suggestions, capacity, reassignment history."""

from __future__ import annotations

import pytest

from mentoring import selectors
from mentoring.models import Assignment, Case, Stage
from psp.models import Role
from referrals.models import Language, Status
from tests.factories import ParentFactory, ReferralFactory
from tests.mentoring.factories import ParentPartnerFactory, assign_case

pytestmark = pytest.mark.django_db


def accepted(program, language=Language.ENGLISH):
    referral = ReferralFactory(family__program=program, status=Status.ACCEPTED, members=False)
    ParentFactory(family=referral.family, preferred_language=language)
    return referral


def test_suggestions_rank_language_then_room(door, make_member):
    spanish_full = ParentPartnerFactory(
        program=door, languages=["en", "es"], capacity=1, last_name="A"
    )
    ParentPartnerFactory(program=door, languages=["es"], capacity=3, last_name="B")
    ParentPartnerFactory(program=door, languages=["en"], capacity=6, last_name="C")
    ParentPartnerFactory(program=door, languages=["es"], stage=Stage.TRAINING, last_name="D")
    ParentPartnerFactory(languages=["es"], last_name="E")  # another program
    spanish_full_user = make_member(door, Role.PARENT_PARTNER)
    spanish_full.user = spanish_full_user
    spanish_full.save()
    assign_case(accepted(door), spanish_full_user)  # now full

    ranked = selectors.assignment_suggestions(accepted(door, Language.SPANISH))
    assert [s.partner.last_name for s in ranked] == ["B", "A", "C"]
    assert [s.remaining for s in ranked] == [3, 0, 6]
    assert ranked[1].over_capacity and ranked[1].language_match


def test_coordinator_assigns_and_the_referral_becomes_assigned(personas, door, client_for):
    partner = ParentPartnerFactory(program=door, user=personas["door_parent_partner"])
    referral = accepted(door)
    client = client_for(personas["door_coordinator"])
    assert "Speaks the family" in client.get(f"/mentoring/assign/{referral.pk}/").content.decode()
    response = client.post(f"/mentoring/assign/{referral.pk}/", {"parent_partner": partner.pk})
    case = Case.objects.get(referral=referral)
    assert response.status_code == 302
    assert response["Location"] == f"/mentoring/cases/{case.pk}/"
    referral.refresh_from_db()
    assert referral.status == Status.ASSIGNED
    assert referral.transitions.last().to_status == Status.ASSIGNED
    assert case.assignments.get().parent_partner == partner
    # The Parent Partner now sees the family.
    pp_client = client_for(personas["door_parent_partner"])
    assert pp_client.get(f"/mentoring/cases/{case.pk}/").status_code == 200
    assert pp_client.get(f"/referrals/{referral.pk}/").status_code == 200


def test_over_capacity_needs_a_confirmation(personas, door, client_for, make_member):
    user = make_member(door, Role.PARENT_PARTNER)
    partner = ParentPartnerFactory(program=door, user=user, capacity=1)
    assign_case(accepted(door), user)
    referral = accepted(door)
    client = client_for(personas["door_coordinator"])
    first = client.post(f"/mentoring/assign/{referral.pk}/", {"parent_partner": partner.pk})
    assert first.status_code == 200
    assert "already has a full caseload" in first.content.decode()
    assert not Case.objects.filter(referral=referral).exists()
    confirmed = client.post(
        f"/mentoring/assign/{referral.pk}/",
        {"parent_partner": partner.pk, "confirm_over_capacity": "True"},
    )
    assert confirmed.status_code == 302
    assert Case.objects.get(referral=referral).assignments.get().over_capacity is True


def test_only_parent_partners_who_can_log_contacts_are_suggested(door):
    ParentPartnerFactory(program=door, last_name="Ready")
    ParentPartnerFactory(program=door, last_name="NoAccount", account=False)
    inactive = ParentPartnerFactory(program=door, last_name="Deactivated")
    assert inactive.user is not None
    inactive.user.is_active = False
    inactive.user.save()
    ranked = selectors.assignment_suggestions(accepted(door))
    assert [s.partner.last_name for s in ranked] == ["Ready"]


def test_assigning_a_family_whose_language_the_partner_does_not_speak_asks_first(
    personas, door, client_for
):
    partner = ParentPartnerFactory(program=door, languages=["en"], first_name="Jenna")
    referral = accepted(door, Language.HMONG)
    client = client_for(personas["door_coordinator"])
    first = client.post(f"/mentoring/assign/{referral.pk}/", {"parent_partner": partner.pk})
    assert first.status_code == 200
    page = first.content.decode()
    assert "Jenna Ortiz does not speak the family" in page.replace(partner.last_name, "Ortiz")
    assert 'name="confirm_language" value="True"' in page
    assert not Case.objects.filter(referral=referral).exists()
    confirmed = client.post(
        f"/mentoring/assign/{referral.pk}/",
        {"parent_partner": partner.pk, "confirm_language": "True"},
    )
    assert confirmed.status_code == 302
    assert Case.objects.get(referral=referral).assignments.get().parent_partner == partner


def test_a_referral_without_recorded_consent_cannot_be_assigned(personas, door, client_for):
    partner = ParentPartnerFactory(program=door)
    referral = accepted(door)
    referral.family.parents.update(consent_to_contact=False, consent_date=None, consent_method="")
    response = client_for(personas["door_coordinator"]).post(
        f"/mentoring/assign/{referral.pk}/", {"parent_partner": partner.pk}
    )
    assert response.status_code == 200
    assert "Record the parent&#x27;s agreement to be contacted" in response.content.decode()
    assert not Case.objects.filter(referral=referral).exists()


def test_reassignment_keeps_history(personas, door, client_for, make_member):
    first_user = personas["door_parent_partner"]
    case = assign_case(accepted(door), first_user)
    second = ParentPartnerFactory(program=door, user=make_member(door, Role.PARENT_PARTNER))
    client = client_for(personas["door_coordinator"])
    client.post(
        f"/mentoring/assign/{case.referral_id}/",
        {"parent_partner": second.pk, "reason": "Family asked for a Spanish speaker"},
    )
    history = list(Assignment.objects.filter(case=case).order_by("id"))
    assert [a.parent_partner.user for a in history] == [first_user, second.user]
    assert history[0].ended_on is not None
    assert history[0].end_reason == "Family asked for a Spanish speaker"
    assert history[1].ended_on is None
    # The first Parent Partner no longer sees the family.
    assert client_for(first_user).get(f"/mentoring/cases/{case.pk}/").status_code == 404


def test_only_accepted_referrals_can_be_assigned(personas, door, client_for):
    referral = ReferralFactory(family__program=door, status=Status.SCREENING)
    partner = ParentPartnerFactory(program=door)
    response = client_for(personas["door_coordinator"]).post(
        f"/mentoring/assign/{referral.pk}/", {"parent_partner": partner.pk}, follow=True
    )
    assert "Accept the referral before assigning" in response.content.decode()
    assert not Case.objects.exists()
