"""The contact list: pages that stay quick at any number of contacts (a capped count, the
list's order read from an index), with the filters and page links working as before."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentoring.models import Activity, ReviewStatus
from mentoring.views import PAGE_SIZE
from psp.models import Role
from referrals.models import Status
from tests.factories import ReferralFactory
from tests.mentoring.factories import ActivityFactory, assign_case
from tests.plans import ON_POSTGRES, page_query, rows_read, seq_scans

pytestmark = pytest.mark.django_db

CAP = 50


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr("psp.pagination.COUNT_CAP", CAP)


def case_of(program, partner_user):
    referral = ReferralFactory(family__program=program, status=Status.ACCEPTED, members=False)
    return assign_case(referral, partner_user)


def log_contacts(case, count, **fields):
    start = timezone.now() - datetime.timedelta(days=1)
    for n in range(count):
        ActivityFactory(case=case, at=start - datetime.timedelta(hours=n), **fields)


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_past_the_cap_the_total_says_more_than_and_next_goes_on(
    small_cap, personas, door, client_for
):
    log_contacts(case_of(door, personas["door_parent_partner"]), 80)
    client = client_for(personas["door_coordinator"])
    first = text(client.get("/mentoring/contacts/"))
    assert "More than 50 contacts" in first
    assert "Page 1 of more than 2" in first
    assert 'href="?page=2"' in first
    # Past the counted rows the pages go on, counted as far as the page asked for.
    third = client.get("/mentoring/contacts/", {"page": 3})
    assert len(third.context["page"].object_list) == 25
    assert "Page 3 of more than 3" in text(third)
    assert 'href="?page=4"' in text(third) and 'href="?page=1"' in text(third)
    last = client.get("/mentoring/contacts/", {"page": 4})
    assert len(last.context["page"].object_list) == 5
    assert "Next" not in text(last).split('aria-label="Pages"')[1]


def test_within_the_cap_the_total_is_exact(small_cap, personas, door, client_for):
    log_contacts(case_of(door, personas["door_parent_partner"]), 30)
    page = text(client_for(personas["door_coordinator"]).get("/mentoring/contacts/"))
    assert "30 contacts" in page and "More than" not in page
    assert "Page 1 of 2" in page


def test_filters_count_and_page_their_own_rows(small_cap, personas, door, client_for):
    case = case_of(door, personas["door_parent_partner"])
    log_contacts(case, 60)
    log_contacts(case, 30, review_status=ReviewStatus.SIGNED_OFF)
    client = client_for(personas["door_coordinator"])
    signed = client.get("/mentoring/contacts/", {"review_status": "signed_off"})
    assert "30 contacts" in text(signed)
    assert 'href="?review_status=signed_off&amp;page=2"' in text(signed)
    second = client.get("/mentoring/contacts/", {"review_status": "signed_off", "page": 2})
    shown = second.context["page"].object_list
    assert len(shown) == 5
    assert {activity.review_status for activity in shown} == {ReviewStatus.SIGNED_OFF}
    waiting = text(client.get("/mentoring/contacts/", {"review_status": "waiting"}))
    assert "More than 50 contacts" in waiting


def test_pages_are_in_order_newest_first_without_gaps(personas, door, client_for):
    case = case_of(door, personas["door_parent_partner"])
    log_contacts(case, 40)
    # Contacts without a time come after the day's timed ones.
    today = timezone.localdate()
    untimed = ActivityFactory(case=case, occurred_on=today, occurred_time=None)
    for minute in (0, 1):
        ActivityFactory(case=case, occurred_on=today, occurred_time=datetime.time(0, minute))
    client = client_for(personas["door_coordinator"])
    shown = [
        activity.pk
        for number in (1, 2)
        for activity in client.get("/mentoring/contacts/", {"page": number}).context["page"]
    ]
    expected = list(Activity.objects.filter(program=door).values_list("pk", flat=True))
    assert shown == expected
    timed_today = Activity.objects.filter(
        program=door, occurred_on=timezone.localdate(), occurred_time__isnull=False
    )
    assert shown.index(untimed.pk) == timed_today.count() == 2


def test_a_parent_partner_sees_their_own_contacts_only(personas, door, make_member, client_for):
    other = make_member(door, Role.PARENT_PARTNER)
    log_contacts(case_of(door, personas["door_parent_partner"]), 3)
    log_contacts(case_of(door, other), 4)
    page = client_for(personas["door_parent_partner"]).get("/mentoring/contacts/")
    assert "3 contacts" in text(page)
    partners = {activity.parent_partner.user_id for activity in page.context["page"]}
    assert partners == {personas["door_parent_partner"].pk}


# --- What the pages read: the same however many contacts there are ------------------------


@pytest.fixture
def many_contacts(small_cap, personas, door, rock, make_member):
    """Door's Parent Partner and a colleague, and Rock's, with contacts interleaved."""
    colleague = make_member(door, Role.PARENT_PARTNER)
    rock_partner = make_member(rock, Role.PARENT_PARTNER)
    for partner, program in (
        (personas["door_parent_partner"], door),
        (colleague, door),
        (colleague, door),
        (rock_partner, rock),
    ):
        log_contacts(case_of(program, partner), 40)


def list_queries(client, **query):
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/mentoring/contacts/", query).status_code == 200
    page = page_query(captured, "mentoring_activity", limit=PAGE_SIZE)
    count = page_query(captured, "mentoring_activity", limit=CAP + 1)
    return page, count


@pytest.mark.skipif(not ON_POSTGRES, reason="reads PostgreSQL's query plans")
def test_the_coordinators_page_reads_a_page_of_the_index(many_contacts, personas, client_for):
    page, count = list_queries(client_for(personas["door_coordinator"]))
    # Door has 120 contacts: the page reads its 25 in order, the count stops past the cap.
    assert rows_read(page, "mentoring_activity") <= PAGE_SIZE
    assert "mentoring_activity" not in seq_scans(page)
    assert rows_read(count, "mentoring_activity") <= CAP + 1
    assert rows_read(count, "mentoring_parentpartner") == 0


@pytest.mark.skipif(not ON_POSTGRES, reason="reads PostgreSQL's query plans")
def test_the_parent_partners_page_reads_their_own_contacts_only(
    many_contacts, personas, client_for
):
    client = client_for(personas["door_parent_partner"])
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/mentoring/contacts/").status_code == 200
    page = page_query(captured, "mentoring_activity", limit=PAGE_SIZE)
    # Their 40 contacts of Door's 120: the page reads 25 of theirs, not the program's.
    assert rows_read(page, "mentoring_activity") <= PAGE_SIZE
    assert "mentoring_activity" not in seq_scans(page)
