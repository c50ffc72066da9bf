"""Signing in: by user name or e-mail, rate limits, MFA where required, no self sign-up."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from psp.models import Role
from tests.factories import UserFactory
from tests.mfa import enroll_totp, sign_in_with_totp

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("login", ["door-coordinator", "door-coordinator@example.org"])
def test_sign_in_by_user_name_or_email(personas, login, password):
    client = Client()
    response = client.post("/accounts/login/", {"login": login, "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == "/dashboard/"
    assert "Hello" in client.get("/dashboard/").content.decode()


def test_parent_partner_lands_on_their_families(personas, client_for):
    response = client_for(personas["door_parent_partner"]).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/mentoring/"


def test_wrong_password_says_so_and_keeps_the_name(personas):
    response = Client().post(
        "/accounts/login/", {"login": "door-coordinator", "password": "nope nope nope"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'value="door-coordinator"' in page


def test_repeated_failures_are_rate_limited(personas, password):
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"login": "door-clinical", "password": "wrong-guess-123"})
    response = client.post("/accounts/login/", {"login": "door-clinical", "password": password})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_one_account_locked_says_when_to_try_again(personas, password):
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"login": "door-clinical", "password": "wrong-guess-123"})
    response = client.post("/accounts/login/", {"login": "door-clinical", "password": password})
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Too many failed sign-ins for this account." in page
    assert "Try again in 5 minutes" in page


def test_typos_by_five_people_in_one_office_do_not_lock_out_the_sixth(personas, password):
    """A county office signs in from one address: the limit is per account first."""
    office = "203.0.113.7"
    for username in ["door-coordinator", "door-pp-coordinator", "door-parent-partner"]:
        for _ in range(2):
            Client(REMOTE_ADDR=office).post(
                "/accounts/login/", {"login": username, "password": "typo"}
            )
    for _ in range(4):
        Client(REMOTE_ADDR=office).post(
            "/accounts/login/", {"login": "door-social-worker", "password": "typo"}
        )
    colleague = Client(REMOTE_ADDR=office)
    colleague.post("/accounts/login/", {"login": "door-clinical", "password": password})
    assert "_auth_user_id" in colleague.session


def test_guessing_at_many_accounts_from_one_address_is_still_stopped(personas, password):
    attacker = "198.51.100.9"
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for number in range(60):  # one every 10 seconds: under the 30 a minute for any page
            Client(REMOTE_ADDR=attacker).post(
                "/accounts/login/", {"login": f"nobody{number}", "password": "guess"}
            )
            clock.shift(10)
    client = Client(REMOTE_ADDR=attacker)
    response = client.post("/accounts/login/", {"login": "door-clinical", "password": password})
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-ins from this network." in response.content.decode()


def test_nobody_can_sign_themselves_up():
    response = Client().post(
        "/accounts/signup/",
        {
            "username": "intruder",
            "email": "i@example.org",
            "password1": "x" * 14,
            "password2": "x" * 14,
        },
    )
    assert response.status_code == 200
    from psp.models import User

    assert not User.objects.filter(username="intruder").exists()


def test_password_reset_sends_an_email(personas):
    response = Client().post("/accounts/password/reset/", {"email": "door-coordinator@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "door-coordinator@example.org" in mail.outbox[0].to


def test_session_ends_after_inactivity():
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def _session_writes(queries) -> int:
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].startswith(("UPDATE", "INSERT")) and '"django_session"' in query["sql"]
    )


def test_pages_opened_within_a_minute_do_not_write_the_session(personas, client_for):
    client = client_for(personas["door_coordinator"])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get("/dashboard/")
    with (
        time_machine.travel(start + datetime.timedelta(seconds=30), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        assert client.get("/dashboard/").status_code == 200
    assert _session_writes(queries) == 0
    with (
        time_machine.travel(start + datetime.timedelta(seconds=61), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        assert client.get("/dashboard/").status_code == 200
    assert _session_writes(queries) == 1


def test_a_session_used_every_few_seconds_is_not_signed_out(personas, client_for):
    client = client_for(personas["door_coordinator"])
    start = timezone.now()
    # Half an hour and more of requests 45 seconds apart: most write nothing, yet the
    # session's expiry keeps moving on.
    for seconds in range(0, 40 * 60, 45):
        with time_machine.travel(start + datetime.timedelta(seconds=seconds), tick=False):
            assert client.get("/dashboard/").status_code == 200


@pytest.mark.django_db
def test_anonymous_requests_start_no_session():
    from django.contrib.sessions.models import Session

    for path in ("/healthz", "/accounts/login/", "/dashboard/"):
        response = Client().get(path)
        assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()


def test_each_request_keeps_the_session_for_another_30_minutes(personas, client_for):
    client = client_for(personas["door_coordinator"])
    start = timezone.now()
    for minutes in (29, 58):  # each visit within 30 minutes of the one before
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert client.get("/dashboard/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=58 + 31), tick=False):
        response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("persona", "must_set_up"),
    [
        ("door_coordinator", True),
        ("door_pp_coordinator", True),
        ("state", True),
        ("admin", True),
        ("door_parent_partner", False),
        ("door_social_worker", False),
    ],
)
def test_mfa_required_for_coordinators_state_and_admins(
    personas, client_for, settings, persona, must_set_up
):
    settings.PSP_REQUIRE_MFA = True
    response = client_for(personas[persona]).get("/dashboard/")
    if must_set_up:
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/totp/activate/"
    else:
        assert response.status_code == 200


def test_mfa_not_asked_again_once_set_up(personas, settings):
    settings.PSP_REQUIRE_MFA = True
    user = personas["door_coordinator"]
    enroll_totp(user)
    assert sign_in_with_totp(user).get("/dashboard/").status_code == 200


def test_mfa_off_by_default_in_the_demo(personas, client_for):
    assert settings.PSP_REQUIRE_MFA is False
    assert client_for(personas["door_coordinator"]).get("/dashboard/").status_code == 200


def test_a_user_with_two_programs_sees_both(door, rock, make_member, client_for):
    user = make_member(door, Role.PROGRAM_COORDINATOR)
    from tests.factories import MembershipFactory

    MembershipFactory(user=user, program=rock, role=Role.PROGRAM_COORDINATOR)
    page = client_for(user).get("/dashboard/").content.decode()
    assert "Door County PSP" in page and "Rock County PSP" in page
    assert client_for(user).get("/programs/rock/settings/").status_code == 200


def test_inactive_membership_gives_no_access(door, client_for):
    user = UserFactory()
    from tests.factories import MembershipFactory

    MembershipFactory(user=user, program=door, role=Role.PROGRAM_COORDINATOR, is_active=False)
    assert client_for(user).get("/programs/door/").status_code == 404


def test_too_many_sign_in_pages_posted_at_once_get_a_page_in_plain_words(personas):
    office = "192.0.2.44"
    responses = [
        Client(REMOTE_ADDR=office).post("/accounts/login/", {"login": f"x{n}", "password": "y"})
        for n in range(31)
    ]
    assert responses[-1].status_code == 429
    assert "Wait a minute, then try again." in responses[-1].content.decode()


def test_password_reset_comes_in_the_language_the_person_chose(personas):
    """Asked for from an English browser, by someone who reads Spanish."""
    coordinator = personas["door_coordinator"]
    coordinator.language = "es"
    coordinator.save()
    Client(HTTP_ACCEPT_LANGUAGE="en-US").post(
        "/accounts/password/reset/", {"email": coordinator.email}
    )
    [message] = mail.outbox
    assert "contraseña" in message.subject.lower()
    assert "password" not in message.subject.lower()
