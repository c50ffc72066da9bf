"""The contact log: what a Parent Partner may log, validation, idempotent saving, review
and locking."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from mentoring.models import Activity, ActivityType, ReviewStatus
from psp.models import AuditAction, AuditEntry
from referrals.models import Status
from tests.factories import ReferralFactory
from tests.mentoring.factories import ActivityFactory, ResourceFactory, assign_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas, door):
    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
    return assign_case(referral, personas["door_parent_partner"])


def contact(case, **changes):
    data = {
        "client_uuid": str(uuid.uuid4()),
        "case": str(case.pk),
        "date": timezone.localdate().isoformat(),
        "time": "",
        "activity_type": ActivityType.COURT_HEARING,
        "mode": "in_person",
        "duration": "120",
        "notes": "Sat with mom at the permanency hearing.",
        "location": "Door County Justice Center",
    }
    data.update(changes)
    return data


def test_parent_partner_logs_a_court_hearing(personas, case, client_for):
    client = client_for(personas["door_parent_partner"])
    page = client.get("/mentoring/log/")
    text = page.content.decode()
    assert "Court hearing (attended or supported)" in text
    for forbidden in ["Testify", "Transport", "Supervise family"]:
        assert f'value="{forbidden.lower()}' not in text
    assert "Parent Partners do not testify at court hearings" in text

    response = client.post("/mentoring/log/", contact(case))
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/mentoring/contacts/{activity.pk}/saved/"
    assert activity.activity_type == ActivityType.COURT_HEARING
    assert activity.duration_minutes == 120
    assert activity.review_status == ReviewStatus.WAITING
    assert activity.parent_partner.user == personas["door_parent_partner"]
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="mentoring.activity"
    ).exists()
    saved = client.get(response["Location"]).content.decode()
    assert "Log another for this family" in saved


def test_the_same_form_sent_twice_is_saved_once(personas, case, client_for):
    client = client_for(personas["door_parent_partner"])
    data = contact(case)
    client.post("/mentoring/log/", data)
    again = client.post("/mentoring/log/", data)
    assert again.status_code == 302
    assert Activity.objects.count() == 1


def test_save_and_log_another_comes_back_to_the_same_family(personas, case, client_for):
    client = client_for(personas["door_parent_partner"])
    response = client.post("/mentoring/log/", {**contact(case), "another": "1"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(f"/mentoring/log/?case={case.pk}&saved=")
    assert "Saved: Court hearing" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"date": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()},
            "date",
            "A contact cannot be in the future.",
        ),
        ({"date": ""}, "date", "Enter the date of the contact."),
        ({"activity_type": ""}, "activity_type", "Choose what kind of contact it was."),
        ({"activity_type": "testify"}, "activity_type", "Select a valid choice."),
        ({"duration": ""}, "duration", "Choose how long the contact took."),
        (
            {"activity_type": "resource_linkage"},
            "resource",
            "Choose the resource the family was connected to.",
        ),
        ({"mileage": "-3"}, "mileage", "Enter the miles driven, from 0 to 1,000."),
    ],
)
def test_bad_contact_is_explained_at_the_field_and_kept(
    personas, case, client_for, changes, field, message
):
    response = client_for(personas["door_parent_partner"]).post(
        "/mentoring/log/", contact(case, **changes)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'href="#id_{field}' in page
    assert "Sat with mom at the permanency hearing." in page
    assert not Activity.objects.exists()


def test_resource_linkage_points_to_a_resource(personas, case, door, client_for):
    resource = ResourceFactory(program=door, name="Door County Food Pantry")
    client_for(personas["door_parent_partner"]).post(
        "/mentoring/log/",
        contact(case, activity_type="resource_linkage", resource=str(resource.pk)),
    )
    assert Activity.objects.get().resource == resource


def test_cannot_log_for_a_family_that_is_not_yours(personas, case, door, client_for, make_member):
    from psp.models import Role

    other_user = make_member(door, Role.PARENT_PARTNER)
    other_case = assign_case(
        ReferralFactory(family__program=door, status=Status.ACCEPTED), other_user
    )
    response = client_for(personas["door_parent_partner"]).post(
        "/mentoring/log/", contact(other_case)
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not Activity.objects.exists()


def test_review_signs_off_and_locks(personas, case, client_for):
    activity = ActivityFactory(case=case)
    coordinator = client_for(personas["door_pp_coordinator"])
    assert activity.notes in coordinator.get("/mentoring/review/").content.decode()
    coordinator.post(
        f"/mentoring/contacts/{activity.pk}/review/",
        {"decision": "sign_off", "version": str(activity.version)},
    )
    activity.refresh_from_db()
    assert activity.review_status == ReviewStatus.SIGNED_OFF
    assert activity.reviewed_by == personas["door_pp_coordinator"]
    # Locked for the Parent Partner, still open to the coordinator.
    assert (
        client_for(personas["door_parent_partner"])
        .get(f"/mentoring/contacts/{activity.pk}/edit/")
        .status_code
        == 403
    )
    assert coordinator.get(f"/mentoring/contacts/{activity.pk}/edit/").status_code == 200


def test_send_back_needs_a_comment_and_edit_returns_it_to_review(personas, case, client_for):
    activity = ActivityFactory(case=case)
    coordinator = client_for(personas["door_pp_coordinator"])
    page = coordinator.post(
        f"/mentoring/contacts/{activity.pk}/review/",
        {"decision": "send_back", "version": "1"},
        follow=True,
    )
    assert "Tell the Parent Partner what to change." in page.content.decode()
    coordinator.post(
        f"/mentoring/contacts/{activity.pk}/review/",
        {"decision": "send_back", "version": "1", "comment": "Add the mileage."},
    )
    activity.refresh_from_db()
    assert activity.review_status == ReviewStatus.SENT_BACK

    partner_client = client_for(personas["door_parent_partner"])
    home = partner_client.get("/mentoring/").content.decode()
    assert "Add the mileage." in home
    assert activity.occurred_time is not None
    partner_client.post(
        f"/mentoring/contacts/{activity.pk}/edit/",
        contact(
            case,
            client_uuid=str(activity.client_uuid),
            date=activity.occurred_on.isoformat(),
            time=activity.occurred_time.strftime("%H:%M"),
            activity_type="home_visit",
            duration="60",
            mileage="14",
            version=str(activity.version),
        ),
    )
    activity.refresh_from_db()
    assert activity.mileage == 14
    assert activity.review_status == ReviewStatus.WAITING


@pytest.mark.parametrize("rows", [2, 25])
def test_contact_and_case_pages_query_count(
    personas, case, client_for, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        ActivityFactory(case=case)
    coordinator = client_for(personas["door_coordinator"])
    # Each list page writes one audit entry (psp.audit.audited_list).
    with django_assert_max_num_queries(15):
        assert coordinator.get("/mentoring/contacts/").status_code == 200
    with django_assert_max_num_queries(15):
        assert coordinator.get("/mentoring/review/").status_code == 200
    # 22 + the program's own name for the Parent Partner role (its role labels).
    with django_assert_max_num_queries(23):
        assert coordinator.get(f"/mentoring/cases/{case.pk}/").status_code == 200
    # 14 + the Parent Partner filter's choices + the second-factor check + the audit entry
    with django_assert_max_num_queries(17):
        assert coordinator.get("/mentoring/cases/").status_code == 200
    partner = client_for(personas["door_parent_partner"])
    with django_assert_max_num_queries(17):
        assert partner.get("/mentoring/").status_code == 200


def test_date_pickers_keep_their_value_in_spanish(personas, case, client_for):
    client = client_for(personas["door_parent_partner"])
    client.post("/i18n/setlang/", {"language": "es", "next": "/mentoring/log/"})
    page = client.get("/mentoring/log/").content.decode()
    assert '<html lang="es">' in page
    assert f'type="date" name="date" value="{timezone.localdate().isoformat()}"' in page


# --- At every hour and on the dates that break clocks (tests/clock.py) ----------------------


def form_errors(response) -> object:
    return response.context["form"].errors if response.context else response.status_code


def test_a_contact_today_is_saved_at_any_hour_with_or_without_a_time(
    at_local, personas, case, client_for
):
    client = client_for(personas["door_parent_partner"])
    today = at_local.date()
    a_little_earlier = max(
        at_local - datetime.timedelta(minutes=20), at_local.replace(hour=0, minute=0)
    )
    for time in ["", a_little_earlier.strftime("%H:%M")]:
        response = client.post("/mentoring/log/", contact(case, date=today.isoformat(), time=time))
        assert response.status_code == 302, form_errors(response)
    saved = Activity.objects.order_by("pk")
    assert [(a.occurred_on, a.occurred_time) for a in saved] == [
        (today, None),
        (today, a_little_earlier.time().replace(second=0, microsecond=0)),
    ]


def test_a_contact_yesterday_is_saved_at_any_hour(at_local, personas, case, client_for):
    client = client_for(personas["door_parent_partner"])
    yesterday = at_local.date() - datetime.timedelta(days=1)
    for time in ["", "23:59"]:
        response = client.post(
            "/mentoring/log/", contact(case, date=yesterday.isoformat(), time=time)
        )
        assert response.status_code == 302, form_errors(response)
    assert {a.occurred_on for a in Activity.objects.all()} == {yesterday}


def test_a_time_later_today_is_refused_at_the_time_field(at_local, personas, case, client_for):
    later = at_local + datetime.timedelta(minutes=10)  # past the five minutes' grace
    assert later.date() == at_local.date()  # (no moment in the matrix is 23:50 or later)
    response = client_for(personas["door_parent_partner"]).post(
        "/mentoring/log/",
        contact(case, date=at_local.date().isoformat(), time=later.strftime("%H:%M")),
    )
    # Wall-clock times: in the hour clocks fall back, a later time on the clock is still
    # to come, though its first occurrence has passed.
    assert response.status_code == 200
    assert response.context["form"].errors == {"time": ["A contact cannot be in the future."]}
    assert not Activity.objects.exists()


def test_the_form_offers_today_and_refuses_tomorrow_at_any_hour(
    at_local, personas, case, client_for
):
    client = client_for(personas["door_parent_partner"])
    page = client.get("/mentoring/log/").content.decode()
    assert f'type="date" name="date" value="{at_local.date().isoformat()}"' in page
    tomorrow = at_local.date() + datetime.timedelta(days=1)
    response = client.post("/mentoring/log/", contact(case, date=tomorrow.isoformat()))
    assert response.status_code == 200
    assert response.context["form"].errors == {"date": ["A contact cannot be in the future."]}
