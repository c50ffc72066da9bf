"""A training recorded under the wrong topic counted a core topic as done: its program's
coordinators correct it or delete it, and who is missing which topic follows."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from mentoring.models import CORE_TOPICS, TrainingRecord, TrainingTopic
from psp.models import AuditAction, AuditEntry
from tests.mentoring.factories import ParentPartnerFactory, profile_for

pytestmark = pytest.mark.django_db

DONE_ON = datetime.date(2026, 9, 14)


def trained(partner, topic=CORE_TOPICS[0], **fields):
    values = {"completed_on": DONE_ON, "hours": Decimal("3"), "provider": "Family Voices"}
    values.update(fields)
    return TrainingRecord.objects.create(parent_partner=partner, topic=topic, **values)


def as_posted(record: TrainingRecord, **changes):
    data = {
        "parent_partner": str(record.parent_partner_id),
        "topic": record.topic,
        "title": record.title,
        "completed_on": record.completed_on.isoformat(),
        "hours": str(record.hours),
        "provider": record.provider,
    }
    data.update(changes)
    return data


def test_a_training_under_the_wrong_topic_is_put_right_and_the_topics_follow(
    personas, door, client_for
):
    partner = ParentPartnerFactory(program=door, last_name="Ortiz")
    record = trained(partner, topic=CORE_TOPICS[0])
    client = client_for(personas["door_pp_coordinator"])
    page = client.get("/mentoring/training/").content.decode()
    assert "1 of 9" in page and f'href="/mentoring/training/{record.pk}/edit/"' in page
    assert str(CORE_TOPICS[1].label) in page  # still to do

    response = client.post(
        f"/mentoring/training/{record.pk}/edit/", as_posted(record, topic=CORE_TOPICS[1].value)
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.topic == CORE_TOPICS[1].value
    entry = AuditEntry.objects.get(
        action=AuditAction.UPDATE, object_type="mentoring.trainingrecord"
    )
    assert entry.changes == {"topic": [CORE_TOPICS[0].value, CORE_TOPICS[1].value]}
    assert entry.program_id == door.pk
    after = client.get("/mentoring/training/").content.decode()
    assert "Training saved." in after and "1 of 9" in after


def test_a_correction_with_a_mistake_is_shown_at_the_field_and_nothing_changes(
    personas, door, client_for
):
    record = trained(ParentPartnerFactory(program=door))
    client = client_for(personas["door_coordinator"])
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    for changes, field, message in [
        ({"hours": "0"}, "hours", "Enter the hours, from 0.25 to 200."),
        ({"completed_on": tomorrow.isoformat()}, "completed_on", "cannot be in the future"),
        ({"topic": "no-such-topic"}, "topic", "Select a valid choice"),
    ]:
        response = client.post(
            f"/mentoring/training/{record.pk}/edit/", as_posted(record, **changes)
        )
        text = response.content.decode()
        assert response.status_code == 200
        assert message in text and f'id="id_{field}' in text and "There is a problem" in text
    stored = TrainingRecord.objects.get(pk=record.pk)
    assert (stored.hours, stored.completed_on, stored.topic) == (
        Decimal("3"),
        DONE_ON,
        CORE_TOPICS[0].value,
    )
    assert not AuditEntry.objects.filter(action=AuditAction.UPDATE).exists()


def test_a_training_recorded_twice_is_deleted_after_a_confirmation(personas, door, client_for):
    partner = ParentPartnerFactory(program=door)
    kept = trained(partner)
    twice = trained(partner, topic=TrainingTopic.OTHER, title="Trauma-informed practice")
    client = client_for(personas["door_coordinator"])
    confirm = client.get(f"/mentoring/training/{twice.pk}/delete/").content.decode()
    assert "Delete this training?" in confirm and "Trauma-informed practice" in confirm
    assert TrainingRecord.objects.filter(pk=twice.pk).exists()
    assert client.post(f"/mentoring/training/{twice.pk}/delete/").status_code == 302
    assert list(TrainingRecord.objects.values_list("pk", flat=True)) == [kept.pk]
    entry = AuditEntry.objects.get(action=AuditAction.DELETE)
    assert entry.changes["title"] == "Trauma-informed practice" and entry.program_id == door.pk
    page = client.get("/mentoring/training/").content.decode()
    assert re.search(r"Deleted: [^<]+\.", page) and "Trauma-informed practice" not in page


def test_only_its_programs_coordinators_correct_or_delete_a_training(
    personas, door, rock, client_for
):
    record = trained(profile_for(personas["door_parent_partner"], door.pk))
    for persona, answer in [
        ("door_parent_partner", 403),
        ("rock_coordinator", 404),
        ("state", 404),
        ("admin", 404),
        ("door_social_worker", 404),
    ]:
        client = client_for(personas[persona])
        edit = client.post(f"/mentoring/training/{record.pk}/edit/", as_posted(record, hours="9"))
        gone = client.post(f"/mentoring/training/{record.pk}/delete/")
        assert (persona, edit.status_code, gone.status_code) == (persona, answer, answer)
    assert TrainingRecord.objects.get(pk=record.pk).hours == Decimal("3")
    # Nor can a coordinator move it to another county's Parent Partner.
    rocks = ParentPartnerFactory(program=rock)
    refused = client_for(personas["door_coordinator"]).post(
        f"/mentoring/training/{record.pk}/edit/", as_posted(record, parent_partner=str(rocks.pk))
    )
    assert "Select a valid choice" in refused.content.decode()
    assert TrainingRecord.objects.get(pk=record.pk).parent_partner_id == record.parent_partner_id


def test_the_list_of_trainings_costs_the_same_with_more_records(
    personas, door, client_for, django_assert_max_num_queries
):
    partner = ParentPartnerFactory(program=door)
    trained(partner)
    client = client_for(personas["door_coordinator"])
    client.get("/mentoring/training/")
    with django_assert_max_num_queries(30) as few:
        client.get("/mentoring/training/")
    for number in range(20):
        trained(partner, topic=TrainingTopic.OTHER, title=f"T{number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/mentoring/training/").status_code == 200
