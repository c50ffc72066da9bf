"""Court hearings as records: added by the case's Parent Partner after a hearing they went
to, or by a coordinator; the next hearing the court set goes on the list; the case's next
court date (the dashboard, reminders and lists read it) is the first hearing still to come,
at any hour and after the day has passed."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from mentoring import services
from mentoring.models import ActivityType, CaseStatus, Hearing, HearingType
from psp.models import AuditAction, AuditEntry
from referrals.models import Status
from tests.clock import local
from tests.factories import ProgramFactory, ReferralFactory
from tests.mentoring.factories import ActivityFactory, assign_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas, door):
    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
    return assign_case(referral, personas["door_parent_partner"], opened_days_ago=90)


@pytest.fixture
def plea(door):
    return HearingType.objects.get_or_create(program=None, name="Plea hearing")[0]


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def test_a_parent_partner_records_the_hearing_they_went_to_and_the_next_one(
    personas, case, plea, client_for
):
    contact = ActivityFactory(
        case=case,
        parent_partner=case.assignments.get().parent_partner,
        activity_type=ActivityType.COURT_HEARING,
        occurred_on=days(0),
    )
    partner = client_for(personas["door_parent_partner"])
    saved = partner.get(f"/mentoring/contacts/{contact.pk}/saved/").content.decode()
    assert f"/mentoring/cases/{case.pk}/hearings/new/?contact={contact.pk}" in saved

    form = partner.get(f"/mentoring/cases/{case.pk}/hearings/new/?contact={contact.pk}")
    assert form.context["form"].initial["day"] == days(0)
    response = partner.post(
        f"/mentoring/cases/{case.pk}/hearings/new/",
        {
            "day": days(0).isoformat(),
            "time": "09:30",
            "hearing_type": str(plea.pk),
            "court": "Door County Circuit Court",
            "judge": "Judge Weber",
            "outcome": "Plea entered; family time twice a week.",
            "next_day": days(35).isoformat(),
            "next_time": "13:30",
        },
    )
    assert response.status_code == 302
    held, to_come = case.hearings.order_by("day")
    assert (held.day, held.hearing_type, held.outcome) == (
        days(0),
        plea,
        "Plea entered; family time twice a week.",
    )
    assert (to_come.day, to_come.time, to_come.court, to_come.judge) == (
        days(35),
        datetime.time(13, 30),
        "Door County Circuit Court",
        "Judge Weber",
    )
    case.refresh_from_db()
    # The hearing held today is still today's; tomorrow the case moves on to the next one.
    assert case.next_court_date == days(0)
    assert services.sync_stale_next_hearings(today=days(1)) == 1
    case.refresh_from_db()
    assert case.next_court_date == days(35)
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.CREATE, object_type="mentoring.hearing"
        ).count()
        == 2
    )

    page = client_for(personas["door_coordinator"]).get(case.get_absolute_url()).content.decode()
    assert "Plea entered; family time twice a week." in page
    assert f'<time datetime="{days(35).isoformat()}">' in page

    # Opened again from the same contact, the hearing is completed, not added twice.
    again = partner.get(f"/mentoring/cases/{case.pk}/hearings/new/?contact={contact.pk}")
    assert again.status_code == 302
    assert again["Location"] == f"/mentoring/hearings/{held.pk}/edit/"


@pytest.mark.parametrize("hour, minute", [(0, 5), (0, 30), (11, 59), (23, 55)])
def test_a_hearing_today_is_the_next_one_all_day_and_yesterdays_is_not(
    personas, door, hour, minute
):
    with time_machine.travel(local(2027, 3, 14, hour, minute), tick=False):  # DST starts
        referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
        case = assign_case(referral, personas["door_parent_partner"], opened_days_ago=30)
        actor = personas["door_coordinator"]
        today = timezone.localdate()
        assert today == datetime.date(2027, 3, 14)
        for offset in (-1, 0, 20):
            services.hearing_save(
                actor=actor,
                case=case,
                hearing=None,
                data={"day": today + datetime.timedelta(days=offset)},
            )
        case.refresh_from_db()
        assert case.next_court_date == today


def test_the_coordinators_dashboard_reads_the_hearings(personas, case, client_for):
    services.hearing_save(
        actor=personas["door_coordinator"], case=case, hearing=None, data={"day": days(6)}
    )
    page = client_for(personas["door_coordinator"]).get("/dashboard/").content.decode()
    assert f'<time datetime="{days(6).isoformat()}">' in page


def test_a_second_hearing_the_same_day_is_refused_at_the_field(personas, case, client_for):
    Hearing.objects.create(case=case, day=days(10))
    response = client_for(personas["door_coordinator"]).post(
        f"/mentoring/cases/{case.pk}/hearings/new/", {"day": days(10).isoformat()}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["day"] == [
        "This case already has a hearing that day: change that one instead."
    ]
    assert case.hearings.count() == 1


def test_the_next_hearing_must_come_after_this_one(personas, case, client_for):
    response = client_for(personas["door_coordinator"]).post(
        f"/mentoring/cases/{case.pk}/hearings/new/",
        {"day": days(10).isoformat(), "next_day": days(3).isoformat()},
    )
    assert response.context["form"].errors["next_day"] == ["Enter a date after this hearing."]
    assert not case.hearings.exists()


def test_another_programs_kind_of_hearing_is_not_offered_nor_taken(personas, case, client_for):
    elsewhere = HearingType.objects.create(program=ProgramFactory(), name="Rock County review")
    client = client_for(personas["door_coordinator"])
    form = client.get(f"/mentoring/cases/{case.pk}/hearings/new/").content.decode()
    assert "Rock County review" not in form
    response = client.post(
        f"/mentoring/cases/{case.pk}/hearings/new/",
        {"day": days(10).isoformat(), "hearing_type": str(elsewhere.pk)},
    )
    assert "hearing_type" in response.context["form"].errors
    assert not case.hearings.exists()


def test_a_stale_change_says_so_and_keeps_what_was_typed(personas, case, client_for):
    hearing = Hearing.objects.create(case=case, day=days(-2))
    client = client_for(personas["door_coordinator"])
    url = f"/mentoring/hearings/{hearing.pk}/edit/"
    assert (
        client.post(url, {"version": "1", "day": days(-2), "outcome": "First"}).status_code == 302
    )
    stale = client.post(url, {"version": "1", "day": days(-2), "outcome": "Second"})
    page = stale.content.decode()
    assert "Someone else changed this record" in page
    assert "Second" in page
    hearing.refresh_from_db()
    assert hearing.outcome == "First"


def test_a_closed_cases_hearings_are_shown_but_not_added_by_the_parent_partner(
    personas, case, client_for
):
    Hearing.objects.create(case=case, day=days(-20), outcome="Case dismissed.")
    case.status = CaseStatus.CLOSED
    case.closed_on = days(-1)
    case.closure_outcome = "reunified"
    case.save()
    partner = client_for(personas["door_parent_partner"])
    assert partner.get(f"/mentoring/cases/{case.pk}/hearings/new/").status_code in (403, 404)


def test_the_case_page_reads_its_hearings_in_a_fixed_number_of_queries(
    personas, case, client_for, django_assert_max_num_queries
):
    client = client_for(personas["door_coordinator"])
    client.get(case.get_absolute_url())
    kinds: list[HearingType | None] = [*HearingType.objects.all()[:3], None]
    for offset in range(12):
        Hearing.objects.create(
            case=case, day=days(offset * 7 - 40), hearing_type=kinds[offset % len(kinds)]
        )
    with django_assert_max_num_queries(40) as counted:
        client.get(case.get_absolute_url())
    few = len(counted)
    Hearing.objects.create(case=case, day=days(200), hearing_type=kinds[0])
    with django_assert_max_num_queries(few):
        client.get(case.get_absolute_url())
