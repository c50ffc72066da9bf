"""Parent Partner profiles: the recruitment pipeline and the one-year eligibility rule."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from mentoring.models import (
    CORE_TOPICS,
    ParentPartner,
    Stage,
    TrainingRecord,
    core_topics_for,
    one_year_after,
)
from mentoring.selectors import readiness_problems
from psp.models import Role
from tests.factories import MembershipFactory, ProgramFactory
from tests.mentoring.factories import ParentPartnerFactory

pytestmark = pytest.mark.django_db


def test_one_year_after_handles_leap_days():
    assert one_year_after(datetime.date(2024, 2, 29)) == datetime.date(2025, 3, 1)
    assert one_year_after(datetime.date(2025, 6, 30)) == datetime.date(2026, 6, 30)


def test_coordinator_adds_an_inquiry(personas, door, client_for):
    client = client_for(personas["door_pp_coordinator"])
    response = client.post(
        "/mentoring/parent-partners/new/",
        {
            "first_name": "Keisha",
            "last_name": "Brown",
            "employer": "partner",
            "eligibility_basis": "reunified",
            "eligibility_date": "2023-04-02",
            "languages": ["en", "es"],
            "capacity": "4",
        },
    )
    partner = ParentPartner.objects.get(last_name="Brown")
    assert response.status_code == 302
    assert partner.stage == Stage.INQUIRY
    assert partner.program == door
    assert list(partner.stage_changes.values_list("to_stage", flat=True)) == [Stage.INQUIRY]


INQUIRY = {
    "first_name": "Keisha",
    "last_name": "Brown",
    "employer": "partner",
    "eligibility_basis": "reunified",
    "eligibility_date": "2023-04-02",
    "languages": ["en"],
    "capacity": "4",
}


def test_a_coordinator_of_two_programs_chooses_the_program(personas, door, rock, client_for):
    coordinator = personas["door_pp_coordinator"]
    MembershipFactory(user=coordinator, program=rock, role=Role.PARENT_PARTNER_COORDINATOR)
    client = client_for(coordinator)
    page = client.get("/mentoring/parent-partners/new/").content.decode()
    assert 'name="program"' in page and "Rock County PSP" in page
    response = client.post("/mentoring/parent-partners/new/", INQUIRY)
    assert response.status_code == 200
    assert "Choose the program they will work in." in response.content.decode()
    assert not ParentPartner.objects.exists()
    client.post("/mentoring/parent-partners/new/", {**INQUIRY, "program": rock.pk})
    assert ParentPartner.objects.get(last_name="Brown").program == rock


def test_a_program_the_coordinator_does_not_run_cannot_be_chosen(personas, door, rock, client_for):
    other = ProgramFactory(county="Kenosha")
    coordinator = personas["door_pp_coordinator"]
    MembershipFactory(user=coordinator, program=rock, role=Role.PARENT_PARTNER_COORDINATOR)
    response = client_for(coordinator).post(
        "/mentoring/parent-partners/new/", {**INQUIRY, "program": other.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ParentPartner.objects.exists()


def test_one_program_means_no_program_question(personas, door, client_for):
    page = client_for(personas["door_pp_coordinator"]).get("/mentoring/parent-partners/new/")
    assert 'name="program"' not in page.content.decode()


def test_activation_is_refused_before_a_full_year_with_the_date_it_becomes_possible(
    personas, door, client_for
):
    reunified = timezone.localdate() - datetime.timedelta(days=200)
    partner = ParentPartnerFactory(
        program=door,
        stage=Stage.TRAINING,
        eligibility_date=reunified,
        user=personas["door_parent_partner"],
    )
    client = client_for(personas["door_coordinator"])
    page = client.post(
        f"/mentoring/parent-partners/{partner.pk}/stage/",
        {"stage": "active", "version": str(partner.version)},
        follow=True,
    ).content.decode()
    expected = one_year_after(reunified)
    assert "can become active on" in page
    assert expected.strftime("%Y") in page
    partner.refresh_from_db()
    assert partner.stage == Stage.TRAINING


def test_activation_needs_an_account_and_the_core_trainings_and_says_what_is_missing(
    personas, door, client_for
):
    partner = ParentPartnerFactory(program=door, stage=Stage.TRAINING, first_name="Rosa")
    for topic in CORE_TOPICS[:2]:
        TrainingRecord.objects.create(
            parent_partner=partner, topic=topic, completed_on=timezone.localdate(), hours=2
        )
    client = client_for(personas["door_coordinator"])
    detail = client.get(f"/mentoring/parent-partners/{partner.pk}/").content.decode()
    assert "Before Rosa can be made active:" in detail
    page = client.post(
        f"/mentoring/parent-partners/{partner.pk}/stage/",
        {"stage": "active", "version": str(partner.version)},
        follow=True,
    ).content.decode()
    partner.refresh_from_db()
    assert partner.stage == Stage.TRAINING
    assert "Rosa has no sign-in account linked." in page
    assert "Rosa has not completed these core trainings yet: " in page
    assert (
        str(CORE_TOPICS[2].label) in page
        and str(CORE_TOPICS[0].label) not in page.split("core trainings yet:")[1].split(".")[0]
    )

    # An account that is not a Parent Partner of Door does not count.
    partner.user = personas["door_social_worker"]
    partner.save()
    assert any("not an active Parent Partner" in p for p in readiness_problems(partner))
    partner.user = personas["door_parent_partner"]
    partner.save()
    for topic in CORE_TOPICS[2:]:
        TrainingRecord.objects.create(
            parent_partner=partner, topic=topic, completed_on=timezone.localdate(), hours=2
        )
    client.post(
        f"/mentoring/parent-partners/{partner.pk}/stage/",
        {"stage": "active", "version": str(partner.version)},
    )
    partner.refresh_from_db()
    assert partner.stage == Stage.ACTIVE


def test_a_program_chooses_its_core_topics(personas, door, rock, client_for):
    client = client_for(personas["door_coordinator"])
    chosen = [CORE_TOPICS[0].value, CORE_TOPICS[4].value]
    assert client.post("/mentoring/training/core-topics/", {"topics": chosen}).status_code == 302
    assert [topic.value for topic in core_topics_for(door.pk)] == chosen
    assert core_topics_for(rock.pk) == list(CORE_TOPICS)  # another program keeps all nine
    partner = ParentPartnerFactory(program=door, stage=Stage.TRAINING, user=None)
    partner.user = personas["door_parent_partner"]
    partner.save()
    for topic in chosen:
        TrainingRecord.objects.create(
            parent_partner=partner, topic=topic, completed_on=timezone.localdate(), hours=1
        )
    assert readiness_problems(partner) == []
    refused = client.post("/mentoring/training/core-topics/", {"topics": []})
    assert "Choose at least one core topic." in refused.content.decode()
    assert (
        client_for(personas["door_pp_coordinator"])
        .get("/mentoring/training/core-topics/")
        .status_code
        == 403
    )


def test_future_eligibility_date_is_refused_at_the_field(personas, door, client_for):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client_for(personas["door_coordinator"]).post(
        "/mentoring/parent-partners/new/",
        {
            "first_name": "A",
            "last_name": "B",
            "employer": "county",
            "eligibility_basis": "reunified",
            "eligibility_date": tomorrow,
            "languages": ["en"],
            "capacity": "3",
        },
    )
    assert response.status_code == 200
    assert "The date cannot be in the future." in response.content.decode()
    assert not ParentPartner.objects.exists()


def test_pipeline_lists_people_by_stage(personas, door, rock, client_for):
    ParentPartnerFactory(program=door, stage=Stage.INQUIRY, last_name="Inquirer")
    ParentPartnerFactory(program=door, stage=Stage.ACTIVE, last_name="Working")
    ParentPartnerFactory(program=rock, stage=Stage.ACTIVE, last_name="Elsewhere")
    page = client_for(personas["door_coordinator"]).get("/mentoring/parent-partners/")
    stages = {
        value: [p.last_name for p in people] for value, _label, people in page.context["stages"]
    }
    assert stages["inquiry"] == ["Inquirer"]
    assert stages["active"] == ["Working"]
    assert "Elsewhere" not in page.content.decode()
