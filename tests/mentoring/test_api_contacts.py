"""The tablet's contacts (``/api/v1/contacts/``): read as the contact list shows them, logged
once however often the tablet sends the same one, changed over the version last read (409
with the stored record otherwise), and the form's choices and resources to work offline."""

from __future__ import annotations

import datetime
import threading
import uuid
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentoring import services
from mentoring.models import Activity, ClosureOutcome, ReviewStatus
from psp.api import hash_key, new_key
from psp.models import ApiToken, AuditAction, AuditEntry, Role
from referrals.models import Status
from tests.factories import MembershipFactory, ReferralFactory, UserFactory
from tests.mentoring.factories import ActivityFactory, ResourceFactory, assign_case
from tests.plans import ON_POSTGRES

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts/"
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


@pytest.fixture
def half_past_midnight() -> Iterator[datetime.datetime]:
    """00:30 in Wisconsin: already tomorrow by UTC's date, still today in the program's."""
    moment = datetime.datetime(2026, 12, 2, 0, 30, tzinfo=CHICAGO)
    with time_machine.travel(moment, tick=False):
        yield moment


def family_case(program, partner_user):
    referral = ReferralFactory(family__program=program, status=Status.ACCEPTED)
    return assign_case(referral, partner_user)


def colleague_in(program):
    user = UserFactory()
    MembershipFactory(user=user, program=program, role=Role.PARENT_PARTNER)
    return user


@pytest.fixture
def case(personas, door):
    return family_case(door, personas["door_parent_partner"])


@pytest.fixture
def partner_client(personas, client_for):
    return client_for(personas["door_parent_partner"])


def body_for(case, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "client_uuid": str(uuid.uuid4()),
        "case": case.pk,
        "occurred_on": timezone.localdate().isoformat(),
        "duration_minutes": 45,
        "activity_type": "home_visit",
        "mode": "in_person",
        "present": ["parent", "children"],
        "notes": "Planned the next family time visit.",
    }
    body.update(changes)
    return body


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def patch(client, pk, body):
    return client.patch(f"{URL}{pk}/", body, content_type="application/json")


def state_token(personas) -> str:
    key = new_key()
    ApiToken.objects.create(
        user=personas["state"],
        name="Quarterly figures",
        prefix=key[:12],
        key_hash=hash_key(key),
        created_by=personas["admin"],
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    return key


# --- Reading -------------------------------------------------------------------------------


def test_a_parent_partner_reads_their_own_contacts_newest_first(
    personas, door, case, partner_client
):
    older = ActivityFactory(case=case, occurred_on=timezone.localdate() - datetime.timedelta(3))
    newer = ActivityFactory(case=case, occurred_on=timezone.localdate() - datetime.timedelta(1))
    ActivityFactory(case=family_case(door, colleague_in(door)))  # a colleague's

    body = partner_client.get(URL).json()

    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
    assert body["results"][0]["referral_number"] == case.referral.number


def test_a_coordinator_reads_the_programs_contacts_not_another_programs(
    personas, door, rock, case, client_for
):
    own = ActivityFactory(case=case)
    colleague = ActivityFactory(case=family_case(door, colleague_in(door)))
    ActivityFactory(case=family_case(rock, colleague_in(rock)))

    body = client_for(personas["door_coordinator"]).get(URL).json()

    assert {row["id"] for row in body["results"]} == {own.pk, colleague.pk}


def test_filters_by_case_and_dates(personas, door, case, partner_client):
    today = timezone.localdate()
    early = ActivityFactory(case=case, occurred_on=today - datetime.timedelta(days=20))
    late = ActivityFactory(case=case, occurred_on=today - datetime.timedelta(days=2))
    second_case = family_case(door, personas["door_parent_partner"])
    elsewhere = ActivityFactory(case=second_case, occurred_on=today - datetime.timedelta(days=2))

    def ids(**query):
        return [row["id"] for row in partner_client.get(URL, query).json()["results"]]

    assert ids(case=case.pk) == [late.pk, early.pk]
    assert ids(case=second_case.pk) == [elsewhere.pk]
    since = (today - datetime.timedelta(days=5)).isoformat()
    assert set(ids(**{"from": since})) == {late.pk, elsewhere.pk}
    assert ids(to=(today - datetime.timedelta(days=10)).isoformat()) == [early.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"case": "abc"}, "case"),
        ({"case": "²"}, "case"),
        ({"case": "99999999999999999999"}, "case"),
        ({"from": "2026-10-02", "to": "2026-10-01"}, "to"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(partner_client, query, field):
    response = partner_client.get(URL, query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == [field]


def test_the_list_is_paged(case, partner_client):
    for days in range(1, 4):
        ActivityFactory(case=case, occurred_on=timezone.localdate() - datetime.timedelta(days))

    body = partner_client.get(URL, {"page_size": 2, "page": 2}).json()

    assert body["count"] == 3
    assert len(body["results"]) == 1
    assert body["previous"] is not None


def test_one_contact_and_another_programs_is_404(personas, case, client_for, partner_client):
    activity = ActivityFactory(case=case)
    url = f"{URL}{activity.pk}/"

    assert partner_client.get(url).json()["client_uuid"] == str(activity.client_uuid)
    rock = client_for(personas["rock_coordinator"])
    assert rock.get(url).status_code == 404
    assert patch(rock, activity.pk, {"version": 1, "notes": "x"}).status_code == 404
    assert partner_client.get(f"{URL}999999/").status_code == 404


def test_state_staff_never_read_contacts_by_session_or_token(personas, case, client_for):
    activity = ActivityFactory(case=case)
    key = state_token(personas)
    by_token = client_for(None)
    by_session = client_for(personas["state"])

    for path in (URL, f"{URL}{activity.pk}/"):
        for response in (
            by_session.get(path),
            by_token.get(path, HTTP_AUTHORIZATION=f"Bearer {key}"),
        ):
            assert response.status_code == 403
            assert response["Content-Type"] == "application/problem+json"


# --- Logging a contact ----------------------------------------------------------------------


def test_logging_a_contact_saves_it_once_and_audits_it(case, partner_client):
    body = body_for(case)

    first = post(partner_client, body)
    again = post(partner_client, body)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    stored = Activity.objects.get()
    assert first.json()["id"] == stored.pk
    assert stored.present == ["parent", "children"]
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="mentoring.activity", object_id=str(stored.pk)
    ).exists()


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite writes one transaction at a time")
def test_the_same_contact_sent_twice_at_once_is_saved_once(
    transactional_db, personas, case, client_for
):
    """The tablet's outbox sends a contact while the page's own send of it is still being
    saved: the second waits for the first and answers with it, never a 500."""
    body = body_for(case)
    saved, done = threading.Event(), threading.Event()
    first: dict[str, Any] = {}

    def send_and_hold() -> None:
        try:
            with transaction.atomic():
                first["response"] = post(client_for(personas["door_parent_partner"]), body)
                saved.set()
                done.wait(timeout=2)  # still saving when the second arrives
        finally:
            saved.set()
            connection.close()

    tablet = client_for(personas["door_parent_partner"])
    thread = threading.Thread(target=send_and_hold)
    thread.start()
    assert saved.wait(timeout=30)
    again = post(tablet, body)
    done.set()
    thread.join()
    assert first["response"].status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first["response"].json()["id"]
    assert Activity.objects.filter(client_uuid=body["client_uuid"]).count() == 1


def test_a_contact_needs_a_client_uuid(case, partner_client):
    body = body_for(case)
    del body["client_uuid"]

    response = post(partner_client, body)

    assert response.status_code == 400
    assert "client_uuid" in response.json()["errors"]
    assert not Activity.objects.exists()


def test_another_programs_case_is_404_and_never_revealed(personas, rock, partner_client):
    rock_case = family_case(rock, colleague_in(rock))

    on_rock = post(partner_client, body_for(rock_case))
    nowhere = post(partner_client, {**body_for(rock_case), "case": 999999})

    assert on_rock.status_code == nowhere.status_code == 404
    assert on_rock.json()["detail"] == nowhere.json()["detail"]
    assert not Activity.objects.exists()


def test_a_contact_logged_offline_for_a_case_closed_meanwhile_says_why_it_was_refused(
    personas, door, case, partner_client
):
    services.case_close(
        actor=personas["door_coordinator"],
        case=case,
        expected_version=case.version,
        closed_on=timezone.localdate(),
        outcome=ClosureOutcome.REUNIFIED,
        note="",
        discharges=[],
    )
    response = post(partner_client, body_for(case))

    assert response.status_code == 404
    assert "not on your caseload now" in response.json()["detail"]
    assert not Activity.objects.exists()


def test_a_case_seen_but_not_assigned_is_a_400_on_case(personas, door, client_for):
    """A coordinator who is also a Parent Partner sees the program's cases, and logs
    contacts only on the families assigned to them."""
    both = personas["door_coordinator"]
    MembershipFactory(user=both, program=door, role=Role.PARENT_PARTNER)
    family_case(door, both)  # their own, so they have a Parent Partner profile
    colleagues = family_case(door, colleague_in(door))

    response = post(client_for(both), body_for(colleagues))

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["case"]


@pytest.mark.parametrize("persona", ["door_coordinator", "rock_coordinator"])
def test_only_a_parent_partner_logs_contacts(persona, personas, case, client_for):
    response = post(client_for(personas[persona]), body_for(case))

    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_a_token_cannot_write(personas, case, client_for):
    key = state_token(personas)

    response = client_for(None).post(
        URL, body_for(case), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )

    assert response.status_code == 403


def test_a_contact_tomorrow_at_half_past_midnight_is_refused_at_the_date(
    half_past_midnight, personas, door, client_for
):
    case = family_case(door, personas["door_parent_partner"])
    client = client_for(personas["door_parent_partner"])

    tomorrow = post(client, body_for(case, occurred_on="2026-12-03"))
    today = post(client, body_for(case, occurred_on="2026-12-02"))

    assert tomorrow.status_code == 400
    assert list(tomorrow.json()["errors"]) == ["occurred_on"]
    assert today.status_code == 201


def test_a_contact_before_the_referral_is_refused_at_the_date(case, partner_client):
    before = case.referral.received_on - datetime.timedelta(days=1)

    response = post(partner_client, body_for(case, occurred_on=before.isoformat()))

    assert response.status_code == 400
    assert "referred" in response.json()["errors"]["occurred_on"][0]


def test_a_resource_linkage_names_a_resource_of_the_program(
    personas, door, rock, case, partner_client
):
    missing = post(partner_client, body_for(case, activity_type="resource_linkage"))
    rocks = post(
        partner_client,
        body_for(case, activity_type="resource_linkage", resource=ResourceFactory(program=rock).pk),
    )
    pantry = ResourceFactory(program=door)
    linked = post(
        partner_client, body_for(case, activity_type="resource_linkage", resource=pantry.pk)
    )

    assert missing.status_code == 400
    assert list(missing.json()["errors"]) == ["resource"]
    assert rocks.status_code == 400
    assert list(rocks.json()["errors"]) == ["resource"]
    assert linked.status_code == 201
    assert linked.json()["resource"] == pantry.pk


def test_session_writes_need_the_csrf_token(personas, case):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["door_parent_partner"])
    body = body_for(case)

    refused = client.post(URL, body, content_type="application/json")
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    accepted = client.post(URL, body, content_type="application/json", HTTP_X_CSRFTOKEN=secret)

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert accepted.status_code == 201


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.lists(st.text(max_size=10), max_size=3),
    st.dates().map(str),
    st.sampled_from(["home_visit", "in_person", "parent", "12:30", "0", "1441", "-1"]),
)
FIELDS = [
    "client_uuid",
    "case",
    "occurred_on",
    "occurred_time",
    "duration_minutes",
    "activity_type",
    "mode",
    "location",
    "present",
    "notes",
    "mileage",
    "next_step",
    "next_court_date",
    "resource",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=4))
def test_any_create_body_is_answered_never_a_500(changes, case, partner_client):
    body = {**body_for(case), **changes}

    response = post(partner_client, body)

    assert response.status_code in (200, 201, 400, 404)
    if response.status_code == 400:
        assert response.json()["errors"]


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.one_of(st.lists(st.integers(), max_size=3), st.text(max_size=10), st.none()))
def test_a_body_that_is_not_an_object_is_a_400(body, case, partner_client):
    response = post(partner_client, body)

    assert response.status_code == 400


# --- Changing a contact ---------------------------------------------------------------------


def test_a_change_over_the_current_version_is_saved_and_audited(case, partner_client):
    activity = ActivityFactory(case=case)

    response = patch(partner_client, activity.pk, {"version": 1, "duration_minutes": 90})

    assert response.status_code == 200
    assert response.json()["duration_minutes"] == 90
    assert response.json()["version"] == 2
    activity.refresh_from_db()
    assert activity.duration_minutes == 90
    assert AuditEntry.objects.filter(
        action=AuditAction.UPDATE, object_type="mentoring.activity", object_id=str(activity.pk)
    ).exists()


def test_a_stale_change_is_a_409_with_the_record_as_stored(case, partner_client, personas):
    activity = ActivityFactory(case=case)
    first = patch(partner_client, activity.pk, {"version": 1, "notes": "First edit"})
    assert first.status_code == 200

    response = patch(partner_client, activity.pk, {"version": 1, "notes": "Second edit"})

    assert response.status_code == 409
    body = response.json()
    assert body["status"] == 409
    assert body["current"]["version"] == 2
    assert body["current"]["notes"] == "First edit"
    activity.refresh_from_db()
    assert activity.notes == "First edit"


def test_a_change_needs_the_version(case, partner_client):
    activity = ActivityFactory(case=case)

    response = patch(partner_client, activity.pk, {"notes": "No version"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["version"]


def test_a_signed_off_contact_is_403_for_the_parent_partner(case, partner_client, personas):
    activity = ActivityFactory(case=case, review_status=ReviewStatus.SIGNED_OFF)

    response = patch(partner_client, activity.pk, {"version": 1, "notes": "Late change"})

    assert response.status_code == 403
    assert "signed off" in response.json()["detail"]


def test_a_change_the_model_refuses_is_a_400_at_the_field(
    half_past_midnight, personas, door, client_for
):
    case = family_case(door, personas["door_parent_partner"])
    activity = ActivityFactory(case=case)

    response = patch(
        client_for(personas["door_parent_partner"]),
        activity.pk,
        {"version": 1, "occurred_on": "2026-12-03"},
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["occurred_on"]


# --- Queries --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["door_parent_partner", "door_coordinator"])
def test_the_number_of_queries_does_not_grow_with_the_contacts(
    persona, personas, door, case, client_for
):
    pantry = ResourceFactory(program=door)
    for _ in range(2):
        ActivityFactory(case=case, resource=pantry)
    client = client_for(personas[persona])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"page_size": 100})
        assert response.status_code == 200
        return len(response.json()["results"]), len(captured)

    queries()  # the session's first request writes to it; later ones do not
    rows, few = queries()
    assert rows == 2
    for _ in range(48):
        ActivityFactory(case=family_case(door, personas["door_parent_partner"]), resource=pantry)

    rows, many = queries()

    assert rows == 50
    assert many == few


# --- The form's choices and resources -------------------------------------------------------


def test_the_forms_choices_come_in_the_callers_language(personas, client_for):
    partner = personas["door_parent_partner"]
    partner.language = "es"
    partner.save()

    body = client_for(partner).get("/api/v1/activity-types/").json()

    assert {"code": "home_visit", "label": "Visita al hogar"} in body["activity_types"]
    assert {row["code"] for row in body["modes"]} == {"in_person", "phone", "text", "video"}
    assert "children" in {row["code"] for row in body["present"]}


def test_resources_are_the_programs_active_ones(personas, door, rock, client_for):
    pantry = ResourceFactory(program=door, name="Door Food Pantry")
    ResourceFactory(program=door, name="Closed Shelter", is_active=False)
    ResourceFactory(program=rock, name="Rock Food Pantry")

    body = client_for(personas["door_parent_partner"]).get("/api/v1/resources/").json()

    assert [row["id"] for row in body] == [pantry.pk]
    assert client_for(personas["state"]).get("/api/v1/resources/").status_code == 403
