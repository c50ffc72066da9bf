"""A Parent Partner's home page: their open families by name, what is due, and the cost of the
page, which they open many times a day on a tablet."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentoring.models import Case, CaseStatus, ReviewStatus
from referrals.models import Status
from tests.factories import ParentFactory, ReferralFactory
from tests.mentoring.factories import ActivityFactory, assign_case

pytestmark = pytest.mark.django_db


def family_case(program, user, *names: tuple[str, str]) -> Case:
    referral = ReferralFactory(family__program=program, status=Status.ACCEPTED)
    referral.family.parents.all().delete()
    for first, last in names:
        ParentFactory(family=referral.family, first_name=first, last_name=last)
    return assign_case(referral, user, opened_days_ago=20)


def test_home_names_each_open_family_and_no_one_elses(personas, door, client_for):
    partner = personas["door_parent_partner"]
    family_case(door, partner, ("Ana", "Lopez"), ("Luis", "Lopez"))
    family_case(door, partner, ("Mai", "Vang"), ("<b>Tou</b>", "Xiong"))
    closed = family_case(door, partner, ("Closed", "Family"))
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)
    family_case(door, personas["door_coordinator"], ("Someone", "Else"))
    page = client_for(partner).get("/mentoring/").content.decode()
    assert "Ana Lopez &amp; Luis Lopez" in page
    assert "Mai Vang &amp; &lt;b&gt;Tou&lt;/b&gt; Xiong" in page
    assert "Closed Family" not in page
    assert "Someone Else" not in page


def test_home_shows_the_last_contact_and_what_was_sent_back(personas, door, client_for):
    partner = personas["door_parent_partner"]
    case = family_case(door, partner, ("Ana", "Lopez"))
    ActivityFactory(
        case=case,
        at=timezone.now() - datetime.timedelta(days=3),
        review_status=ReviewStatus.SENT_BACK,
        review_comment="Please add the duration.",
    )
    page = client_for(partner).get("/mentoring/").content.decode()
    assert "Last contact" in page and "No contact logged yet" not in page
    assert "Please add the duration." in page


@pytest.mark.parametrize("families", [1, 8])
def test_home_queries_do_not_grow_with_families(personas, door, client_for, families):
    partner = personas["door_parent_partner"]
    for index in range(families):
        case = family_case(door, partner, ("Parent", f"One{index}"), ("Parent", f"Two{index}"))
        ActivityFactory(
            case=case,
            at=timezone.now() - datetime.timedelta(days=2),
            review_status=ReviewStatus.SENT_BACK,
        )
    client = client_for(partner)
    client.get("/mentoring/")
    cache.clear()  # the home made, not the one kept (tests/mentoring/test_home_kept.py)
    # Session, user, second factor, roles, the casework versions; cases, parents; the
    # sent-back contacts with the profile lookups they need; council seats for the menu; the
    # audit entry; the bell; the count of their open follow-ups.
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/mentoring/").content.decode()
    assert len(app_queries(captured)) <= 14
    assert page.count("Parent Two") == families


def app_queries(captured: CaptureQueriesContext) -> list[str]:
    """The queries of the page itself: without a Redis server (``REDIS_URL``) the cache is a
    table of the database, whose reads and writes (in a savepoint) are the cache's."""
    return [
        query["sql"]
        for query in captured
        if '"psp_cache"' not in query["sql"] and "SAVEPOINT" not in query["sql"]
    ]
