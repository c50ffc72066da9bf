"""The referral form's "heard about the program at" question: the newest events of the
program as radio buttons, a search over its last 12 months (htmx, or the Search button
without JavaScript), and the chosen event kept through searches and errors."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from psp.models import Role
from referrals.forms import EventSearchInput
from referrals.models import Referral
from tests.councils.factories import OutreachEventFactory, days_ago
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

SHOWN = EventSearchInput.shown


def offered(html: str) -> list[str]:
    """The event ids offered as radio buttons ("" is "Not at one of these events")."""
    return re.findall(r'type="radio" name="source_event" id="[^"]*" value="(\d*)"', html)


def checked(html: str) -> list[str]:
    return re.findall(r'name="source_event" id="[^"]*" value="(\d*)" checked', html)


def test_the_newest_events_of_the_last_year_are_offered(personas, door, rock, client_for):
    newest = [OutreachEventFactory(program=door, held_on=days_ago(n)) for n in range(SHOWN + 4)]
    booked = OutreachEventFactory(program=door, held_on=days_ago(-5), title="Next week")
    OutreachEventFactory(program=door, held_on=days_ago(-10), title="Too far ahead")
    OutreachEventFactory(program=door, held_on=days_ago(400), title="Too old")
    OutreachEventFactory(program=rock, held_on=days_ago(1), title="Rock's")
    page = client_for(personas["door_coordinator"]).get("/referrals/new/").content.decode()
    expected = [str(booked.pk)] + [str(event.pk) for event in newest[: SHOWN - 1]]
    assert offered(page) == ["", *expected]
    assert checked(page) == [""]
    assert "Search to find others." in page
    assert 'for="id_source_event_search"' in page  # a labelled search box


@pytest.mark.parametrize("events", [3, 30])
def test_the_form_does_not_grow_with_the_events(
    personas, door, client_for, events, django_assert_max_num_queries
):
    for n in range(events):
        OutreachEventFactory(program=door, held_on=days_ago(n % 300))
    client = client_for(personas["door_coordinator"])
    with django_assert_max_num_queries(13):
        page = client.get("/referrals/new/").content.decode()
    assert len(offered(page)) == 1 + min(events, SHOWN)


def test_the_search_finds_older_events_by_title_or_organisation(personas, door, rock, client_for):
    for n in range(SHOWN + 2):
        OutreachEventFactory(program=door, held_on=days_ago(n), title="Coffee hour")
    fair = OutreachEventFactory(
        program=door, held_on=days_ago(200), title="Booth", organisation="Door County Fair"
    )
    OutreachEventFactory(program=door, held_on=days_ago(400), title="Fair long ago")
    OutreachEventFactory(program=rock, held_on=days_ago(3), title="Rock County Fair")
    client = client_for(personas["door_coordinator"])
    found = client.get("/referrals/new/events/", {"source_event_search": "county FAIR"})
    assert found.status_code == 200
    html = found.content.decode()
    assert offered(html) == ["", str(fair.pk)]
    assert 'hx-swap-oob="true"' in html and "Events matching “county FAIR”" in html
    nothing = client.get("/referrals/new/events/", {"source_event_search": "zzz"})
    assert "No event of the last 12 months matches “zzz”." in nothing.content.decode()


def test_the_chosen_event_stays_offered_and_checked_whatever_the_search(personas, door, client_for):
    chosen = OutreachEventFactory(program=door, held_on=days_ago(100), title="Picnic")
    for n in range(SHOWN):
        OutreachEventFactory(program=door, held_on=days_ago(n), title="Coffee hour")
    client = client_for(personas["door_coordinator"])
    html = client.get(
        "/referrals/new/events/", {"source_event_search": "coffee", "source_event": chosen.pk}
    ).content.decode()
    assert checked(html) == [str(chosen.pk)]
    assert len(offered(html)) == 2 + SHOWN


def test_a_coordinator_of_two_programs_is_offered_the_chosen_programs_events(
    personas, door, rock, client_for
):
    coordinator = personas["door_coordinator"]
    MembershipFactory(user=coordinator, program=rock, role=Role.PROGRAM_COORDINATOR)
    ours = OutreachEventFactory(program=door, held_on=days_ago(3))
    theirs = OutreachEventFactory(program=rock, held_on=days_ago(2))
    client = client_for(coordinator)
    both = client.get("/referrals/new/events/").content.decode()
    assert offered(both) == ["", str(theirs.pk), str(ours.pk)]
    only_rock = client.get("/referrals/new/events/", {"program": rock.pk}).content.decode()
    assert offered(only_rock) == ["", str(theirs.pk)]


def test_without_javascript_the_search_button_shows_the_form_again_unsaved(
    personas, door, client_for, intake_data
):
    older = OutreachEventFactory(program=door, held_on=days_ago(250), title="Harvest fair")
    for n in range(SHOWN):
        OutreachEventFactory(program=door, held_on=days_ago(n), title="Coffee hour")
    response = client_for(personas["door_coordinator"]).post(
        "/referrals/new/",
        intake_data(referrer_name="", source_event_search="harvest", search_events="yes"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert offered(html) == ["", str(older.pk)]
    assert "There is a problem" not in html  # the referrer's name is missing, but not asked yet
    assert 'value="harvest"' in html and "María" in html
    assert not Referral.objects.exists()


def test_the_chosen_event_survives_a_form_sent_back_with_errors(
    personas, door, client_for, intake_data
):
    older = OutreachEventFactory(program=door, held_on=days_ago(250), title="Harvest fair")
    for n in range(SHOWN):
        OutreachEventFactory(program=door, held_on=days_ago(n), title="Coffee hour")
    response = client_for(personas["door_coordinator"]).post(
        "/referrals/new/",
        intake_data(referrer_name="", source_event=str(older.pk)),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert checked(html) == [str(older.pk)]
    response = client_for(personas["door_coordinator"]).post(
        "/referrals/new/",
        intake_data(
            referrer_name="Kari Jeanquart",
            received_on=timezone.localdate().isoformat(),
            source_event=str(older.pk),
        ),
    )
    assert response.status_code == 302
    assert Referral.objects.get().source.event == older


def test_only_coordinators_entering_referrals_may_search(personas, door, rock, client_for):
    OutreachEventFactory(program=door, held_on=days_ago(3))
    assert (
        client_for(personas["door_social_worker"]).get("/referrals/new/events/").status_code == 404
    )
    assert (
        client_for(personas["door_parent_partner"]).get("/referrals/new/events/").status_code == 403
    )
