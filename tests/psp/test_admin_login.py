"""One sign-in door: the admin's own login sends people to the app's sign-in page, where the
rate limits and the second factor apply, and a session that skipped the second factor opens
nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.mfa import enroll_totp, sign_in_with_totp, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_with_totp(personas):
    admin = personas["admin"]
    enroll_totp(admin)
    return admin


def test_admin_login_page_sends_to_the_sign_in_page_keeping_next(personas):
    response = Client().get("/admin/login/?next=/admin/psp/program/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/psp/program/"


def test_admin_login_without_next_comes_back_to_the_admin(personas):
    response = Client().get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_admin_login_does_not_pass_on_an_outside_next(personas):
    response = Client().get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_admin_asks_a_signed_out_visitor_to_sign_in_through_the_app(personas):
    client = Client()
    response = client.get("/admin/psp/program/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/admin/psp/program/"


@pytest.mark.parametrize("mfa_required", [True, False])
def test_password_posted_to_the_admin_login_opens_nothing(
    admin_with_totp, password, settings, mfa_required
):
    settings.PSP_REQUIRE_MFA = mfa_required
    client = Client()
    response = client.post("/admin/login/", {"username": "admin", "password": password})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    assert client.get("/audit/").status_code == 302
    assert client.get("/dashboard/").status_code == 302


def test_wrong_passwords_at_the_admin_door_are_never_checked_there(personas, password):
    """The admin door no longer takes passwords, so it cannot be used to guess them past the
    limits of the sign-in page; the limits there still count every guess."""
    client = Client()
    for _ in range(10):
        response = client.post("/admin/login/", {"username": "admin", "password": "wrong-guess"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    response = client.post("/admin/login/", {"username": "admin", "password": password})
    assert "_auth_user_id" not in client.session
    for _ in range(5):
        client.post("/accounts/login/", {"login": "admin", "password": "wrong-guess"})
    response = client.post("/accounts/login/", {"login": "admin", "password": password})
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-ins for this account." in response.content.decode()


def test_administrator_signs_in_with_both_steps_and_reaches_the_admin(
    admin_with_totp, password, settings
):
    settings.PSP_REQUIRE_MFA = True
    client = Client()
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": "admin", "password": password, "next": "/admin/"}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/audit/").status_code == 200


@pytest.mark.parametrize("path", ["/admin/", "/audit/", "/dashboard/", "/referrals/"])
def test_session_without_the_second_factor_is_signed_out(admin_with_totp, path):
    """A session made by something other than the app's sign-in (``auth.login`` somewhere)
    does not count for a person who has an authenticator."""
    client = Client()
    client.force_login(admin_with_totp)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") or response["Location"].startswith(
        "/admin/login/"
    )
    assert "_auth_user_id" not in client.session


def test_admin_logout_signs_out_through_the_app(admin_with_totp):
    client = sign_in_with_totp(admin_with_totp)
    response = client.post("/admin/logout/")
    assert response.status_code == 307
    assert response["Location"] == "/accounts/logout/"
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_signed_in_non_administrator_at_the_admin_login_is_refused(personas, client_for):
    response = client_for(personas["door_coordinator"]).get("/admin/login/?next=/admin/")
    assert response.status_code == 403


def test_signed_in_administrator_at_the_admin_login_goes_on(personas, client_for):
    response = client_for(personas["admin"]).get("/admin/login/?next=/admin/psp/user/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/psp/user/"
