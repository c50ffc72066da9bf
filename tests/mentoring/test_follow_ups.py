"""Follow-ups: a contact's next step becomes something its Parent Partner does by a day; a
coordinator sets one for anyone on the case; open ones are on each person's dashboard and
in the daily reminder e-mail, by referral number only; the other county never sees them."""

from __future__ import annotations

import datetime
import uuid

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from mentoring import tasks
from mentoring.models import ActivityType, CaseStatus, ClinicalSupportSession, FollowUp
from psp.models import AuditAction, AuditEntry, Notification, Role
from referrals.models import Status
from tests.clock import CHICAGO
from tests.factories import ReferralFactory
from tests.mentoring.factories import ActivityFactory, assign_case, profile_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas, door):
    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
    return assign_case(referral, personas["door_parent_partner"], opened_days_ago=60)


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def contact(case, **changes):
    data = {
        "client_uuid": str(uuid.uuid4()),
        "case": str(case.pk),
        "date": timezone.localdate().isoformat(),
        "time": "",
        "activity_type": ActivityType.HOME_VISIT,
        "mode": "in_person",
        "duration": "60",
        "notes": "Talked through the case plan.",
    }
    data.update(changes)
    return data


def test_a_contacts_next_step_is_the_parent_partners_follow_up_on_their_home_page(
    at_local, personas, case, client_for
):
    """At any hour (after midnight, before noon, DST days...): a next step given with a day
    is due that day; one without a day, a week after the contact."""
    partner = client_for(personas["door_parent_partner"])
    today = timezone.localdate()
    response = partner.post(
        "/mentoring/log/",
        contact(case, next_step="Bring the housing list", next_step_due=days(2).isoformat()),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = partner.post(
        "/mentoring/log/",
        contact(case, date=(today - datetime.timedelta(days=10)).isoformat(), next_step="Call WIC"),
    )
    assert response.status_code == 302
    housing, wic = FollowUp.objects.order_by("-due_on")
    assert (housing.what, housing.due_on, housing.owner) == (
        "Bring the housing list",
        days(2),
        personas["door_parent_partner"],
    )
    assert (wic.what, wic.due_on) == ("Call WIC", today - datetime.timedelta(days=3))

    home = partner.get("/mentoring/").content.decode()
    assert "My follow-ups" in home
    assert "Bring the housing list" in home and "Call WIC" in home
    assert "1 overdue" in home
    dashboard = partner.get("/", follow=True).content.decode()
    assert "Bring the housing list" in dashboard


def test_changing_the_contacts_next_step_changes_its_open_follow_up(personas, case, client_for):
    partner = client_for(personas["door_parent_partner"])
    partner.post("/mentoring/log/", contact(case, next_step="Call the landlord"))
    activity = case.activities.get()
    edit = f"/mentoring/contacts/{activity.pk}/edit/"
    form = partner.get(edit).context["form"]
    assert form.initial["next_step_due"] == days(7)

    data = contact(case, next_step="Call the landlord and the shelter")
    data.update(version=str(activity.version), next_step_due=days(3).isoformat())
    assert partner.post(edit, data).status_code == 302
    follow_up = FollowUp.objects.get()
    assert (follow_up.what, follow_up.due_on) == ("Call the landlord and the shelter", days(3))

    activity.refresh_from_db()
    data.update(version=str(activity.version), next_step="", next_step_due="")
    assert partner.post(edit, data).status_code == 302
    assert not FollowUp.objects.exists()
    assert AuditEntry.objects.filter(
        object_type="mentoring.followup", action=AuditAction.DELETE
    ).exists()


def test_a_done_follow_up_is_not_changed_by_editing_the_contact(personas, case, client_for):
    partner = client_for(personas["door_parent_partner"])
    partner.post("/mentoring/log/", contact(case, next_step="Call the landlord"))
    follow_up = FollowUp.objects.get()
    partner.post(f"/mentoring/follow-ups/{follow_up.pk}/done/", {"version": "1"})
    activity = case.activities.get()
    data = contact(case, next_step="Something else", version=str(activity.version))
    partner.post(f"/mentoring/contacts/{activity.pk}/edit/", data)
    follow_up.refresh_from_db()
    assert follow_up.what == "Call the landlord" and follow_up.done_at is not None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"next_step": "x", "next_step_due": "2026-01-01", "date": "2026-01-02"},
            "next_step_due",
            "on or after",
        ),
        ({"next_step_due": "2099-01-01", "next_step": ""}, "next_step", "Write the next step"),
        ({"next_step_due": "someday", "next_step": "x"}, "next_step_due", "date"),
        ({"next_step": "x" * 301}, "next_step", "300"),
    ],
)
def test_a_wrong_next_step_is_refused_at_its_field(
    personas, case, client_for, changes, field, message
):
    case.referral.received_on = datetime.date(2025, 1, 1)
    case.referral.save()
    partner = client_for(personas["door_parent_partner"])
    response = partner.post("/mentoring/log/", contact(case, **changes))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors, response.context["form"].errors
    assert not FollowUp.objects.exists() and not case.activities.exists()


def test_a_coordinator_gives_a_follow_up_to_the_parent_partner(personas, case, client_for):
    coordinator = client_for(personas["door_pp_coordinator"])
    page = coordinator.get(f"/mentoring/cases/{case.pk}/follow-ups/new/")
    owners = set(page.context["form"].fields["owner"].queryset)
    assert owners == {
        personas["door_parent_partner"],
        personas["door_pp_coordinator"],
        personas["door_coordinator"],
    }
    response = coordinator.post(
        f"/mentoring/cases/{case.pk}/follow-ups/new/",
        {
            "what": "Ask the parent which days suit family time",
            "due_on": days(1).isoformat(),
            "owner": str(personas["door_parent_partner"].pk),
        },
    )
    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert follow_up.owner == personas["door_parent_partner"]
    entry = AuditEntry.objects.get(object_type="mentoring.followup", action=AuditAction.CREATE)
    assert entry.actor_username == personas["door_pp_coordinator"].username
    assert entry.program_id == case.program_id

    partner_home = client_for(personas["door_parent_partner"]).get("/mentoring/").content.decode()
    assert "Ask the parent which days suit family time" in partner_home
    case_page = coordinator.get(f"/mentoring/cases/{case.pk}/").content.decode()
    assert "Ask the parent which days suit family time" in case_page


def test_a_follow_up_goes_only_to_someone_on_the_case(personas, case, client_for):
    coordinator = client_for(personas["door_pp_coordinator"])
    response = coordinator.post(
        f"/mentoring/cases/{case.pk}/follow-ups/new/",
        {"what": "x", "due_on": days(1).isoformat(), "owner": str(personas["rock_coordinator"].pk)},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
    response = coordinator.post(
        f"/mentoring/cases/{case.pk}/follow-ups/new/", {"what": "", "due_on": "", "owner": ""}
    )
    errors = response.context["form"].errors
    assert errors["what"] == ["Write what is to be done."]
    assert errors["due_on"] == ["Enter the day it should be done by."]
    assert not FollowUp.objects.exists()


def test_marking_done_takes_it_off_the_lists_and_a_stale_page_is_told(personas, case, client_for):
    follow_up = FollowUp.objects.create(
        case=case, what="Call the landlord", due_on=days(0), owner=personas["door_parent_partner"]
    )
    partner = client_for(personas["door_parent_partner"])
    stale = partner.post(
        f"/mentoring/follow-ups/{follow_up.pk}/done/",
        {"version": "7", "next": "/mentoring/follow-ups/"},
        follow=True,
    )
    assert "Someone changed this follow-up" in stale.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.done_at is None

    response = partner.post(
        f"/mentoring/follow-ups/{follow_up.pk}/done/",
        {"version": "1", "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/mentoring/cases/{case.pk}/"
    follow_up.refresh_from_db()
    assert follow_up.done_by == personas["door_parent_partner"]
    listed = partner.get("/mentoring/follow-ups/").content.decode()
    assert "Done: Call the landlord" in listed  # the message, once
    assert "You have no open follow-ups." in listed
    # Done is done: it cannot be changed or marked again.
    assert partner.get(f"/mentoring/follow-ups/{follow_up.pk}/edit/").status_code == 403


def test_the_other_county_and_other_parent_partners_never_see_it(
    personas, case, client_for, make_member, door
):
    follow_up = FollowUp.objects.create(
        case=case, what="Call the landlord", due_on=days(0), owner=personas["door_parent_partner"]
    )
    other_partner = make_member(door, Role.PARENT_PARTNER)
    for user in (personas["rock_coordinator"], other_partner):
        client = client_for(user)
        assert client.get(f"/mentoring/follow-ups/{follow_up.pk}/edit/").status_code == 404
        assert (
            client.post(f"/mentoring/follow-ups/{follow_up.pk}/done/", {"version": "1"}).status_code
            == 404
        )
        assert (
            "Call the landlord" not in client.get("/mentoring/follow-ups/?who=all").content.decode()
        )
    follow_up.refresh_from_db()
    assert follow_up.done_at is None


def test_coordinators_see_everyones_follow_ups_in_a_few_queries(
    personas, door, client_for, django_assert_max_num_queries
):
    partner = personas["door_parent_partner"]
    for number in range(30):
        referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
        case = assign_case(referral, partner)
        FollowUp.objects.create(
            case=case, what=f"Step {number}", due_on=days(number - 5), owner=partner
        )
    coordinator = client_for(personas["door_pp_coordinator"])
    assert (
        "You have no open follow-ups." in coordinator.get("/mentoring/follow-ups/").content.decode()
    )
    with django_assert_max_num_queries(14):
        page = coordinator.get("/mentoring/follow-ups/?who=all").content.decode()
    assert "Step 0" in page and "Step 24" in page and "Step 25" not in page  # 25 a page
    assert page.count("overdue") >= 5
    with django_assert_max_num_queries(14):
        second = coordinator.get("/mentoring/follow-ups/?who=all&page=2").content.decode()
    assert "Step 29" in second
    with django_assert_max_num_queries(40):
        client_for(partner).get("/mentoring/")


def test_closed_cases_follow_ups_leave_the_lists(personas, case, client_for):
    FollowUp.objects.create(
        case=case, what="Call the landlord", due_on=days(0), owner=personas["door_parent_partner"]
    )
    case.status = CaseStatus.CLOSED
    case.save()
    partner = client_for(personas["door_parent_partner"])
    assert "Call the landlord" not in partner.get("/mentoring/follow-ups/").content.decode()
    assert tasks.send_daily_reminders() == 0


# A Tuesday in June at 00:30 in Wisconsin: the program's day has begun, UTC's is older.
JUNE_16_AFTER_MIDNIGHT = datetime.datetime(2026, 6, 16, 0, 30, tzinfo=CHICAGO)


def test_the_reminder_e_mail_names_follow_ups_due_and_overdue_by_number_only(
    personas, door, rock, django_capture_on_commit_callbacks
):
    def remind() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.send_daily_reminders()

    with time_machine.travel(JUNE_16_AFTER_MIDNIGHT, tick=False):
        partner = personas["door_parent_partner"]
        partner.language = "es"
        partner.save()
        case = assign_case(
            ReferralFactory(family__program=door, status=Status.ACCEPTED),
            partner,
            opened_days_ago=5,
        )
        ActivityFactory(case=case)  # no "no contact" reminder
        due_today = FollowUp.objects.create(
            case=case, what="Llamar a María Pérez", due_on=datetime.date(2026, 6, 16), owner=partner
        )
        coordinator = personas["door_pp_coordinator"]
        FollowUp.objects.create(
            case=case, what="Call Jane Doe", due_on=datetime.date(2026, 6, 10), owner=coordinator
        )
        FollowUp.objects.create(
            case=case, what="Not yet", due_on=datetime.date(2026, 6, 17), owner=partner
        )
        for program in (door, rock):
            ClinicalSupportSession.objects.create(
                program=program, held_on=datetime.date(2026, 6, 1)
            )

        assert remind() == 2
        assert remind() == 0  # once

    [to_partner] = [message for message in mail.outbox if message.to == [partner.email]]
    assert to_partner.subject == "Recordatorio: Toca un seguimiento"
    assert f"{case.referral.number}: seguimiento previsto para el " in to_partner.body
    [to_coordinator] = [message for message in mail.outbox if message.to == [coordinator.email]]
    assert f"{case.referral.number}: follow-up due on" in to_coordinator.body
    for message in mail.outbox:
        assert "María" not in message.body and "Jane" not in message.body

    # In the app too, leading to the case.
    bell = Notification.objects.get(recipient=coordinator, kind="follow_up_due")
    assert bell.url == f"/mentoring/cases/{case.pk}/"
    # Still open a week later: reminded again, once.
    mail.outbox.clear()
    due_today.done_at = timezone.now()
    due_today.save()
    with time_machine.travel(JUNE_16_AFTER_MIDNIGHT + datetime.timedelta(days=7), tick=False):
        assert remind() == 2  # the coordinator's, and "Not yet" now late
        assert remind() == 0
    assert {message.to[0] for message in mail.outbox} == {partner.email, coordinator.email}


def test_the_home_page_lists_the_soonest_five_and_counts_all_and_overdue(
    at_local, personas, door, case, client_for, make_member, django_assert_max_num_queries
):
    """At any hour: the five soonest of the Parent Partner's own open follow-ups on open
    cases, and the counts of all of them and of the overdue, however many there are; done
    ones, a closed case's, a family's given to another Parent Partner and a coordinator's
    are not counted."""
    partner = personas["door_parent_partner"]
    coordinator = personas["door_coordinator"]

    def follow_up(what: str, due_in: int, **more) -> FollowUp:
        return FollowUp.objects.create(
            case=more.pop("on", case),
            what=what,
            due_on=days(due_in),
            owner=more.pop("owner", partner),
            created_by=coordinator,
            **more,
        )

    for n in range(3):
        follow_up(f"Overdue {n}", -1 - n)
    follow_up("Due today", 0)
    for n in range(3):
        follow_up(f"Later {n}", 5 + n)
    follow_up("Done already", -5, done_at=timezone.now(), done_by=partner)
    follow_up("The coordinator's own", -5, owner=coordinator)
    closed = assign_case(
        ReferralFactory(family__program=door, status=Status.ACCEPTED), partner, opened_days_ago=60
    )
    follow_up("On a closed case", -5, on=closed)
    closed.__class__.objects.filter(pk=closed.pk).update(
        status=CaseStatus.CLOSED, closed_on=timezone.localdate(), closure_outcome="reunified"
    )
    # A family given to another Parent Partner: still open, but no longer theirs to see.
    given_away = assign_case(
        ReferralFactory(family__program=door, status=Status.ACCEPTED), partner, opened_days_ago=60
    )
    follow_up("On a family given away", -5, on=given_away)
    given_away.assignments.update(ended_on=timezone.localdate())
    given_away.assignments.create(
        parent_partner=profile_for(make_member(door, Role.PARENT_PARTNER), door.pk),
        started_on=timezone.localdate(),
    )
    client = client_for(partner)
    client.get("/mentoring/")
    with django_assert_max_num_queries(13):
        home = client.get("/mentoring/").content.decode()
    assert "All my follow-ups (7)" in home
    assert "3 overdue" in home
    shown = ["Overdue 2", "Overdue 1", "Overdue 0", "Due today", "Later 0"]
    positions = [home.index(what) for what in shown]
    assert positions == sorted(positions)
    for hidden in [
        "Later 1",
        "Later 2",
        "Done already",
        "The coordinator's own",
        "closed case",
        "given away",
    ]:
        assert hidden not in home
