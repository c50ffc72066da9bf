"""Leadership and participation: a Parent Partner's part in councils, committees, trainings
they present and events, with what they were paid for their time."""

from __future__ import annotations

import datetime
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
