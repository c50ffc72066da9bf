"""The calendar: each person's hearings, team meetings, council meetings, supervision and
clinical support, in a month, a week or an agenda, within their scope; and their feed for a
phone's calendar, which names no family or child."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.utils import timezone
from icalendar import Calendar

from mentoring.models import ActivityType, Hearing, HearingType, SupervisionSession
from psp.models import AuditAction, AuditEntry
from referrals.models import Status
from tests.clock import local
from tests.councils.factories import CouncilFactory, MeetingFactory
from tests.factories import ChildFactory, ParentFactory, ReferralFactory
from tests.mentoring.factories import ActivityFactory, assign_case

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def door_case(personas, door):
    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED, members=False)
    ParentFactory(family=referral.family, first_name="Renata", last_name="Okafor")
    ChildFactory(family=referral.family, first_name="Zaylee", last_name="Okafor")
    return assign_case(referral, personas["door_parent_partner"], opened_days_ago=60)


@pytest.fixture
def rock_case(personas, rock):
    referral = ReferralFactory(family__program=rock, status=Status.ACCEPTED, members=False)
    ParentFactory(family=referral.family, first_name="Quennell", last_name="Vasquez")
    return assign_case(referral, personas["rock_coordinator"], opened_days_ago=60)


@pytest.fixture
def plan_review():
    return HearingType.objects.get_or_create(program=None, name="Permanency plan review")[0]


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_coordinator_sees_their_programs_hearings_with_families_and_not_another_programs(
    personas, door_case, rock_case, plan_review, client_for
):
    Hearing.objects.create(
        case=door_case, day=days(3), time=datetime.time(13, 30), hearing_type=plan_review
    )
    Hearing.objects.create(case=rock_case, day=days(3))
    MeetingFactory(council=CouncilFactory(program=door_case.program), held_on=days(3))
    client = client_for(personas["door_coordinator"])
    for view in ("month", "week", "agenda"):
        page = page_of(client, f"/calendar/?view={view}&day={days(3).isoformat()}")
        assert f"Permanency plan review – Renata Okafor ({door_case.referral.number})" in page
        assert "Door County PSP Local Advisory Council" in page
        assert "Vasquez" not in page
        assert str(rock_case.referral.number) not in page
    rock = page_of(client_for(personas["rock_coordinator"]), "/calendar/?view=agenda")
    assert "Okafor" not in rock
    assert AuditEntry.objects.filter(
        action=AuditAction.VIEW,
        object_type="mentoring.hearing",
        actor_id=personas["door_coordinator"].pk,
    ).exists()


def test_a_parent_partner_sees_their_families_supervision_and_councils(
    personas, door, door_case, client_for
):
    other = ReferralFactory(family__program=door, status=Status.ACCEPTED, members=False)
    ParentFactory(family=other.family, first_name="Someone", last_name="Else")
    elsewhere = assign_case(other, personas["door_pp_coordinator"], opened_days_ago=10)
    Hearing.objects.create(case=door_case, day=days(2))
    Hearing.objects.create(case=elsewhere, day=days(2))
    partner = door_case.assignments.get().parent_partner
    SupervisionSession.objects.create(program=door, parent_partner=partner, held_on=days(0))
    ActivityFactory(
        case=door_case,
        parent_partner=partner,
        activity_type=ActivityType.TEAM_MEETING,
        occurred_on=days(-1),
        occurred_time=datetime.time(10, 0),
    )
    page = page_of(
        client_for(personas["door_parent_partner"]),
        f"/calendar/?view=agenda&day={days(-2).isoformat()}",
    )
    assert "Renata Okafor" in page
    assert "Someone Else" not in page
    assert f"Supervision</span> {partner}" in page
    assert "Team meeting</span> Renata Okafor" in page


def test_a_coordinator_narrows_the_calendar_to_one_parent_partner(
    personas, door, door_case, client_for
):
    other = ReferralFactory(family__program=door, status=Status.ACCEPTED, members=False)
    ParentFactory(family=other.family, first_name="Someone", last_name="Else")
    elsewhere = assign_case(other, personas["door_pp_coordinator"], opened_days_ago=10)
    Hearing.objects.create(case=door_case, day=days(2))
    Hearing.objects.create(case=elsewhere, day=days(2))
    partner = door_case.assignments.get().parent_partner
    page = page_of(
        client_for(personas["door_coordinator"]),
        f"/calendar/?view=week&day={days(2).isoformat()}&person={partner.pk}",
    )
    assert "Renata Okafor" in page
    assert "Someone Else" not in page


@pytest.mark.parametrize("persona", ["door_social_worker", "no_role"])
def test_people_with_no_events_to_see_are_refused(persona, personas, client_for):
    assert client_for(personas[persona]).get("/calendar/").status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        "view=year",
        "day=31/31/2026",
        "day=0000-01-01",
        "program=999999999999999999999",
        "person=abc",
        "day=2026-02-30&view=month",
    ],
)
def test_nonsense_in_the_address_is_said_at_its_field_and_the_month_shown(
    query, personas, client_for
):
    response = client_for(personas["door_coordinator"]).get(f"/calendar/?{query}")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["view"] in ("month", "week", "agenda")


@pytest.mark.parametrize(
    "moment, month",
    [
        (local(2026, 12, 31, 23, 30), "December 2026"),
        (local(2027, 1, 1, 0, 30), "January 2027"),
        (local(2027, 3, 14, 2, 30), "March 2027"),  # the hour DST skips
        (local(2026, 11, 1, 1, 30), "November 2026"),  # the hour DST repeats
    ],
)
def test_the_month_shown_is_the_programs_month_at_any_hour(moment, month, personas, client_for):
    with time_machine.travel(moment, tick=False):
        page = page_of(client_for(personas["door_coordinator"]), "/calendar/")
    assert re.search(rf'id="period-title">\s*{month}', page)


def test_the_calendar_reads_a_fixed_number_of_queries(
    personas, door_case, client_for, django_assert_max_num_queries
):
    client = client_for(personas["door_coordinator"])
    Hearing.objects.create(case=door_case, day=days(1))
    with django_assert_max_num_queries(40) as counted:
        client.get("/calendar/?view=month")
    few = len(counted)
    for offset in range(2, 20):
        Hearing.objects.create(case=door_case, day=days(offset))
    with django_assert_max_num_queries(few):
        client.get("/calendar/?view=month")


def test_the_feed_is_valid_icalendar_and_names_no_family_or_child(
    personas, door_case, plan_review, client_for
):
    Hearing.objects.create(
        case=door_case,
        day=days(10),
        time=datetime.time(13, 30),
        hearing_type=plan_review,
        court="Door County Circuit Court",
        outcome="Renata Okafor to finish the class.",
    )
    Hearing.objects.create(case=door_case, day=days(40))
    coordinator = client_for(personas["door_coordinator"])
    coordinator.post("/calendar/feed/", {"action": "make"})
    shown = page_of(coordinator, "/calendar/feed/")
    address = re.search(r'value="(http://testserver/calendar/feed/[^"]+\.ics)"', shown)
    assert address is not None
    assert "shown only this once" in shown
    assert address.group(1) not in page_of(coordinator, "/calendar/feed/")  # shown once

    anyone = client_for(None)
    response = anyone.get(address.group(1).removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    feed = Calendar.from_ical(body)
    summaries = {str(event["SUMMARY"]) for event in feed.walk("VEVENT")}
    number = door_case.referral.number
    assert summaries == {
        f"Permanency plan review – {number}",
        f"Court hearing – {number}",
    }
    timed = next(e for e in feed.walk("VEVENT") if "Permanency" in str(e["SUMMARY"]))
    starts = timed.decoded("DTSTART")
    assert (starts.date(), starts.hour, starts.minute) == (days(10), 13, 30)
    assert str(starts.tzinfo) == "America/Chicago"
    # The time zone the events name is defined in the file itself, as RFC 5545 asks.
    assert [str(zone["TZID"]) for zone in feed.walk("VTIMEZONE")] == ["America/Chicago"]
    for name in ("Renata", "Okafor", "Zaylee"):
        assert name not in body
    assert AuditEntry.objects.filter(
        action=AuditAction.EXPORT, object_type="reporting.calendarfeed"
    ).exists()

    # A new link stops the old one; stopping ends the new one; both answer as never made.
    coordinator.post("/calendar/feed/", {"action": "make"})
    assert anyone.get(address.group(1).removeprefix("http://testserver")).status_code == 404
    newer = re.search(
        r'value="http://testserver(/calendar/feed/[^"]+\.ics)"',
        page_of(coordinator, "/calendar/feed/"),
    )
    assert newer is not None
    assert anyone.get(newer.group(1)).status_code == 200
    coordinator.post("/calendar/feed/", {"action": "stop"})
    assert anyone.get(newer.group(1)).status_code == 404
    assert anyone.get("/calendar/feed/not-a-real-link.ics").status_code == 404


def test_a_feed_shows_only_its_persons_events(personas, door_case, rock_case, client_for):
    Hearing.objects.create(case=door_case, day=days(4))
    Hearing.objects.create(case=rock_case, day=days(4))
    rock = client_for(personas["rock_coordinator"])
    rock.post("/calendar/feed/", {"action": "make"})
    address = re.search(
        r'value="http://testserver(/calendar/feed/[^"]+\.ics)"', page_of(rock, "/calendar/feed/")
    )
    assert address is not None
    body = client_for(None).get(address.group(1)).content.decode()
    assert str(rock_case.referral.number) in body
    assert str(door_case.referral.number) not in body


# --- Busy days: a few a day in the month, all of them on the day's own page ---------------


def test_a_busy_day_shows_three_in_the_month_and_all_on_its_own_page(
    personas, door_case, client_for
):
    busy = days(5)
    for quarter in range(8, 8 + 57):  # 57 hearings, a quarter-hour apart from 8:00 to 22:00
        Hearing.objects.create(
            case=door_case,
            day=busy,
            time=datetime.time(quarter // 4 + 6, (quarter % 4) * 15),
        )
    client = client_for(personas["door_coordinator"])
    month = client.get(f"/calendar/?view=month&day={busy.isoformat()}")
    cell = month.context["weeks"]
    shown = next(c for week in cell for c in week if c["day"] == busy)
    assert [event.time for event in shown["events"]] == [
        datetime.time(8, 0),
        datetime.time(8, 15),
        datetime.time(8, 30),
    ]
    assert shown["more"] == 54
    page = month.content.decode()
    assert "54 more" in page
    assert month.context["count"] == 57
    # The link opens the day, which lists them 50 at a time.
    more = re.search(r'href="(\?[^"]*view=day[^"]*)" class="calendar-more"', page)
    assert more is not None
    first = client.get("/calendar/" + more.group(1).replace("&amp;", "&"))
    assert first.context["view"] == "day"
    assert len(first.context["days"][0]["events"]) == 50
    assert "Showing 1 to 50 of 57." in first.content.decode()
    following = re.search(r'href="(\?[^"]*page=2[^"]*)" rel="next"', first.content.decode())
    assert following is not None
    second = client.get("/calendar/" + following.group(1).replace("&amp;", "&"))
    listed = second.context["days"][0]["events"]
    assert listed[-1].time == datetime.time(22, 0)  # the last of the 57
    assert len(listed) == 7
    assert "Showing 51 to 57 of 57." in second.content.decode()
    assert 'rel="next"' not in second.content.decode()


def test_the_day_shown_is_the_first_n_of_all_its_events_in_order(
    personas, door, door_case, client_for
):
    """Whatever mix of kinds and hours a day has, what each view shows of it is the
    beginning of the whole day in order, and its count is the whole day's."""
    from reporting import calendar

    partner = door_case.assignments.get().parent_partner
    council = CouncilFactory(program=door)
    hours = [None, datetime.time(7, 0), datetime.time(9, 30), datetime.time(9, 30)]
    for index in range(14):
        on = days(index % 3)
        at = hours[index % 4]
        Hearing.objects.create(case=door_case, day=on, time=at)
        if index % 2:
            ActivityFactory(
                case=door_case,
                parent_partner=partner,
                activity_type=ActivityType.TEAM_MEETING,
                occurred_on=on,
                occurred_time=at,
            )
        if index % 5 == 0:
            MeetingFactory(council=council, held_on=on, starts_at=at)
            SupervisionSession.objects.create(program=door, parent_partner=partner, held_on=on)
    user = personas["door_coordinator"]
    everything = calendar.events(user, days(0), days(2))
    for per_day in (1, 3, 10):
        found = calendar.days(user, days(0), days(2), per_day=per_day)
        assert found.count == len(everything)
        for offset in range(3):
            on = days(offset)
            whole_day = [event for event in everything if event.day == on]
            assert found.on(on) == whole_day[:per_day]
            assert found.more(on) == max(0, len(whole_day) - per_day)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999", "2.5", ""])
def test_a_day_page_that_is_not_one_shows_the_first(page, personas, door_case, client_for):
    Hearing.objects.create(case=door_case, day=days(1))
    response = client_for(personas["door_coordinator"]).get(
        f"/calendar/?view=day&day={days(1).isoformat()}&page={page}"
    )
    assert response.status_code == 200
    assert len(response.context["days"][0]["events"]) == 1


def test_a_day_past_its_events_says_so(personas, door_case, client_for):
    Hearing.objects.create(case=door_case, day=days(1))
    response = client_for(personas["door_coordinator"]).get(
        f"/calendar/?view=day&day={days(1).isoformat()}&page=3"
    )
    assert response.status_code == 200
    assert "Nothing." in response.content.decode()


def test_a_busy_month_reads_the_same_queries_as_a_quiet_one(
    personas, door_case, client_for, django_assert_max_num_queries
):
    client = client_for(personas["door_coordinator"])
    Hearing.objects.create(case=door_case, day=days(1))
    for view in ("month", "week", "day", "agenda"):
        address = f"/calendar/?view={view}&day={days(1).isoformat()}"
        with django_assert_max_num_queries(40) as counted:
            client.get(address)
        quiet = len(counted)
        for offset in range(30):
            Hearing.objects.create(case=door_case, day=days(1 + offset % 2))
        with django_assert_max_num_queries(quiet):
            client.get(address)
