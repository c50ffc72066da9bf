"""The account's e-mail address receives the codes that confirm who someone is, so whoever
knows only the password cannot change it: the page shows it, an administrator sets it."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db

EMAIL_PAGE = "/accounts/email/"
ACTIVATE = "/accounts/2fa/totp/activate/"


@pytest.fixture
def coordinator_with_password_only(personas, password, settings) -> Client:
    settings.PSP_REQUIRE_MFA = True
    client = Client()
    client.post("/accounts/login/", {"login": "door-coordinator", "password": password})
    assert "_auth_user_id" in client.session
    return client


def test_the_page_shows_the_address_and_who_changes_it(coordinator_with_password_only, personas):
    response = coordinator_with_password_only.get(EMAIL_PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert personas["door_coordinator"].email in page
    assert "administrator can change it" in page
    assert 'name="email"' not in page


@pytest.mark.parametrize(
    "data",
    [
        {"action_add": "", "email": "someone-else@example.org"},
        {"action_primary": "", "email": "someone-else@example.org"},
        {"action_remove": "", "email": "door-coordinator@example.org"},
    ],
    ids=["add", "make-primary", "remove"],
)
def test_the_password_alone_cannot_point_the_codes_elsewhere(
    coordinator_with_password_only, personas, data
):
    user = personas["door_coordinator"]
    address = user.email
    response = coordinator_with_password_only.post(EMAIL_PAGE, data)
    assert response.status_code == 405
    user.refresh_from_db()
    assert user.email == address
    assert not EmailAddress.objects.filter(email__iexact="someone-else@example.org").exists()

    # The code that lets the first authenticator be added still goes to the given address.
    response = coordinator_with_password_only.get(ACTIVATE)
    coordinator_with_password_only.post(response["Location"], {"recipient": address})
    assert [message.to for message in mail.outbox] == [[address]]


def test_signed_out_the_page_asks_to_sign_in():
    response = Client().get(EMAIL_PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
