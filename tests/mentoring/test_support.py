"""Supervision, clinical support, training, resources, surveys and the monthly summary."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from mentoring import selectors, services
from mentoring.models import (
    CORE_TOPICS,
    ActivityType,
    ClinicalSupportSession,
    Resource,
    SurveyResponse,
    TrainingRecord,
    TrainingTopic,
)
from referrals.models import Status
from tests.factories import ReferralFactory
from tests.mentoring.factories import (
    ActivityFactory,
    ParentPartnerFactory,
    ResourceFactory,
    assign_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas, door):
    return assign_case(
        ReferralFactory(family__program=door, status=Status.ACCEPTED),
        personas["door_parent_partner"],
    )


@pytest.mark.parametrize(
    ("answers", "score"),
    [
        ({"hope": 2, "supported": 3, "confident": 3}, Decimal("2.67")),
        ({"hope": 5, "supported": 5, "confident": 4}, Decimal("4.67")),
        ({"hope": 1}, Decimal("1.00")),
    ],
)
def test_survey_score_is_the_mean_to_two_places(answers, score):
    assert services.survey_score(answers) == score


def test_survey_answers_out_of_range_are_refused():
    with pytest.raises(ValidationError):
        services.survey_score({"hope": 6})


def test_parent_partner_records_intake_and_closure_surveys(personas, case, client_for):
    client = client_for(personas["door_parent_partner"])
    page = client.get(f"/mentoring/cases/{case.pk}/survey/intake/").content.decode()
    assert "I feel hopeful about my family" in page
    today = timezone.localdate().isoformat()
    missing = client.post(
        f"/mentoring/cases/{case.pk}/survey/intake/", {"answered_on": today, "q_hope": "2"}
    )
    assert "Choose an answer from 1 to 5." in missing.content.decode()
    client.post(
        f"/mentoring/cases/{case.pk}/survey/intake/",
        {"answered_on": today, "q_hope": "2", "q_supported": "3", "q_confident": "3"},
    )
    client.post(
        f"/mentoring/cases/{case.pk}/survey/closure/",
        {"answered_on": today, "q_hope": "4", "q_supported": "5", "q_confident": "4"},
    )
    scores = dict(SurveyResponse.objects.filter(case=case).values_list("timing", "score"))
    assert scores == {"intake": Decimal("2.67"), "closure": Decimal("4.33")}
    detail = client.get(f"/mentoring/cases/{case.pk}/").content.decode()
    assert "2.67 / 5" in detail and "4.33 / 5" in detail


def test_spanish_speaking_parent_gets_the_questions_in_spanish(personas, door, client_for):
    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED, members=False)
    from tests.factories import ParentFactory

    ParentFactory(family=referral.family, preferred_language="es")
    spanish_case = assign_case(referral, personas["door_parent_partner"])
    page = (
        client_for(personas["door_parent_partner"])
        .get(f"/mentoring/cases/{spanish_case.pk}/survey/intake/")
        .content.decode()
    )
    assert "Tengo esperanza en el futuro de mi familia." in page


def test_training_matrix_shows_who_is_missing_which_core_topic(personas, door, client_for):
    partner = ParentPartnerFactory(program=door, last_name="Ortiz")
    for topic in CORE_TOPICS[:-2]:
        TrainingRecord.objects.create(
            parent_partner=partner,
            topic=topic,
            completed_on=datetime.date(2025, 3, 1),
            hours=Decimal("3"),
        )
    TrainingRecord.objects.create(
        parent_partner=partner,
        topic=TrainingTopic.OTHER,
        completed_on=datetime.date(2025, 4, 1),
        hours=Decimal("1.5"),
    )
    [row] = selectors.training_matrix(door.parent_partners.all())
    assert row.missing == [str(CORE_TOPICS[-2].label), str(CORE_TOPICS[-1].label)]
    assert row.hours == Decimal("22.5")  # 7 core topics x 3 hours + 1.5
    page = client_for(personas["door_pp_coordinator"]).get("/mentoring/training/").content.decode()
    assert "Confidentiality, Cultural competency" in page
    assert "7 of 9" in page  # the "other" training is not a core topic


def test_nine_core_topics_and_another_training_count_as_9_of_9(personas, door, client_for):
    partner = ParentPartnerFactory(program=door)
    for topic in [*CORE_TOPICS, TrainingTopic.OTHER]:
        TrainingRecord.objects.create(
            parent_partner=partner, topic=topic, completed_on=datetime.date(2025, 3, 1), hours=1
        )
    [row] = selectors.training_matrix(door.parent_partners.all())
    assert len(row.done) == 9 and row.missing == []
    page = client_for(personas["door_pp_coordinator"]).get("/mentoring/training/").content.decode()
    assert "9 of 9" in page and "10 of 9" not in page


def test_clinical_support_month_without_a_session_is_shown(personas, door, client_for):
    partner = ParentPartnerFactory(program=door)
    last_month = selectors.month_starts(2)[1]
    session = ClinicalSupportSession.objects.create(
        program=door, held_on=last_month + datetime.timedelta(days=3)
    )
    session.attendees.add(partner)
    months = selectors.clinical_months(door.pk, 3)
    assert [len(sessions) for _month, sessions in months] == [0, 1, 0]
    assert selectors.programs_without_clinical_session([door.pk]) == [door.pk]

    client = client_for(personas["door_clinical"])
    page = client.get("/mentoring/clinical-support/").content.decode()
    assert "No session" in page
    client.post(
        "/mentoring/clinical-support/",
        {
            "held_on": timezone.localdate().isoformat(),
            "duration_minutes": "60",
            "attendees": [str(partner.pk)],
        },
    )
    saved = ClinicalSupportSession.objects.latest("id")
    assert saved.facilitator == personas["door_clinical"]
    assert list(saved.attendees.all()) == [partner]
    assert selectors.programs_without_clinical_session([door.pk]) == []


def test_clinical_support_cannot_see_family_records(personas, case, client_for):
    client = client_for(personas["door_clinical"])
    assert client.get(f"/mentoring/cases/{case.pk}/").status_code == 404
    assert client.get(f"/referrals/{case.referral_id}/").status_code == 404
    assert client.get("/mentoring/contacts/").status_code == 403


def test_supervision_session_is_recorded_by_the_coordinator(personas, door, client_for):
    partner = ParentPartnerFactory(program=door)
    client_for(personas["door_pp_coordinator"]).post(
        "/mentoring/supervision/",
        {
            "parent_partner": str(partner.pk),
            "held_on": timezone.localdate().isoformat(),
            "duration_minutes": "45",
            "topics": "Boundaries with a family member",
        },
    )
    session = partner.supervision_sessions.get()
    assert session.supervisor == personas["door_pp_coordinator"]
    assert session.duration_minutes == 45


def test_resource_search_and_create(personas, door, rock, client_for):
    ResourceFactory(program=door, name="Door County Food Pantry")
    ResourceFactory(program=door, name="Legal Action of Wisconsin", category="legal_aid")
    ResourceFactory(program=rock, name="Rock County Food Bank")
    client = client_for(personas["door_parent_partner"])
    page = client.get("/mentoring/resources/", {"q": "food"}).content.decode()
    assert "Door County Food Pantry" in page and "Rock County Food Bank" not in page
    page = client.get("/mentoring/resources/", {"category": "legal_aid"}).content.decode()
    assert "Legal Action of Wisconsin" in page and "Food Pantry" not in page
    bad = client_for(personas["door_coordinator"]).post("/mentoring/resources/new/", {"name": ""})
    assert "Enter the name of the resource." in bad.content.decode()
    client_for(personas["door_coordinator"]).post(
        "/mentoring/resources/new/",
        {
            "name": "Sturgeon Bay Housing Help",
            "category": "housing",
            "website": "housing.example.org",
            "is_active": "on",
        },
    )
    created = Resource.objects.get(name="Sturgeon Bay Housing Help")
    assert created.program == door
    assert created.website == "https://housing.example.org"


def test_monthly_summary_adds_up_the_month(personas, case, client_for):
    month_start = selectors.month_starts(2)[1]
    at = timezone.make_aware(
        datetime.datetime.combine(month_start + datetime.timedelta(days=4), datetime.time(10))
    )
    ActivityFactory(
        case=case,
        at=at,
        duration_minutes=90,
        mileage=Decimal("10.5"),
        activity_type=ActivityType.HOME_VISIT,
    )
    ActivityFactory(
        case=case,
        at=at + datetime.timedelta(days=3),
        duration_minutes=30,
        mileage=Decimal("0"),
        activity_type=ActivityType.CHECK_IN,
        mode="phone",
    )
    ActivityFactory(case=case, at=at + datetime.timedelta(days=40))  # another month
    partner = case.assignments.get().parent_partner
    summary = selectors.monthly_summary(partner, month_start.year, month_start.month)
    assert len(summary.contacts) == 2
    assert summary.total_minutes == 120 and summary.total_hours == Decimal("2.0")
    assert summary.total_miles == Decimal("10.5")
    assert summary.families == 1
    assert {row["activity_type"]: row["count"] for row in summary.by_type} == {
        "home_visit": 1,
        "check_in": 1,
    }
    page = (
        client_for(personas["door_pp_coordinator"])
        .get(
            f"/mentoring/parent-partners/{partner.pk}/summary/{month_start.year}-{month_start.month}/"
        )
        .content.decode()
    )
    assert "Monthly activity summary" in page and "10.5" in page


def test_the_months_miles_are_shown_with_one_place_on_every_database(personas, case, client_for):
    """Three trips whose sum is no float (40.1 + 50.1 + 53.1): SQLite sums in floating point
    and gave back 143.300000000000, which the summary showed and which overflowed a phone's
    width. PostgreSQL and SQLite alike show 143.3."""
    month_start = selectors.month_starts(2)[1]
    at = timezone.make_aware(
        datetime.datetime.combine(month_start + datetime.timedelta(days=4), datetime.time(10))
    )
    for days, miles in enumerate(["40.1", "50.1", "53.1"]):
        ActivityFactory(case=case, at=at + datetime.timedelta(days=days), mileage=Decimal(miles))
    partner = case.assignments.get().parent_partner
    summary = selectors.monthly_summary(partner, month_start.year, month_start.month)
    assert str(summary.total_miles) == "143.3"
    page = (
        client_for(personas["door_pp_coordinator"])
        .get(
            f"/mentoring/parent-partners/{partner.pk}/summary/{month_start.year}-{month_start.month}/"
        )
        .content.decode()
    )
    assert ">143.3</dd>" in page


def test_sessions_and_training_of_today_are_taken_and_tomorrows_refused_at_any_hour(
    at_local, personas, door, client_for
):
    partner = ParentPartnerFactory(program=door)
    coordinator = client_for(personas["door_pp_coordinator"])
    forms: list[tuple[Client, str, dict[str, str | list[str]], str]] = [
        (
            coordinator,
            "/mentoring/supervision/",
            {"parent_partner": str(partner.pk), "duration_minutes": "45", "topics": "Boundaries"},
            "held_on",
        ),
        (
            client_for(personas["door_clinical"]),
            "/mentoring/clinical-support/",
            {"duration_minutes": "60", "attendees": [str(partner.pk)]},
            "held_on",
        ),
        (
            coordinator,
            "/mentoring/training/",
            {
                "parent_partner": str(partner.pk),
                "topic": TrainingTopic.OTHER,
                "title": "Self-care",
                "hours": "2",
                "provider": "DCF",
            },
            "completed_on",
        ),
    ]
    today = at_local.date()
    for client, url, data, date_field in forms:
        tomorrow = client.post(url, {**data, date_field: str(today + datetime.timedelta(days=1))})
        assert tomorrow.status_code == 200, url
        assert tomorrow.context["form"].errors == {
            date_field: ["The date cannot be in the future."]
        }
        response = client.post(url, {**data, date_field: str(today)})
        assert response.status_code == 302, response.context and response.context["form"].errors
    assert partner.supervision_sessions.get().held_on == today
    assert ClinicalSupportSession.objects.get().held_on == today
    assert TrainingRecord.objects.get().completed_on == today
