"""The tablet's caseload (``GET /api/v1/caseload/``): a Parent Partner's current families with
children by first name only, a coordinator's program's open cases, never a family for state
staff; an ETag so an unchanged caseload costs a bodiless 304."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentoring.models import Assignment, Case
from psp.api import hash_key, new_key
from psp.models import ApiToken, Role
from referrals.models import Status
from tests.factories import ChildFactory, ParentFactory, ReferralFactory
from tests.mentoring.factories import ActivityFactory, assign_case

pytestmark = pytest.mark.django_db

URL = "/api/v1/caseload/"
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


@pytest.fixture
def half_past_midnight() -> Iterator[datetime.datetime]:
    """00:30 in Wisconsin: already tomorrow in UTC's date, still today in the program's."""
    moment = datetime.datetime(2026, 12, 2, 0, 30, tzinfo=CHICAGO)
    with time_machine.travel(moment, tick=False):
        yield moment


def family_case(program, partner_user, **referral):
    return assign_case(
        ReferralFactory(family__program=program, status=Status.ACCEPTED, **referral), partner_user
    )


def test_a_parent_partner_gets_their_families_with_childrens_first_names_only(
    personas, door, client_for
):
    partner = personas["door_parent_partner"]
    case = family_case(door, partner)
    parent = case.family.parents.get()
    child = case.family.children.get()
    child.last_name = "Hoffmann-Vang"
    child.save()
    case.next_court_date = timezone.localdate() + datetime.timedelta(days=5)
    case.save()
    other = make_partner_case(door, personas)  # a colleague's family, not theirs

    response = client_for(partner).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body] == [case.pk]
    row = body[0]
    assert row["referral_number"] == case.referral.number
    assert row["family_name"] == f"{parent.first_name} {parent.last_name}"
    assert row["children"] == [child.first_name]
    assert "Hoffmann-Vang" not in response.content.decode()
    assert row["next_court_date"] == case.next_court_date.isoformat()
    assert row["last_contact"] is None
    assert row["version"] == Case.objects.get(pk=case.pk).version
    assert other.referral.number not in response.content.decode()


def make_partner_case(program, personas):
    from tests.factories import MembershipFactory, UserFactory

    colleague = UserFactory()
    MembershipFactory(user=colleague, program=program, role=Role.PARENT_PARTNER)
    return family_case(program, colleague)


def test_a_family_with_two_parents_is_named_as_on_the_home_page(personas, door, client_for):
    partner = personas["door_parent_partner"]
    case = family_case(door, partner)
    first = case.family.parents.get()
    second = ParentFactory(family=case.family)

    home = client_for(partner).get("/mentoring/").content.decode()
    row = client_for(partner).get(URL).json()[0]

    expected = f"{first.first_name} {first.last_name} & {second.first_name} {second.last_name}"
    assert row["family_name"] == expected
    assert expected.replace("&", "&amp;") in home


def test_a_coordinator_gets_their_programs_open_cases_only(personas, door, rock, client_for):
    door_case = family_case(door, personas["door_parent_partner"])
    closed = make_partner_case(door, personas)
    Case.objects.filter(pk=closed.pk).update(
        status="closed", closed_on=timezone.localdate(), closure_outcome="reunified"
    )
    rock_case = make_partner_case(rock, personas)

    door_ids = [row["id"] for row in client_for(personas["door_coordinator"]).get(URL).json()]
    rock_ids = [row["id"] for row in client_for(personas["rock_coordinator"]).get(URL).json()]

    assert door_ids == [door_case.pk]
    assert rock_ids == [rock_case.pk]


def test_state_staff_get_a_403_problem_by_session_and_by_token(personas, door, client_for):
    family_case(door, personas["door_parent_partner"])
    state = personas["state"]
    key = new_key()
    ApiToken.objects.create(
        user=state,
        name="Quarterly figures",
        prefix=key[:12],
        key_hash=hash_key(key),
        created_by=personas["admin"],
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )

    by_session = client_for(state).get(URL)
    by_token = client_for(None).get(URL, HTTP_AUTHORIZATION=f"Bearer {key}")

    for response in (by_session, by_token):
        assert response.status_code == 403
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 403
        assert "figures" in response.json()["detail"]


def test_an_unchanged_caseload_is_a_bodiless_304(personas, door, client_for):
    partner = personas["door_parent_partner"]
    family_case(door, partner)
    client = client_for(partner)
    first = client.get(URL)
    etag = first["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")

    again = client.get(URL, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(URL, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_the_caseload_is_kept_private_and_asked_again_not_never_stored(personas, door, client_for):
    response = client_for(personas["door_parent_partner"]).get(URL)

    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert directives == {"private", "no-cache"}


def test_other_answers_are_still_never_stored(personas, client_for):
    response = client_for(personas["door_parent_partner"]).get("/api/v1/contacts/")

    assert "no-store" in response["Cache-Control"]


def etag_for(client):
    return client.get(URL)["ETag"]


def test_the_etag_changes_when_a_contact_is_logged_even_on_the_same_day(personas, door, client_for):
    partner = personas["door_parent_partner"]
    case = family_case(door, partner)
    client = client_for(partner)
    ActivityFactory(case=case)
    before = etag_for(client)
    body = {
        "client_uuid": str(uuid.uuid4()),
        "case": case.pk,
        "occurred_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "duration_minutes": 30,
        "activity_type": "check_in",
        "mode": "phone",
    }
    assert (
        client.post("/api/v1/contacts/", body, content_type="application/json").status_code == 201
    )

    response = client.get(URL, HTTP_IF_NONE_MATCH=before)

    assert response.status_code == 200
    assert response["ETag"] != before
    assert response.json()[0]["contacts"] == 2


def test_the_etag_changes_when_a_child_is_added_a_case_changes_or_an_assignment_ends(
    personas, door, client_for
):
    partner = personas["door_parent_partner"]
    case = family_case(door, partner)
    client = client_for(partner)
    seen = {etag_for(client)}

    ChildFactory(family=case.family)
    seen.add(etag_for(client))
    Case.objects.filter(pk=case.pk).update(
        next_court_date=timezone.localdate() + datetime.timedelta(days=20), version=2
    )
    seen.add(etag_for(client))
    Assignment.objects.filter(case=case).update(ended_on=timezone.localdate())
    seen.add(etag_for(client))

    assert len(seen) == 4
    assert client.get(URL).json() == []


def test_overdue_counts_whole_days_in_wisconsin_after_midnight(
    half_past_midnight, personas, door, client_for
):
    partner = personas["door_parent_partner"]
    today = timezone.localdate()
    assert today == datetime.date(2026, 12, 2)
    quiet = family_case(door, partner)
    recent = family_case(door, partner)
    ActivityFactory(case=quiet, occurred_on=today - datetime.timedelta(days=14))
    ActivityFactory(case=recent, occurred_on=today - datetime.timedelta(days=13))

    rows = {row["id"]: row for row in client_for(partner).get(URL).json()}

    assert rows[quiet.pk]["overdue"] is True
    assert rows[quiet.pk]["last_contact"] == "2026-11-18"
    assert rows[recent.pk]["overdue"] is False


def caseload_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    assert response.status_code == 200
    return len(response.json()), len(captured)


@pytest.mark.parametrize("persona", ["door_parent_partner", "door_coordinator"])
def test_the_number_of_queries_does_not_grow_with_the_caseload(persona, personas, door, client_for):
    partner = personas["door_parent_partner"]
    for _ in range(2):
        ActivityFactory(case=family_case(door, partner))
    client = client_for(personas[persona])
    caseload_queries(client)  # the session's first request writes to it; later ones do not
    rows, few = caseload_queries(client)
    assert rows == 2
    for _ in range(48):
        case = family_case(door, partner)
        ChildFactory(family=case.family)
        ActivityFactory(case=case)

    rows, many = caseload_queries(client)

    assert rows == 50
    assert many == few
