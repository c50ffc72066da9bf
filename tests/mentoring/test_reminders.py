"""Reminders and the weekly digest, with the clock moved to the day that matters."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from mentoring import tasks
from mentoring.models import ClinicalSupportSession
from psp.models import Role
from referrals.models import Status
from tests.clock import CHICAGO
from tests.factories import ReferralFactory
from tests.mentoring.factories import ActivityFactory, assign_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinical_support_held(door, rock):
    """This month's clinical support already happened, so only the reminder under test fires."""
    for program in (door, rock):
        ClinicalSupportSession.objects.create(
            program=program, held_on=timezone.localdate().replace(day=1)
        )


@pytest.fixture
def case(personas, door):
    return assign_case(
        ReferralFactory(family__program=door, status=Status.ACCEPTED),
        personas["door_parent_partner"],
        opened_days_ago=60,
    )


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """Run the daily reminders as Celery does, outside any transaction: the e-mails go
    once the notifications are saved (``transaction.on_commit``)."""

    def run(today: str | None = None) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.send_daily_reminders(today)

    return run


def aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def test_no_contact_in_14_days_reminds_the_partner_and_coordinator_once(
    remind, personas, case, clinical_support_held
):
    today = timezone.localdate()
    ActivityFactory(case=case, at=aware(today - datetime.timedelta(days=10)))
    assert remind(today.isoformat()) == 0  # 10 days: not yet

    later = today + datetime.timedelta(days=5)  # 15 days after the last contact
    sent = remind(later.isoformat())
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert sent == 2
    assert recipients == sorted(
        [personas["door_parent_partner"].email, personas["door_pp_coordinator"].email]
    )
    assert case.referral.number in mail.outbox[0].body
    assert case.family.parents.get().last_name not in mail.outbox[0].body
    assert remind(later.isoformat()) == 0  # sent once


def test_court_hearing_within_a_week_reminds_the_partner(
    remind, personas, case, clinical_support_held
):
    today = timezone.localdate()
    ActivityFactory(case=case, at=aware(today - datetime.timedelta(days=1)))
    case.next_court_date = today + datetime.timedelta(days=9)
    case.save()
    assert remind(today.isoformat()) == 0
    three_days_later = today + datetime.timedelta(days=3)
    ActivityFactory(case=case, at=aware(today))
    remind(three_days_later.isoformat())
    court = [m for m in mail.outbox if "Court hearing" in m.subject]
    assert [m.to for m in court] == [[personas["door_parent_partner"].email]]


def test_month_without_clinical_support_reminds_the_program_coordinator(remind, personas, door):
    today = timezone.localdate()
    early = today.replace(day=5)
    late = today.replace(day=20)
    assert remind(early.isoformat()) == 0
    remind(late.isoformat())
    recipients = [address for message in mail.outbox for address in message.to]
    assert sorted(recipients) == ["door-coordinator@example.org", "rock-coordinator@example.org"]
    ClinicalSupportSession.objects.create(program=door, held_on=late.replace(day=2))
    mail.outbox.clear()
    next_day = late + datetime.timedelta(days=1)
    remind(next_day.isoformat())
    assert mail.outbox == []


def test_dashboard_and_home_show_what_is_due(personas, case, client_for):
    case.next_court_date = timezone.localdate() + datetime.timedelta(days=2)
    case.save()
    home = client_for(personas["door_parent_partner"]).get("/mentoring/").content.decode()
    assert "no contact in 14 days" in home
    assert "court hearing on" in home
    dashboard = client_for(personas["door_coordinator"]).get("/dashboard/").content.decode()
    assert "Needs attention" in dashboard
    assert "no clinical support session yet this month" in dashboard


def test_weekly_digest_for_each_parent_partner_coordinator(personas, case):
    ActivityFactory(case=case)
    ActivityFactory(case=case)
    sent = tasks.send_weekly_digest(timezone.localdate().isoformat())
    assert sent == 1
    [message] = mail.outbox
    assert message.to == [personas["door_pp_coordinator"].email]
    assert "Contacts logged" in message.body
    assert ": 2" in message.body  # two contacts by the Parent Partner
    assert "Contacts waiting for your review: 2" in message.body


def local_moment(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=CHICAGO)


def test_no_contact_reminder_counts_whole_local_days_at_any_hour(
    at_local, remind, personas, door, rock
):
    """13 local days since a contact just after midnight: not yet. 14 since one just before
    midnight: due. (Counted in UTC dates both would be 13 days ago, or late in the evening
    both 14.)"""
    today = at_local.date()
    recent, stale = (
        assign_case(
            ReferralFactory(family__program=door, status=Status.ACCEPTED),
            personas["door_parent_partner"],
            opened_days_ago=60,
        )
        for _ in range(2)
    )
    for program in (door, rock):
        ClinicalSupportSession.objects.create(program=program, held_on=today.replace(day=1))
    ActivityFactory(case=recent, at=local_moment(today - datetime.timedelta(days=13), 0, 5))
    ActivityFactory(case=stale, at=local_moment(today - datetime.timedelta(days=14), 23, 50))

    assert remind() == 2  # today: the program's, from the clock
    assert {address for message in mail.outbox for address in message.to} == {
        personas["door_parent_partner"].email,
        personas["door_pp_coordinator"].email,
    }
    bodies = "".join(str(message.body) for message in mail.outbox)
    assert stale.referral.number in bodies and recent.referral.number not in bodies


# A Tuesday in June, mid-morning in Wisconsin: after the 15th, so the clinical support reminder
# is due too, and far from midnight and from daylight saving changes.
JUNE_16 = datetime.datetime(2026, 6, 16, 10, 0, tzinfo=CHICAGO)


def test_each_person_gets_reminders_in_their_own_language(
    remind, personas, door, rock, make_member
):
    """The Parent Partner chose Spanish and their coordinator did not: in one run the
    Spanish reminder goes to one and the English to the other; the same for two program
    coordinators of one program."""
    with time_machine.travel(JUNE_16, tick=False):
        partner = personas["door_parent_partner"]
        partner.language = "es"
        partner.save()
        spanish_coordinator = make_member(door, Role.PROGRAM_COORDINATOR, language="es")
        ClinicalSupportSession.objects.create(program=rock, held_on=datetime.date(2026, 6, 1))
        case = assign_case(
            ReferralFactory(family__program=door, status=Status.ACCEPTED),
            partner,
            opened_days_ago=60,
        )
        case.next_court_date = datetime.date(2026, 6, 19)
        case.save()
        ActivityFactory(case=case, at=aware(datetime.date(2026, 6, 1)))

        remind()

    def mail_to(user):
        return [message for message in mail.outbox if message.to == [user.email]]

    to_partner = {message.subject: message.body for message in mail_to(partner)}
    assert set(to_partner) == {
        "Recordatorio: Sin contacto en 14 días",
        "Recordatorio: Audiencia en la corte dentro de 7 días",
    }
    body = "".join(to_partner.values())
    assert f"{case.referral.number}: sin contacto en 14 días" in body
    assert f"{case.referral.number}: audiencia en la corte el " in body
    assert "Hola" in body and "Hello" not in body

    [to_coordinator] = mail_to(personas["door_pp_coordinator"])
    assert to_coordinator.subject == "Reminder: No contact in 14 days"
    assert f"{case.referral.number}: no contact in 14 days" in to_coordinator.body
    assert "Hello" in to_coordinator.body

    [clinical_es] = mail_to(spanish_coordinator)
    [clinical_en] = mail_to(personas["door_coordinator"])
    assert clinical_es.subject == "Recordatorio: Sin sesión de apoyo clínico este mes"
    assert clinical_en.subject == "Reminder: No clinical support session this month"


def test_weekly_digest_in_each_coordinators_language(personas, door, make_member, case):
    spanish = make_member(door, Role.PARENT_PARTNER_COORDINATOR, language="es")
    ActivityFactory(case=case)
    with time_machine.travel(JUNE_16, tick=False):
        assert tasks.send_weekly_digest() == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    in_spanish = by_recipient[spanish.email]
    in_english = by_recipient[personas["door_pp_coordinator"].email]
    assert in_spanish.subject == f"{door.name}: su semana"
    assert "Contactos registrados" in in_spanish.body
    assert "la semana desde el " in in_spanish.body
    assert in_english.subject == f"{door.name}: your week"
    assert "Contacts logged" in in_english.body
