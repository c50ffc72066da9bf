"""The coordinator's review queue: family names on each contact, filters by Parent Partner
and family, and several contacts signed off at once after one confirmation."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentoring.models import Activity, ReviewStatus
from psp.models import AuditAction, AuditEntry, Role
from referrals.models import Status
from tests.factories import ParentFactory, ReferralFactory
from tests.mentoring.factories import ActivityFactory, assign_case
from tests.plans import ON_POSTGRES, page_query, rows_read, sort_keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_families(personas, door, make_member):
    """Two Door families, each with a different Parent Partner and two contacts waiting."""
    other_partner = make_member(door, Role.PARENT_PARTNER)
    found = []
    for user, first, last in (
        (personas["door_parent_partner"], "Renée", "Ó Briain"),
        (other_partner, "Marcus", "Webb"),
    ):
        referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
        referral.family.parents.all().delete()
        ParentFactory(family=referral.family, first_name=first, last_name=last)
        case = assign_case(referral, user)
        found.append((case, [ActivityFactory(case=case), ActivityFactory(case=case)]))
    return found


def test_the_queue_names_each_family_and_filters_by_partner_and_family(
    personas, client_for, two_families, django_assert_max_num_queries
) -> None:
    coordinator = client_for(personas["door_coordinator"])
    (_first_case, first_contacts), (second_case, _second_contacts) = two_families

    with django_assert_max_num_queries(20):
        page = coordinator.get("/mentoring/review/").content.decode()
    assert "Renée Ó Briain" in page
    assert "Marcus Webb" in page
    assert "4 contacts waiting" in page

    partner = first_contacts[0].parent_partner_id
    only_hers = coordinator.get(f"/mentoring/review/?parent_partner={partner}").content.decode()
    assert "Renée Ó Briain" in only_hers
    assert "Marcus Webb" not in only_hers
    # The family by name, accents and case ignored, or by its referral number.
    by_name = coordinator.get("/mentoring/review/?family=RENEE").content.decode()
    assert "2 contacts waiting" in by_name and "Marcus Webb" not in by_name
    number = second_case.referral.number
    by_number = coordinator.get(f"/mentoring/review/?family={number}").content.decode()
    assert "Marcus Webb" in by_number and "Renée" not in by_number
    nothing = coordinator.get("/mentoring/review/?family=nobody-here").content.decode()
    assert "No contact waiting for review matches these filters." in nothing


def test_the_queue_lists_every_waiting_contact_within_its_query_ceiling(
    personas, client_for, two_families, django_assert_max_num_queries
) -> None:
    """More families on the page cost no more queries (names come in one query)."""
    coordinator = client_for(personas["door_coordinator"])
    case = two_families[0][0]
    for _ in range(10):
        ActivityFactory(case=case)
    with django_assert_max_num_queries(20):
        page = coordinator.get("/mentoring/review/").content.decode()
    assert page.count('name="activity"') == 14


@pytest.mark.skipif(not ON_POSTGRES, reason="reads PostgreSQL's query plans")
def test_a_page_of_the_queue_reads_a_page_of_contacts_however_many_wait_on_one_day(
    personas, door, client_for, two_families
) -> None:
    """Contacts logged the same day (a whole team catching up on a Monday) are read a page
    at a time in the list's order, not all read and sorted, nor found among the newer
    contacts already signed off."""
    case = two_families[0][0]
    monday = timezone.localdate() - datetime.timedelta(days=3)
    for _ in range(40):
        ActivityFactory(
            case=case, occurred_on=timezone.localdate(), review_status=ReviewStatus.SIGNED_OFF
        )
    for minute in range(40):
        ActivityFactory(
            case=case,
            occurred_on=monday,
            occurred_time=datetime.time(9, minute) if minute % 3 else None,
        )
    with CaptureQueriesContext(connection) as captured:
        response = client_for(personas["door_coordinator"]).get("/mentoring/review/")
    assert response.status_code == 200
    page = page_query(captured, "mentoring_activity", limit=25)
    assert rows_read(page, "mentoring_activity", with_left_out=True) <= 25
    assert sort_keys(page) == []


def chosen(activities: list[Activity], **extra: str) -> dict[str, object]:
    data: dict[str, object] = {"activity": [str(a.pk) for a in activities]}
    data.update({f"version-{a.pk}": str(a.version) for a in activities})
    data.update(extra)
    return data


def test_several_are_signed_off_after_one_confirmation(personas, client_for, two_families) -> None:
    coordinator = client_for(personas["door_coordinator"])
    contacts = two_families[0][1] + two_families[1][1][:1]

    confirm = coordinator.post("/mentoring/review/sign-off/", chosen(contacts))
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Sign off these 3 contacts?" in page
    assert "Renée Ó Briain" in page and "Marcus Webb" in page
    # Nothing is signed off before the coordinator confirms.
    assert not Activity.objects.filter(review_status=ReviewStatus.SIGNED_OFF).exists()

    done = coordinator.post(
        "/mentoring/review/sign-off/", chosen(contacts, confirmed="True"), follow=True
    )
    assert "Signed off 3 contacts." in done.content.decode()
    for activity in contacts:
        activity.refresh_from_db()
        assert activity.review_status == ReviewStatus.SIGNED_OFF
        assert activity.reviewed_by == personas["door_coordinator"]
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.UPDATE,
            object_type="mentoring.activity",
            object_id__in=[str(a.pk) for a in contacts],
        ).count()
        == 3
    )
    # The one not chosen still waits.
    assert two_families[1][1][1].review_status == ReviewStatus.WAITING
    assert "1 contact waiting" in coordinator.get("/mentoring/review/").content.decode()


def test_a_contact_changed_after_it_was_read_is_left_for_the_coordinator(
    personas, client_for, two_families
) -> None:
    coordinator = client_for(personas["door_coordinator"])
    read, changed = two_families[0][1]
    data = chosen([read, changed])
    Activity.objects.filter(pk=changed.pk).update(notes="Changed", version=changed.version + 1)

    confirm = coordinator.post("/mentoring/review/sign-off/", data).content.decode()
    assert "Changed since you read it" in confirm

    done = coordinator.post(
        "/mentoring/review/sign-off/", {**data, "confirmed": "True"}, follow=True
    ).content.decode()
    assert "Signed off 1 contact." in done
    assert "Not signed off, because the Parent Partner changed it a moment ago" in done
    changed.refresh_from_db()
    assert changed.review_status == ReviewStatus.WAITING


@pytest.mark.parametrize(
    "version", ["", "abc", "-1", "１", "9" * 40], ids=["empty", "word", "minus", "wide", "long"]
)
def test_a_missing_or_broken_version_leaves_that_contact_unsigned(
    personas, client_for, two_families, version
) -> None:
    coordinator = client_for(personas["door_coordinator"])
    contact = two_families[0][1][0]
    data = {"activity": [str(contact.pk)], f"version-{contact.pk}": version, "confirmed": "True"}
    response = coordinator.post("/mentoring/review/sign-off/", data, follow=True)
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.review_status == ReviewStatus.WAITING


def test_nothing_chosen_says_so_and_signs_nothing(personas, client_for, two_families) -> None:
    coordinator = client_for(personas["door_coordinator"])
    response = coordinator.post("/mentoring/review/sign-off/", {"confirmed": "True"}, follow=True)
    assert "Choose the contacts to sign off." in response.content.decode()
    assert not Activity.objects.filter(review_status=ReviewStatus.SIGNED_OFF).exists()


def test_another_programs_contact_cannot_be_signed_off_in_a_batch(
    personas, client_for, two_families, rock, make_member
) -> None:
    """A Rock contact's id slipped into Door's batch: refused, and nothing in it is signed."""
    rock_referral = ReferralFactory(family__program=rock, status=Status.ACCEPTED)
    rock_case = assign_case(rock_referral, make_member(rock, Role.PARENT_PARTNER))
    rock_contact = ActivityFactory(case=rock_case)
    door_contact = two_families[0][1][0]
    coordinator = client_for(personas["door_coordinator"])

    response = coordinator.post(
        "/mentoring/review/sign-off/",
        chosen([door_contact, rock_contact], confirmed="True"),
        follow=True,
    )
    assert "A contact you chose is no longer waiting for review." in response.content.decode()
    for activity in (door_contact, rock_contact):
        activity.refresh_from_db()
        assert activity.review_status == ReviewStatus.WAITING


def test_a_parent_partner_cannot_sign_off(personas, client_for, two_families) -> None:
    contact = two_families[0][1][0]
    partner = client_for(personas["door_parent_partner"])
    response = partner.post("/mentoring/review/sign-off/", chosen([contact], confirmed="True"))
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.review_status == ReviewStatus.WAITING
