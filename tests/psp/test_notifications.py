"""Notifications: who hears of a new referral, a contact sent back, a case assigned and a
court hearing near; in the app and by e-mail as each person chose, once, in their language,
with no family's names."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from mentoring import services as mentoring_services
from mentoring import tasks
from mentoring.models import ClinicalSupportSession
from psp import notifications
from psp.models import Notification, NotificationKind, NotificationPreference, Program, User
from referrals import services as referral_services
from referrals.models import Referral, Status
from tests.factories import ParentFactory, ReferralFactory
from tests.mentoring.factories import ActivityFactory, ParentPartnerFactory, assign_case

pytestmark = pytest.mark.django_db

Personas = dict[str, Any]


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run ``fn`` as if its transaction committed: the e-mails queued for after it go."""

    def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def told(user: User, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


def mail_to(user: User) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if message.to == [user.email]]


def new_referral(actor: User, program: Program, committed: Callable[..., Any]) -> Referral:
    return committed(
        referral_services.referral_create,
        actor=actor,
        program=program,
        referral_data={"referrer_name": "Kari Jeanquart"},
        parents=[
            {
                "first_name": "María",
                "last_name": "Oyelaran",
                "birth_date": datetime.date(1994, 3, 27),
            }
        ],
        children=[{"first_name": "Sofía", "birth_date": datetime.date(2018, 6, 2)}],
    )


# --- The triggers ---------------------------------------------------------------------------


def test_a_new_referral_tells_the_programs_coordinators_but_not_who_entered_it(
    personas: Personas, door: Program, committed: Callable[..., Any]
) -> None:
    referral = new_referral(personas["door_social_worker"], door, committed)
    for name in ("door_coordinator", "door_pp_coordinator"):
        [notification] = told(personas[name], NotificationKind.REFERRAL_ARRIVED)
        assert notification.url == f"/referrals/{referral.pk}/"
        assert notification.program == door
        assert notification.params["number"] == referral.number
        [message] = mail_to(personas[name])
        assert referral.number in message.body
        assert "Oyelaran" not in f"{message.subject} {message.body}"
        assert "María" not in message.body
    for name in ("rock_coordinator", "door_parent_partner", "door_social_worker", "door_clinical"):
        assert not Notification.objects.filter(recipient=personas[name]).exists()
        assert not mail_to(personas[name])


def test_the_coordinator_who_enters_a_referral_is_not_told_of_it(
    personas: Personas, door: Program, committed: Callable[..., Any]
) -> None:
    new_referral(personas["door_coordinator"], door, committed)
    assert not told(personas["door_coordinator"], NotificationKind.REFERRAL_ARRIVED)
    assert told(personas["door_pp_coordinator"], NotificationKind.REFERRAL_ARRIVED)


def test_a_contact_sent_back_tells_its_parent_partner(
    personas: Personas, door: Program, committed: Callable[..., Any]
) -> None:
    case = assign_case(
        ReferralFactory(family__program=door, status=Status.ACCEPTED),
        personas["door_parent_partner"],
    )
    activity = ActivityFactory(case=case)
    committed(
        mentoring_services.activity_review,
        actor=personas["door_pp_coordinator"],
        activity=activity,
        sign_off=False,
        comment="Add who was there.",
        expected_version=activity.version,
    )
    [notification] = told(personas["door_parent_partner"], NotificationKind.CONTACT_SENT_BACK)
    assert notification.url == f"/mentoring/contacts/{activity.pk}/edit/"
    assert case.referral.number in notifications.message(notification.kind, notification.params)
    [message] = mail_to(personas["door_parent_partner"])
    assert case.referral.number in message.body
    assert case.family.parents.get().last_name not in message.body
    assert Notification.objects.count() == 1  # nobody else, not the coordinator


def test_a_contact_signed_off_tells_nobody(
    personas: Personas, door: Program, committed: Callable[..., Any]
) -> None:
    case = assign_case(
        ReferralFactory(family__program=door, status=Status.ACCEPTED),
        personas["door_parent_partner"],
    )
    activity = ActivityFactory(case=case)
    committed(
        mentoring_services.activity_review,
        actor=personas["door_pp_coordinator"],
        activity=activity,
        sign_off=True,
        comment="",
        expected_version=activity.version,
    )
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_case_assigned_tells_the_parent_partner_only(
    personas: Personas, door: Program, committed: Callable[..., Any]
) -> None:
    partner = ParentPartnerFactory(program=door, user=personas["door_parent_partner"])
    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED, members=False)
    ParentFactory(family=referral.family)
    case = committed(
        mentoring_services.case_assign,
        actor=personas["door_pp_coordinator"],
        referral=referral,
        partner=partner,
    )
    [notification] = told(personas["door_parent_partner"], NotificationKind.CASE_ASSIGNED)
    assert notification.url == f"/mentoring/cases/{case.pk}/"
    assert len(mail_to(personas["door_parent_partner"])) == 1
    assert not mail_to(personas["door_pp_coordinator"])  # the referrer hears of the status
    assert not Notification.objects.exclude(recipient=personas["door_parent_partner"]).exists()


def test_a_hearing_near_is_told_in_the_app_and_by_e_mail_once(
    personas: Personas, door: Program, rock: Program, committed: Callable[..., Any]
) -> None:
    today = timezone.localdate()
    for program in (door, rock):
        ClinicalSupportSession.objects.create(program=program, held_on=today.replace(day=1))
    case = assign_case(
        ReferralFactory(family__program=door, status=Status.ACCEPTED),
        personas["door_parent_partner"],
    )
    ActivityFactory(case=case)  # a recent contact: no "no contact" reminder
    case.next_court_date = today + datetime.timedelta(days=3)
    case.save()

    assert committed(tasks.send_daily_reminders, today.isoformat()) == 1
    assert committed(tasks.send_daily_reminders, today.isoformat()) == 0  # told once
    [notification] = Notification.objects.all()
    assert notification.recipient == personas["door_parent_partner"]
    assert notification.kind == NotificationKind.HEARING_NEAR
    assert notification.url == f"/mentoring/cases/{case.pk}/"
    [message] = mail.outbox
    assert message.to == [personas["door_parent_partner"].email]
    assert case.referral.number in message.body
    assert case.family.parents.get().last_name not in message.body


# --- Each person's choice -------------------------------------------------------------------


def test_with_e_mail_off_no_mail_but_the_bell(
    personas: Personas, door: Program, committed: Callable[..., Any]
) -> None:
    coordinator = personas["door_coordinator"]
    NotificationPreference.objects.create(
        user=coordinator, kind=NotificationKind.REFERRAL_ARRIVED, in_app=True, email=False
    )
    new_referral(personas["door_social_worker"], door, committed)
    assert told(coordinator, NotificationKind.REFERRAL_ARRIVED)
    assert not mail_to(coordinator)
    assert mail_to(personas["door_pp_coordinator"])  # their own choice: the default


def test_with_the_app_off_no_row_but_the_mail(
    personas: Personas, door: Program, committed: Callable[..., Any]
) -> None:
    coordinator = personas["door_coordinator"]
    NotificationPreference.objects.create(
        user=coordinator, kind=NotificationKind.REFERRAL_ARRIVED, in_app=False, email=True
    )
    new_referral(personas["door_social_worker"], door, committed)
    assert not told(coordinator, NotificationKind.REFERRAL_ARRIVED)
    assert len(mail_to(coordinator)) == 1


def test_a_reminder_with_the_app_off_is_still_mailed_once(
    personas: Personas, door: Program, rock: Program, committed: Callable[..., Any]
) -> None:
    partner = personas["door_parent_partner"]
    NotificationPreference.objects.create(
        user=partner, kind=NotificationKind.HEARING_NEAR, in_app=False, email=True
    )
    today = timezone.localdate()
    for program in (door, rock):
        ClinicalSupportSession.objects.create(program=program, held_on=today.replace(day=1))
    case = assign_case(ReferralFactory(family__program=door, status=Status.ACCEPTED), partner)
    ActivityFactory(case=case)
    case.next_court_date = today + datetime.timedelta(days=1)
    case.save()
    committed(tasks.send_daily_reminders, today.isoformat())
    committed(tasks.send_daily_reminders, today.isoformat())
    assert not Notification.objects.exists()
    assert len(mail_to(partner)) == 1


def test_no_mail_without_an_address(personas: Personas, door: Program) -> None:
    user = personas["door_coordinator"]
    user.email = ""
    user.save()
    notification = notifications.notify(
        user, NotificationKind.FOLLOW_UP_DUE, key="1", url="/", params={"number": "X-1"}
    )
    assert notification is not None
    assert mail.outbox == []


def test_the_same_event_is_told_once(personas: Personas, committed: Callable[..., Any]) -> None:
    user = personas["door_coordinator"]
    first = committed(
        notifications.notify, user, NotificationKind.FOLLOW_UP_DUE, key="7", url="/", params={}
    )
    again = committed(
        notifications.notify, user, NotificationKind.FOLLOW_UP_DUE, key="7", url="/", params={}
    )
    assert first is not None and again is None
    assert len(mail.outbox) == 1


def test_a_notification_leads_only_to_this_site(personas: Personas) -> None:
    for url in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            notifications.notify(
                personas["door_coordinator"], NotificationKind.CASE_ASSIGNED, key=url, url=url
            )


# --- Language -------------------------------------------------------------------------------


def test_e_mails_are_in_the_recipients_language(
    personas: Personas, door: Program, committed: Callable[..., Any]
) -> None:
    spanish = personas["door_pp_coordinator"]
    spanish.language = "es"
    spanish.save()
    referral = new_referral(personas["door_social_worker"], door, committed)
    [message] = mail_to(spanish)
    assert "Hola" in message.body and "Hello" not in message.body
    assert f"Nueva remisión {referral.number}" in message.body
    assert "Oyelaran" not in message.body
    [english] = mail_to(personas["door_coordinator"])
    assert f"New referral {referral.number}" in english.body


def test_every_kind_has_words_and_a_default(personas: Personas) -> None:
    params = {"number": "DOOR-2026-0001", "day": "2026-12-03", "program": "Door County PSP"}
    for kind in NotificationKind:
        assert notifications.message(kind, params)
        assert kind in notifications.DEFAULTS
        assert notifications.subject(kind)
    follow_up = notifications.message(NotificationKind.FOLLOW_UP_DUE, params)
    assert follow_up == "DOOR-2026-0001: follow-up due on Dec 3, 2026"


# --- The pages ------------------------------------------------------------------------------


def notice_for(user: User, key: str = "1", **fields: Any) -> Notification:
    values: dict[str, Any] = {
        "recipient": user,
        "kind": NotificationKind.CASE_ASSIGNED,
        "key": key,
        "url": "/mentoring/",
        "params": {"number": f"DOOR-2026-{key}"},
    }
    return Notification.objects.create(**(values | fields))


def test_opening_a_notification_reads_it_and_goes_to_its_page(
    personas: Personas, client_for: Callable[..., Any]
) -> None:
    partner = personas["door_parent_partner"]
    notice = notice_for(partner)
    client = client_for(partner)
    assert "Notifications, 1 unread" in client.get("/notifications/").content.decode()
    response = client.get(f"/notifications/{notice.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/mentoring/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert "Notifications, none unread" in client.get("/notifications/").content.decode()


def test_someone_elses_notification_is_not_found(
    personas: Personas, client_for: Callable[..., Any]
) -> None:
    notice = notice_for(personas["door_parent_partner"])
    for name in ("door_coordinator", "admin", "rock_coordinator"):
        assert client_for(personas[name]).get(f"/notifications/{notice.pk}/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_a_notification_leading_off_the_site_is_not_followed(
    personas: Personas, client_for: Callable[..., Any]
) -> None:
    partner = personas["door_parent_partner"]
    client = client_for(partner)
    for key, url in enumerate(("https://evil.example/", "//evil.example/", "/\\evil.example")):
        notice = notice_for(partner, key=str(key), url=url)
        response = client.get(f"/notifications/{notice.pk}/")
        assert response.status_code == 302
        assert response["Location"] == "/notifications/"


def test_mark_all_as_read(personas: Personas, client_for: Callable[..., Any]) -> None:
    partner = personas["door_parent_partner"]
    for key in "123":
        notice_for(partner, key=key)
    other = notice_for(personas["door_coordinator"])
    client = client_for(partner)
    response = client.post("/notifications/read/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=partner, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None  # only one's own
    page = client.get("/notifications/").content.decode()
    assert "Notifications, none unread" in page
    assert "All your notifications are marked as read." in page
    assert client.get("/notifications/read/").status_code == 405


def test_the_list_is_newest_first_with_the_unread_marked(
    personas: Personas, client_for: Callable[..., Any]
) -> None:
    partner = personas["door_parent_partner"]
    old = notice_for(partner, key="0001", read_at=timezone.now())
    old.created_at = timezone.now() - datetime.timedelta(days=2)
    old.save()
    notice_for(partner, key="0002")
    page = client_for(partner).get("/notifications/").content.decode()
    assert page.index("DOOR-2026-0002") < page.index("DOOR-2026-0001")
    assert page.count("data-unread") == 1
    assert "Notifications, 1 unread" in page


def test_choices_are_saved_and_audited(personas: Personas, client_for: Callable[..., Any]) -> None:
    from psp.models import AuditEntry

    partner = personas["door_parent_partner"]
    client = client_for(partner)
    page = client.get("/profile/notifications/").content.decode()
    assert "In the app" in page and "By e-mail" in page
    data = {f"{kind.value}-in_app": "on" for kind in NotificationKind}
    data |= {f"{kind.value}-email": "on" for kind in NotificationKind}
    del data["hearing_near-email"]
    response = client.post("/profile/notifications/", data)
    assert response.status_code == 302
    [preference] = NotificationPreference.objects.filter(user=partner)
    assert (preference.kind, preference.in_app, preference.email) == ("hearing_near", True, False)
    entry = AuditEntry.objects.get(object_type="psp.notificationpreference")
    assert entry.actor_id == partner.pk
    assert entry.changes["hearing_near"][1] == {"in_app": True, "email": False}
    assert notifications.choice_for(partner, NotificationKind.HEARING_NEAR).email is False


def test_the_bell_costs_one_query_and_the_list_does_not_grow(
    personas: Personas,
    client_for: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    partner = personas["door_parent_partner"]
    client = client_for(partner)
    client.get("/profile/")  # the session and the caches warm
    with django_assert_max_num_queries(8) as counted:
        client.get("/profile/")
    bell = [q for q in counted.captured_queries if "psp_notification" in q["sql"]]
    assert len(bell) == 1
    for key in range(3):
        notice_for(partner, key=str(key))
    with django_assert_max_num_queries(12) as few:
        client.get("/notifications/")
    for key in range(3, 40):
        notice_for(partner, key=str(key))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/notifications/")
