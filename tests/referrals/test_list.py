"""The referral list and queue: scope, filters, search, sorting, paging, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from psp.models import Role
from referrals.models import Language, Status, Urgency
from referrals.views import PAGE_SIZE
from tests.factories import (
    ChildFactory,
    MembershipFactory,
    ParentFactory,
    ReferralFactory,
)
from tests.plans import ON_POSTGRES, page_query, rows_read, seq_scans, sort_keys

pytestmark = pytest.mark.django_db


def make_referral(program, *, first="Ana", last="Ruiz", language=Language.ENGLISH, **fields):
    referral = ReferralFactory(family__program=program, members=False, **fields)
    ParentFactory(
        family=referral.family, first_name=first, last_name=last, preferred_language=language
    )
    # A random first name would sometimes be found by the searches below ("Joseph" has "jose").
    ChildFactory(family=referral.family, first_name="Mia")
    return referral


def numbers(response) -> set[str]:
    return {referral.number for referral in response.context["page"].object_list}


def test_coordinator_sees_the_programs_referrals_only(personas, door, rock, client_for):
    ours = make_referral(door)
    theirs = make_referral(rock)
    page = client_for(personas["door_coordinator"]).get("/referrals/")
    assert numbers(page) == {ours.number}
    assert theirs.number not in page.content.decode()


def test_social_worker_sees_only_the_referrals_they_made(personas, door, client_for, make_member):
    mine = make_referral(door, referred_by=personas["door_social_worker"])
    colleague = make_member(door, Role.SOCIAL_WORKER)
    not_mine = make_referral(door, referred_by=colleague)
    client = client_for(personas["door_social_worker"])
    assert numbers(client.get("/referrals/")) == {mine.number}
    assert client.get(f"/referrals/{not_mine.pk}/").status_code == 404


def test_filters_search_and_sorting(personas, door, client_for):
    today = timezone.localdate()
    lopez = make_referral(
        door,
        first="José",
        last="López",
        language=Language.SPANISH,
        urgency=Urgency.URGENT,
        received_on=today - datetime.timedelta(days=2),
    )
    vang = make_referral(
        door,
        first="Pa",
        last="Vang",
        language=Language.HMONG,
        status=Status.SCREENING,
        received_on=today - datetime.timedelta(days=40),
    )
    smith = make_referral(
        door, first="Jessica", last="Smith", received_on=today - datetime.timedelta(days=10)
    )
    client = client_for(personas["door_coordinator"])

    assert numbers(client.get("/referrals/", {"status": "screening"})) == {vang.number}
    assert numbers(client.get("/referrals/", {"urgency": "urgent"})) == {lopez.number}
    assert numbers(client.get("/referrals/", {"language": "hmn"})) == {vang.number}
    assert numbers(client.get("/referrals/", {"q": "jose lopez"})) == {lopez.number}
    assert numbers(client.get("/referrals/", {"q": "LÓPEZ"})) == {lopez.number}
    since = (today - datetime.timedelta(days=15)).isoformat()
    assert numbers(client.get("/referrals/", {"received_from": since})) == {
        lopez.number,
        smith.number,
    }
    oldest_first = client.get("/referrals/", {"sort": "received"}).context["page"].object_list
    assert [r.number for r in oldest_first] == [vang.number, smith.number, lopez.number]
    page = client.get("/referrals/", {"urgency": "urgent", "language": "es"})
    assert "2 filters on" in page.content.decode()


def test_bad_filter_dates_are_explained_not_crashed(personas, door, client_for):
    response = client_for(personas["door_coordinator"]).get(
        "/referrals/", {"received_from": "31/31/2026"}
    )
    assert response.status_code == 200
    assert "Enter a real date, for example 03/27/2019." in response.content.decode()


def test_queue_count_in_the_navigation(personas, door, client_for):
    make_referral(door)
    make_referral(door)
    make_referral(door, status=Status.SCREENING)
    page = client_for(personas["door_coordinator"]).get("/dashboard/").content.decode()
    assert '2<span class="visually-hidden"> new referrals</span>' in page


def test_pages_of_25(personas, door, client_for):
    for n in range(27):
        make_referral(door, first=f"Parent{n}")
    client = client_for(personas["door_coordinator"])
    assert len(client.get("/referrals/").context["page"].object_list) == 25
    assert len(client.get("/referrals/", {"page": 2}).context["page"].object_list) == 2


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "screening"},
        {"program": "rock"},
        {"program": "rock", "status": "received", "sort": "received"},
        {"q": "Ana"},
        {"urgency": "urgent"},
        {"received_from": "not a date"},
    ],
    ids=["all", "status", "program", "program-status-sort", "search", "urgency", "bad-date"],
)
def test_the_count_said_is_the_rows_listed(personas, door, rock, client_for, params):
    # Filtered by the program and the status at most, the list takes its count from the
    # status tabs' counts instead of counting again; any other filter counts its rows.
    coordinator = personas["door_coordinator"]
    MembershipFactory(user=coordinator, program=rock, role=Role.PROGRAM_COORDINATOR)
    for program in (door, rock):
        make_referral(program, first="Ana", urgency=Urgency.URGENT)
        make_referral(program, first="Bea", status=Status.SCREENING)
        make_referral(program, first="Cy", status=Status.SCREENING)
    if "program" in params:
        params = {**params, "program": rock.pk}
    response = client_for(coordinator).get("/referrals/", params)
    assert response.status_code == 200
    listed = response.context["page"].paginator.object_list
    expected = listed.count()
    assert response.context["page"].paginator.count == expected
    text = response.content.decode()
    assert f"{expected} referral" in text
    if params.get("program") and not params.get("status"):
        assert expected == 3


def test_the_tabs_count_the_list_only_once(personas, door, client_for):
    make_referral(door)
    with CaptureQueriesContext(connection) as captured:
        client_for(personas["door_coordinator"]).get("/referrals/")
    # The status tabs' grouped count, and no count of the list's rows besides (the
    # navigation's count of new referrals is a count of one status).
    counts = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "referrals_referral"')
        and '"referrals_referral"."status" = ' not in query["sql"]
    ]
    assert counts == []
    assert any('COUNT(*) AS "count"' in query["sql"] for query in captured.captured_queries)


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow(
    personas, door, client_for, rows, django_assert_max_num_queries
):
    for n in range(rows):
        make_referral(door, first=f"Parent{n}")
    client = client_for(personas["door_coordinator"])
    # 12 + the program filter's choices + the second-factor check + the audit entry + the
    # requests from the public page waiting for the coordinator
    with django_assert_max_num_queries(16):
        assert client.get("/referrals/").status_code == 200


def test_a_coordinator_of_two_programs_filters_by_program(personas, door, rock, client_for):
    coordinator = personas["door_coordinator"]
    MembershipFactory(user=coordinator, program=rock, role=Role.PROGRAM_COORDINATOR)
    ours = make_referral(door, first="Odile")
    theirs = make_referral(rock, first="Ximena", status=Status.SCREENING)
    client = client_for(coordinator)
    page = client.get("/referrals/")
    assert numbers(page) == {ours.number, theirs.number}
    assert 'name="program"' in page.content.decode()
    rock_only = client.get("/referrals/", {"program": rock.pk})
    assert numbers(rock_only) == {theirs.number}
    text = rock_only.content.decode()
    # The status tabs count the chosen program's referrals and keep the program filter.
    assert f'href="?status=screening&amp;program={rock.pk}"' in text
    assert 'Received <span class="badge text-bg-light">0</span>' in text


def test_one_program_means_no_program_filter(personas, door, client_for):
    make_referral(door)
    page = client_for(personas["door_coordinator"]).get("/referrals/").content.decode()
    assert 'name="program"' not in page


def test_a_program_the_user_cannot_see_is_refused_at_the_field(personas, door, rock, client_for):
    ours = make_referral(door)
    make_referral(rock)
    response = client_for(personas["door_coordinator"]).get("/referrals/", {"program": rock.pk})
    assert response.status_code == 200
    assert numbers(response) == {ours.number} or numbers(response) == set()
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert 'name="program"' in page  # the field is shown with its message


@pytest.mark.parametrize("children", [1, 8])
def test_detail_query_count_does_not_grow(
    personas, door, client_for, children, django_assert_max_num_queries
):
    referral = make_referral(door)
    for _ in range(children):
        ChildFactory(family=referral.family)
    client = client_for(personas["door_coordinator"])
    # 18: the children's stays in care and their placements are one query each, and the
    # family's documents one; the bell's unread count one.
    with django_assert_max_num_queries(19):
        assert client.get(f"/referrals/{referral.pk}/").status_code == 200


def test_clinical_support_and_state_staff_have_no_referral_list(personas, client_for):
    for persona in ["door_clinical", "state"]:
        assert client_for(personas[persona]).get("/referrals/").status_code == 403


def test_parent_partner_sees_only_the_families_assigned_to_them(personas, door, client_for):
    from tests.mentoring.factories import assign_case

    mine = make_referral(door, status=Status.ACCEPTED)
    other = make_referral(door, status=Status.ACCEPTED)
    assign_case(mine, personas["door_parent_partner"])
    client = client_for(personas["door_parent_partner"])
    assert numbers(client.get("/referrals/")) == {mine.number}
    assert client.get(f"/referrals/{mine.pk}/").status_code == 200
    assert client.get(f"/referrals/{other.pk}/").status_code == 404


def test_empty_list_says_what_to_do(door, make_member, client_for):
    social_worker = make_member(door, Role.SOCIAL_WORKER, username="new-sw")
    page = client_for(social_worker).get("/referrals/").content.decode()
    assert "Use “Refer a family” to send the first one." in page


@pytest.mark.skipif(not ON_POSTGRES, reason="reads PostgreSQL's query plans")
def test_list_counts_the_children_of_the_shown_referrals_only(personas, door, rock, client_for):
    for n in range(40):
        make_referral(door, first=f"Parent{n}")
        make_referral(rock, first=f"Other{n}")
    client = client_for(personas["door_coordinator"])
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/referrals/").status_code == 200
    sql = page_query(captured, "referrals_referral", limit=PAGE_SIZE)
    # One child each: the page's 25, not the 80 of both programs.
    assert rows_read(sql, "referrals_child") <= PAGE_SIZE
    assert not seq_scans(sql) & {"referrals_referral", "referrals_child"}


@pytest.mark.skipif(not ON_POSTGRES, reason="reads PostgreSQL's query plans")
def test_every_programs_list_is_read_in_order_from_an_index(personas, door, rock, client_for):
    """Administrators see every program's referrals: the newest 25 come from the (received
    on, id) index, not from sorting every referral in the state."""
    for n in range(3):
        make_referral(door, first=f"Parent{n}")
        make_referral(rock, first=f"Other{n}")
    with CaptureQueriesContext(connection) as captured:
        assert client_for(personas["admin"]).get("/referrals/").status_code == 200
    sql = page_query(captured, "referrals_referral", limit=6)  # a page of all 6
    assert not [key for key in sort_keys(sql) if "received_on" in key]
