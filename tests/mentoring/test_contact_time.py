"""When a contact happened: a blank time is never invented, a morning contact for today is
taken, a contact from before the case opened is kept, and the next court date heard at a
hearing reaches the case."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from mentoring.models import Activity, ActivityType, Case
from psp.models import AuditAction, AuditEntry
from referrals.models import Status
from tests.factories import ReferralFactory
from tests.mentoring.factories import ActivityFactory, assign_case

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def local(day: str, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        datetime.date.fromisoformat(day), datetime.time(hour, minute), tzinfo=CHICAGO
    )


@pytest.fixture
def case(personas, door):
    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
    return assign_case(referral, personas["door_parent_partner"])


def contact(case: Case, **changes: str) -> dict[str, str]:
    data = {
        "client_uuid": str(uuid.uuid4()),
        "case": str(case.pk),
        "date": timezone.localdate().isoformat(),
        "time": "",
        "activity_type": ActivityType.HOME_VISIT,
        "mode": "in_person",
        "duration": "60",
        "notes": "Went over the visit schedule.",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("hour, minute", [(0, 30), (8, 0), (11, 59), (12, 1), (23, 30)])
def test_a_contact_for_today_without_a_time_is_taken_at_any_hour(
    personas, door, client_for, hour, minute
):
    with time_machine.travel(local("2026-12-02", hour, minute), tick=False):
        referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
        case = assign_case(referral, personas["door_parent_partner"])
        client = client_for(personas["door_parent_partner"])
        response = client.post("/mentoring/log/", contact(case, date="2026-12-02"))
        assert response.status_code == 302, response.getvalue().decode()
    activity = Activity.objects.get()
    assert activity.occurred_on == datetime.date(2026, 12, 2)
    assert activity.occurred_time is None


def test_a_time_later_today_is_refused_at_the_time_field(personas, case, client_for):
    with time_machine.travel(local("2026-12-02", 9, 15), tick=False):
        client = client_for(personas["door_parent_partner"])
        response = client.post("/mentoring/log/", contact(case, date="2026-12-02", time="10:30"))
        assert response.status_code == 200
        form = response.context["form"]
        assert form.errors["time"] == ["A contact cannot be in the future."]
        assert "date" not in form.errors
        assert 'value="10:30"' in response.getvalue().decode()
        ok = client.post("/mentoring/log/", contact(case, date="2026-12-02", time="09:00"))
        assert ok.status_code == 302
    assert Activity.objects.get().occurred_time == datetime.time(9, 0)


def test_tomorrow_is_refused_at_the_date_field_just_before_midnight(personas, case, client_for):
    with time_machine.travel(local("2026-12-31", 23, 58), tick=False):
        client = client_for(personas["door_parent_partner"])
        response = client.post("/mentoring/log/", contact(case, date="2027-01-01"))
        assert response.context["form"].errors["date"] == ["A contact cannot be in the future."]
        assert client.post("/mentoring/log/", contact(case, date="2026-12-31")).status_code == 302
    assert not Activity.objects.filter(occurred_on=datetime.date(2027, 1, 1)).exists()


def test_a_contact_without_a_time_shows_its_date_alone_everywhere(personas, case, client_for):
    ActivityFactory(
        case=case,
        occurred_on=timezone.localdate() - datetime.timedelta(days=1),
        occurred_time=None,
    )
    today = timezone.localdate()
    pages = [
        (personas["door_parent_partner"], "/mentoring/contacts/"),
        (personas["door_pp_coordinator"], "/mentoring/review/"),
        (personas["door_coordinator"], f"/mentoring/cases/{case.pk}/"),
        (
            personas["door_coordinator"],
            f"/mentoring/parent-partners/{case.assignments.get().parent_partner_id}"
            f"/summary/{today.year}-{today.month}/",
        ),
    ]
    for user, url in pages:
        page = client_for(user).get(url).getvalue().decode()
        for invented in ("noon", "12:00", "12 p.m."):
            assert invented not in page, (url, invented)
    csv = client_for(personas["door_coordinator"]).get("/mentoring/contacts/export.csv")
    row = csv.getvalue().decode("utf-8-sig").splitlines()[1].split(",")
    assert row[1] == ""  # the Time column


def test_a_contact_before_the_case_opened_is_kept(personas, door, client_for):
    referral = ReferralFactory(
        family__program=door,
        status=Status.ACCEPTED,
        received_on=timezone.localdate() - datetime.timedelta(days=20),
    )
    case = assign_case(referral, personas["door_parent_partner"], opened_days_ago=5)
    met_on = timezone.localdate() - datetime.timedelta(days=12)  # during screening
    client = client_for(personas["door_parent_partner"])
    response = client.post("/mentoring/log/", contact(case, date=met_on.isoformat()))
    assert response.status_code == 302
    assert Activity.objects.get().occurred_on == met_on


def test_a_contact_before_the_referral_is_explained_at_the_date_field(personas, door, client_for):
    referral = ReferralFactory(
        family__program=door,
        status=Status.ACCEPTED,
        received_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    case = assign_case(referral, personas["door_parent_partner"], opened_days_ago=5)
    too_early = timezone.localdate() - datetime.timedelta(days=30)
    client = client_for(personas["door_parent_partner"])
    response = client.post("/mentoring/log/", contact(case, date=too_early.isoformat()))
    assert response.status_code == 200
    errors = response.context["form"].errors["date"]
    assert errors[0].startswith("The contact is before the family was referred")
    assert f'value="{too_early.isoformat()}"' in response.getvalue().decode()
    assert not Activity.objects.exists()


def test_the_next_hearing_date_heard_at_court_reaches_the_case(personas, case, client_for):
    next_hearing = timezone.localdate() + datetime.timedelta(days=40)
    client = client_for(personas["door_parent_partner"])
    page = client.get("/mentoring/log/").getvalue().decode()
    assert "Next hearing date (optional)" in page
    response = client.post(
        "/mentoring/log/",
        contact(
            case,
            activity_type=ActivityType.COURT_HEARING,
            next_court_date=next_hearing.isoformat(),
        ),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.next_court_date == next_hearing
    # The next hearing is one of the case's hearings, to come, and its adding is logged.
    hearing = case.hearings.get()
    assert hearing.day == next_hearing
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="mentoring.hearing", object_id=str(hearing.pk)
    ).exists()
    coordinator_page = client_for(personas["door_coordinator"]).get(case.get_absolute_url())
    assert f'<time datetime="{next_hearing.isoformat()}">' in coordinator_page.getvalue().decode()


def test_a_next_hearing_date_on_another_kind_of_contact_is_ignored(personas, case, client_for):
    client = client_for(personas["door_parent_partner"])
    later = (timezone.localdate() + datetime.timedelta(days=9)).isoformat()
    response = client.post("/mentoring/log/", contact(case, next_court_date=later))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.next_court_date is None
    assert Activity.objects.get().next_court_date is None


def test_a_next_hearing_date_before_the_hearing_is_refused(personas, case, client_for):
    client = client_for(personas["door_parent_partner"])
    response = client.post(
        "/mentoring/log/",
        contact(
            case,
            activity_type=ActivityType.COURT_HEARING,
            next_court_date=(timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        ),
    )
    assert response.context["form"].errors["next_court_date"] == [
        "Enter a date after the hearing you went to."
    ]
    assert not Activity.objects.exists()
