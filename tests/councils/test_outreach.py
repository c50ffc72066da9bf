"""Outreach events: logged by the program's coordinators, read by state staff, and linked to
the referrals that name them as their source."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from councils.models import AudienceType, OutreachEvent
from councils.views import PAGE_SIZE
from psp.models import AuditAction, AuditEntry, Role
from referrals.models import Referral
from tests.councils.factories import OutreachEventFactory, days_ago
from tests.factories import MembershipFactory, ReferralFactory
from tests.plans import ON_POSTGRES, page_query, rows_read, seq_scans

pytestmark = pytest.mark.django_db


def event_data(**changes: str) -> dict[str, str]:
    return {
        "held_on": days_ago(3).isoformat(),
        "title": "Talk to new CPS workers",
        "audience_type": AudienceType.AGENCY,
        "organisation": "Door County DHHS",
        "attendance": "22",
        "presenters": "Vivian Grair, Tamara Olson",
        "notes": "",
        **changes,
    }


def test_parent_partner_coordinator_logs_an_event(personas, door, client_for):
    client = client_for(personas["door_pp_coordinator"])
    form = client.get("/councils/outreach/new/").context["form"]
    assert form.fields["program"].widget.input_type == "hidden"  # one program: no choice
    response = client.post("/councils/outreach/new/", event_data())
    event = OutreachEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/councils/outreach/{event.pk}/"
    assert event.program == door
    assert event.attendance == 22
    assert event.created_by == personas["door_pp_coordinator"]
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="councils.outreachevent")
    assert entry.program_id == door.pk


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Say what the event was."),
        ({"audience_type": ""}, "audience_type", "Choose who the event was for."),
        ({"attendance": "many"}, "attendance", "Enter a whole number, for example 25."),
        ({"attendance": "-3"}, "attendance", "Enter 0 or more."),
        (
            {"held_on": (timezone.localdate() + datetime.timedelta(days=5)).isoformat()},
            "attendance",
            "Enter the number of people once the event has taken place.",
        ),
    ],
)
def test_bad_input_is_shown_at_the_field(personas, door, client_for, changes, field, message):
    response = client_for(personas["door_coordinator"]).post(
        "/councils/outreach/new/", event_data(notes="Kept notes", **changes)
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert f'href="#id_{field}' in text
    assert "Kept notes</textarea>" in text
    assert not OutreachEvent.objects.exists()


def test_a_coordinator_of_two_programs_chooses_one(personas, door, rock, client_for):
    coordinator = personas["door_coordinator"]
    MembershipFactory(user=coordinator, program=rock, role=Role.PROGRAM_COORDINATOR)
    client = client_for(coordinator)
    response = client.post("/councils/outreach/new/", event_data(program=str(rock.pk)))
    assert response.status_code == 302
    assert OutreachEvent.objects.get().program == rock


def test_editing_refuses_a_stale_copy(personas, door, client_for):
    event = OutreachEventFactory(program=door)
    url = f"/councils/outreach/{event.pk}/edit/"
    first = client_for(personas["door_coordinator"]).post(
        url, event_data(title="First title", version=str(event.version))
    )
    assert first.status_code == 302
    second = client_for(personas["door_pp_coordinator"]).post(
        url, event_data(title="Second title", version=str(event.version))
    )
    assert "Someone else changed this record" in second.content.decode()
    assert 'value="Second title"' in second.content.decode()
    event.refresh_from_db()
    assert event.title == "First title"


def test_detail_lists_the_referrals_it_brought(personas, door, client_for):
    event = OutreachEventFactory(program=door)
    first = ReferralFactory(family__program=door, source_event=event)
    second = ReferralFactory(family__program=door, source_event=event)
    ReferralFactory(family__program=door)  # not from the event

    coordinator_page = client_for(personas["door_coordinator"]).get(
        f"/councils/outreach/{event.pk}/"
    )
    assert coordinator_page.context["referral_total"] == 2
    text = coordinator_page.content.decode()
    assert first.number in text and second.number in text
    assert "Received" in text

    # State staff see how many, but no family records.
    state_page = client_for(personas["state"]).get(f"/councils/outreach/{event.pk}/")
    assert state_page.context["referral_total"] == 2
    text = state_page.content.decode()
    assert first.number not in text and second.number not in text
    assert "You do not see these referrals" in text


def test_other_programs_events_are_not_revealed(personas, door, rock, client_for):
    event = OutreachEventFactory(program=door)
    OutreachEventFactory(program=rock, title="Rock talk")
    client = client_for(personas["rock_coordinator"])
    assert client.get(f"/councils/outreach/{event.pk}/").status_code == 404
    titles = {item.title for item in client.get("/councils/outreach/").context["page"]}
    assert titles == {"Rock talk"}


def test_list_filters_and_counts(personas, door, rock, client_for):
    court = OutreachEventFactory(program=door, audience_type=AudienceType.COURT, title="Court")
    school = OutreachEventFactory(
        program=door, audience_type=AudienceType.SCHOOL, title="School", held_on=days_ago(60)
    )
    OutreachEventFactory(program=rock, title="Rock")
    ReferralFactory(family__program=door, source_event=court)

    def shown(user, **query):
        page = client_for(user).get("/councils/outreach/", query).context["page"]
        return {event.title: event.referral_count for event in page.object_list}

    coordinator = personas["door_coordinator"]
    assert shown(coordinator) == {"Court": 1, "School": 0}
    assert shown(coordinator, audience_type="court") == {"Court": 1}
    assert shown(coordinator, held_to=days_ago(30).isoformat()) == {"School": 0}
    assert shown(coordinator, q="scho") == {"School": 0}
    assert set(shown(personas["state"])) == {"Court", "School", "Rock"}
    assert set(shown(personas["state"], program=rock.pk)) == {"Rock"}
    assert school.pk


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow(
    personas, door, client_for, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        event = OutreachEventFactory(program=door)
        ReferralFactory(family__program=door, source_event=event, members=False)
    client = client_for(personas["door_coordinator"])
    with django_assert_max_num_queries(13):
        response = client.get("/councils/outreach/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(rows, 25)


# --- The referral form names the event -------------------------------------------------------


def test_coordinator_entering_a_referral_names_the_event(
    personas, door, rock, client_for, intake_data
):
    event = OutreachEventFactory(program=door, held_on=days_ago(10))
    OutreachEventFactory(program=door, held_on=days_ago(400), title="Too old to offer")
    OutreachEventFactory(program=rock, title="Rock's event")
    client = client_for(personas["door_coordinator"])
    form = client.get("/referrals/new/").context["form"]
    assert list(form.fields["source_event"].queryset) == [event]
    assert "Heard about the program at (optional)" in client.get("/referrals/new/").content.decode()

    response = client.post(
        "/referrals/new/",
        intake_data(
            referrer_name="Kari Jeanquart",
            received_on=timezone.localdate().isoformat(),
            source_event=str(event.pk),
        ),
    )
    assert response.status_code == 302
    assert Referral.objects.get().source.event == event


def test_a_referral_cannot_name_another_programs_event(
    personas, door, rock, client_for, intake_data
):
    coordinator = personas["door_coordinator"]
    MembershipFactory(user=coordinator, program=rock, role=Role.PROGRAM_COORDINATOR)
    rock_event = OutreachEventFactory(program=rock, held_on=days_ago(10))
    response = client_for(coordinator).post(
        "/referrals/new/",
        intake_data(
            program_id=door.pk,
            referrer_name="Kari Jeanquart",
            received_on=timezone.localdate().isoformat(),
            source_event=str(rock_event.pk),
        ),
    )
    assert response.status_code == 200
    assert "Choose an event of the program the family is referred to." in (
        response.content.decode()
    )
    assert not Referral.objects.exists()


def test_social_workers_are_not_asked(personas, door, client_for):
    OutreachEventFactory(program=door, held_on=days_ago(10))
    form = client_for(personas["door_social_worker"]).get("/referrals/new/").context["form"]
    assert "source_event" not in form.fields


# --- The list stays quick however many events the years bring ---------------------------------


def test_past_the_cap_the_list_says_more_than(personas, door, client_for, monkeypatch):
    monkeypatch.setattr("psp.pagination.COUNT_CAP", 25)
    OutreachEventFactory.create_batch(30, program=door)
    client = client_for(personas["door_coordinator"])
    first = client.get("/councils/outreach/").content.decode()
    assert "More than 25 events" in first
    assert "Page 1 of more than 1" in first
    second = client.get("/councils/outreach/", {"page": 2})
    assert len(second.context["page"].object_list) == 5
    assert "Page 2 of 2" in second.content.decode()


@pytest.mark.skipif(not ON_POSTGRES, reason="reads PostgreSQL's query plans")
@pytest.mark.parametrize("persona", ["door_coordinator", "state"])
def test_list_reads_a_page_of_events_and_their_referrals_only(
    personas, door, rock, client_for, persona
):
    for program in (door, rock):
        # Enough older events, known to PostgreSQL's statistics as in production, that
        # reading the whole table is not the cheaper way to the page.
        OutreachEventFactory.create_batch(150, program=program, held_on=days_ago(400))
        for n in range(30):
            event = OutreachEventFactory(program=program, held_on=days_ago(n))
            ReferralFactory(family__program=program, source_event=event, members=False)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE councils_outreachevent")
    with CaptureQueriesContext(connection) as captured:
        assert client_for(personas[persona]).get("/councils/outreach/").status_code == 200
    page = page_query(captured, "councils_outreachevent", limit=PAGE_SIZE)
    # The newest 25 events from the date index and the referrals of those 25: not every
    # event grouped with its referrals before the page is taken.
    assert rows_read(page, "councils_outreachevent") <= PAGE_SIZE
    assert rows_read(page, "councils_referralsource") <= PAGE_SIZE
    assert not seq_scans(page) & {"councils_outreachevent", "councils_referralsource"}
