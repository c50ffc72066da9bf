"""Leadership and participation: a Parent Partner's part in councils, committees, trainings
they present and events, with what they were paid for their time."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from mentoring.models import Participation
from psp.models import AuditAction, AuditEntry
from tests.mentoring.factories import ParentPartnerFactory, profile_for

pytestmark = pytest.mark.django_db


def record(partner, **changes):
    today = timezone.localdate()
    data = {
        "parent_partner": str(partner.pk),
        "kind": "training",
        "title": "Child welfare 101 for new foster parents",
        "held_on": (today - datetime.timedelta(days=10)).isoformat(),
        "hours": "2.5",
        "amount": "75.00",
        "paid_on": (today - datetime.timedelta(days=3)).isoformat(),
    }
    data.update(changes)
    return data


def test_a_coordinator_records_a_training_a_parent_partner_presented(personas, door, client_for):
    partner = profile_for(personas["door_parent_partner"], door.pk)
    client = client_for(personas["door_pp_coordinator"])
    response = client.post("/mentoring/participation/", record(partner))
    assert response.status_code == 302
    saved = Participation.objects.get()
    assert (saved.parent_partner, saved.hours, saved.amount) == (
        partner,
        Decimal("2.5"),
        Decimal("75.00"),
    )
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="mentoring.participation", program_id=door.pk
    ).exists()
    page = client.get("/mentoring/participation/").content.decode()
    assert "Child welfare 101 for new foster parents" in page
    assert "A training they presented" in page and "$75.00" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "0", "paid_on": "2026-01-02"}, "paid_on", "Leave the date paid empty"),
        ({"hours": "0"}, "hours", "Enter the hours, from 0.25 to 24."),
        ({"amount": "-5"}, "amount", "Enter an amount from 0 to 10,000."),
        ({"title": ""}, "title", "This field is required."),
    ],
)
def test_mistakes_are_shown_at_the_field_and_nothing_is_saved(
    personas, door, client_for, changes, field, message
):
    partner = profile_for(personas["door_parent_partner"], door.pk)
    response = client_for(personas["door_coordinator"]).post(
        "/mentoring/participation/", record(partner, **changes)
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text and f'id="id_{field}' in text
    assert not Participation.objects.exists()


def test_a_date_in_the_future_is_refused(personas, door, client_for):
    partner = profile_for(personas["door_parent_partner"], door.pk)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client_for(personas["door_coordinator"]).post(
        "/mentoring/participation/", record(partner, held_on=tomorrow, paid_on="")
    )
    assert "The date cannot be in the future." in response.content.decode()
    assert not Participation.objects.exists()


def test_parent_partners_see_their_own_and_other_counties_nothing(personas, door, rock, client_for):
    mine = profile_for(personas["door_parent_partner"], door.pk)
    other = ParentPartnerFactory(program=door)
    rocks = ParentPartnerFactory(program=rock)
    day = timezone.localdate() - datetime.timedelta(days=5)
    for partner, title in [(mine, "Mine"), (other, "Theirs"), (rocks, "Rock's")]:
        Participation.objects.create(
            parent_partner=partner, kind="council", title=title, held_on=day, hours=Decimal(1)
        )
    own = client_for(personas["door_parent_partner"])
    page = own.get("/mentoring/participation/").content.decode()
    assert "Mine" in page and "Theirs" not in page and "Rock&#x27;s" not in page
    assert own.post("/mentoring/participation/", record(mine)).status_code == 403
    coordinator = client_for(personas["door_coordinator"]).get("/mentoring/participation/")
    text = coordinator.content.decode()
    assert "Mine" in text and "Theirs" in text and "Rock&#x27;s" not in text
    # Another county's Parent Partner cannot be chosen in Door's form.
    refused = client_for(personas["door_coordinator"]).post(
        "/mentoring/participation/", record(rocks)
    )
    assert "Select a valid choice" in refused.content.decode()
    assert Participation.objects.count() == 3


def test_the_list_costs_the_same_with_more_records(
    personas, door, client_for, django_assert_max_num_queries
):
    partner = profile_for(personas["door_parent_partner"], door.pk)
    client = client_for(personas["door_coordinator"])
    day = timezone.localdate() - datetime.timedelta(days=2)
    Participation.objects.create(
        parent_partner=partner, kind="council", title="A", held_on=day, hours=Decimal(1)
    )
    client.get("/mentoring/participation/")
    with django_assert_max_num_queries(30) as few:
        client.get("/mentoring/participation/")
    for number in range(20):
        Participation.objects.create(
            parent_partner=partner, kind="committee", title=f"C{number}", held_on=day, hours=1
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/mentoring/participation/").status_code == 200


# --- Correcting and deleting -----------------------------------------------------------------


def unpaid(partner, **fields):
    values = {
        "parent_partner": partner,
        "kind": "council",
        "title": "Local Advisory Council",
        "held_on": timezone.localdate() - datetime.timedelta(days=12),
        "hours": Decimal("1.5"),
        "amount": Decimal("25.00"),
    }
    values.update(fields)
    return Participation.objects.create(**values)


def as_posted(saved: Participation, **changes):
    data = {
        "parent_partner": str(saved.parent_partner_id),
        "kind": saved.kind,
        "title": saved.title,
        "held_on": saved.held_on.isoformat(),
        "hours": str(saved.hours),
        "amount": str(saved.amount),
        "paid_on": saved.paid_on.isoformat() if saved.paid_on else "",
    }
    data.update(changes)
    return data


def test_the_date_paid_is_added_once_the_payment_is_made(at_local, personas, door, client_for):
    """At every hour of the clock matrix, today is a date the payment can be made on."""
    partner = profile_for(personas["door_parent_partner"], door.pk)
    saved = unpaid(partner)
    client = client_for(personas["door_pp_coordinator"])
    listed = client.get("/mentoring/participation/").content.decode()
    assert ">not paid yet</span>" in listed
    assert f'href="/mentoring/participation/{saved.pk}/edit/"' in listed
    today = timezone.localdate()
    response = client.post(
        f"/mentoring/participation/{saved.pk}/edit/", as_posted(saved, paid_on=today.isoformat())
    )
    assert response.status_code == 302, response.content.decode()
    saved.refresh_from_db()
    assert saved.paid_on == today
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="mentoring.participation")
    assert entry.program_id == door.pk
    assert entry.changes == {"paid_on": [None, today.isoformat()]}
    page = client.get("/mentoring/participation/").content.decode()
    assert ">not paid yet</span>" not in page and "Participation saved." in page


def test_a_correction_with_a_mistake_is_shown_at_the_field_and_nothing_changes(
    personas, door, client_for
):
    partner = profile_for(personas["door_parent_partner"], door.pk)
    saved = unpaid(partner)
    client = client_for(personas["door_coordinator"])
    before = saved.held_on - datetime.timedelta(days=1)
    for changes, field, message in [
        ({"paid_on": before.isoformat()}, "paid_on", "Enter a date on or after the participation."),
        ({"hours": "30"}, "hours", "Enter the hours, from 0.25 to 24."),
        ({"title": ""}, "title", "This field is required."),
        ({"held_on": "2026-02-30"}, "held_on", ""),
    ]:
        response = client.post(
            f"/mentoring/participation/{saved.pk}/edit/", as_posted(saved, **changes)
        )
        assert response.status_code == 200
        text = response.content.decode()
        assert message in text and f'id="id_{field}' in text and "There is a problem" in text
    stored = Participation.objects.get(pk=saved.pk)
    assert (stored.paid_on, stored.hours, stored.title) == (None, Decimal("1.5"), saved.title)
    assert not AuditEntry.objects.filter(action=AuditAction.UPDATE).exists()


def test_a_participation_cannot_move_to_another_countys_parent_partner(
    personas, door, rock, client_for
):
    saved = unpaid(profile_for(personas["door_parent_partner"], door.pk))
    rocks = ParentPartnerFactory(program=rock)
    response = client_for(personas["door_coordinator"]).post(
        f"/mentoring/participation/{saved.pk}/edit/",
        as_posted(saved, parent_partner=str(rocks.pk)),
    )
    assert "Select a valid choice" in response.content.decode()
    assert Participation.objects.get(pk=saved.pk).parent_partner_id == saved.parent_partner_id


def test_a_parent_partner_who_has_left_keeps_their_record_correctable(personas, door, client_for):
    """The form offers the Parent Partners at work, and the one the record is about even when
    they have since left the program."""
    former = ParentPartnerFactory(program=door, stage="inactive")
    saved = unpaid(former)
    client = client_for(personas["door_coordinator"])
    form = client.get(f"/mentoring/participation/{saved.pk}/edit/").content.decode()
    assert str(former) in form
    response = client.post(
        f"/mentoring/participation/{saved.pk}/edit/", as_posted(saved, hours="2")
    )
    assert response.status_code == 302
    assert Participation.objects.get(pk=saved.pk).hours == Decimal("2")


def test_a_participation_recorded_twice_is_deleted_after_a_confirmation(personas, door, client_for):
    partner = profile_for(personas["door_parent_partner"], door.pk)
    kept = unpaid(partner)
    twice = unpaid(partner)
    client = client_for(personas["door_coordinator"])
    confirm = client.get(f"/mentoring/participation/{twice.pk}/delete/")
    text = confirm.content.decode()
    assert confirm.status_code == 200 and "Delete this participation?" in text
    assert "Local Advisory Council" in text and "$25.00" in text
    assert Participation.objects.filter(pk=twice.pk).exists()  # a GET deletes nothing
    response = client.post(f"/mentoring/participation/{twice.pk}/delete/")
    assert response.status_code == 302
    assert list(Participation.objects.values_list("pk", flat=True)) == [kept.pk]
    entry = AuditEntry.objects.get(action=AuditAction.DELETE)
    assert entry.object_type == "mentoring.participation" and entry.program_id == door.pk
    assert entry.changes["title"] == "Local Advisory Council" and entry.changes["amount"] == "25.00"
    page = client.get("/mentoring/participation/").content.decode()
    assert re.search(r"Deleted: [^<]*: Local Advisory Council\.", page)
    assert client.post(f"/mentoring/participation/{twice.pk}/delete/").status_code == 404


def test_only_its_programs_coordinators_correct_or_delete_a_participation(
    personas, door, client_for
):
    saved = unpaid(profile_for(personas["door_parent_partner"], door.pk))
    for persona, answer in [
        ("door_parent_partner", 403),
        ("rock_coordinator", 404),
        ("state", 404),
        ("admin", 404),
    ]:
        client = client_for(personas[persona])
        edit = client.post(
            f"/mentoring/participation/{saved.pk}/edit/", as_posted(saved, hours="9")
        )
        gone = client.post(f"/mentoring/participation/{saved.pk}/delete/")
        assert (persona, edit.status_code, gone.status_code) == (persona, answer, answer)
    stored = Participation.objects.get(pk=saved.pk)
    assert stored.hours == Decimal("1.5")
    # The Parent Partner sees their own record, with no link to change it.
    own = client_for(personas["door_parent_partner"]).get("/mentoring/participation/")
    assert "Local Advisory Council" in own.content.decode()
    assert f"/mentoring/participation/{saved.pk}/edit/" not in own.content.decode()
