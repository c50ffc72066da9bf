"""Setting up and removing a second factor: the first one needs a code sent to the account's
e-mail address as well as the password (somebody else may know the password), and every
change is told to the person by e-mail."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client

from tests.mfa import TOTP_SECRET, enroll_totp, sign_in_with_totp, totp_code

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"
EMAIL_CODE_SESSION_KEY = "account_email_reauthentication_code"


def signed_in_with_password(login: str, password: str) -> Client:
    client = Client()
    client.post("/accounts/login/", {"login": login, "password": password})
    assert "_auth_user_id" in client.session
    return client


def confirm_by_email_code(client: Client, address: str) -> None:
    response = client.get(ACTIVATE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/code/")
    client.post(response["Location"], {"recipient": address})
    assert mail.outbox[-1].to == [address]
    code = client.session[EMAIL_CODE_SESSION_KEY]["code"]
    mail.outbox.clear()
    response = client.post(
        f"/accounts/reauthenticate/code/confirm/?next={ACTIVATE}", {"code": code}
    )
    assert response["Location"] == ACTIVATE


def activate_with_current_code(client: Client, on_commit) -> None:
    client.get(ACTIVATE)
    secret = client.session["mfa.totp.secret"]
    with on_commit(execute=True):
        client.post(ACTIVATE, {"code": totp_code(secret)})


def test_first_enrollment_asks_for_a_code_sent_by_email(personas, password, settings):
    settings.PSP_REQUIRE_MFA = True
    client = signed_in_with_password("door-coordinator", password)
    response = client.get(ACTIVATE)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/reauthenticate/code/?next={ACTIVATE}"


def test_the_password_alone_cannot_add_the_first_authenticator(personas, password, settings):
    settings.PSP_REQUIRE_MFA = True
    client = signed_in_with_password("door-coordinator", password)
    client.post(f"/accounts/reauthenticate/?next={ACTIVATE}", {"password": password})
    response = client.get(ACTIVATE)
    assert response["Location"].startswith("/accounts/reauthenticate/code/")
    client.post(ACTIVATE, {"code": totp_code(TOTP_SECRET)})
    assert not Authenticator.objects.filter(user=personas["door_coordinator"]).exists()


def test_enrollment_with_the_email_code_works_and_tells_the_person(
    personas, password, settings, django_capture_on_commit_callbacks
):
    settings.PSP_REQUIRE_MFA = True
    user = personas["door_coordinator"]
    client = signed_in_with_password("door-coordinator", password)
    confirm_by_email_code(client, user.email)
    activate_with_current_code(client, django_capture_on_commit_callbacks)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == [user.email]
    assert "authenticator app was added" in notice.subject
    assert "If this was not you" in notice.body
    # The new authenticator counts for this session: it was just used to enroll.
    assert client.get("/dashboard/").status_code == 200


def test_code_goes_only_to_the_address_the_account_has_now(personas, password, settings):
    user = personas["door_coordinator"]
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email="old@example.org", verified=True, primary=True)
    client = signed_in_with_password("door-coordinator", password)
    response = client.get(client.get(ACTIVATE)["Location"])
    page = response.content.decode()
    assert user.email in page
    assert "old@example.org" not in page


def test_account_without_email_is_told_to_ask_an_administrator(personas, password, settings):
    user = personas["door_coordinator"]
    user.email = ""
    user.save()
    client = signed_in_with_password("door-coordinator", password)
    response = client.get(ACTIVATE, follow=True)
    assert "ask your administrator" in response.content.decode()
    assert not Authenticator.objects.filter(user=user).exists()


def test_a_session_from_before_the_enrollment_is_signed_out(
    personas, password, django_capture_on_commit_callbacks
):
    user = personas["door_coordinator"]
    somebody_else = signed_in_with_password("door-coordinator", password)
    client = signed_in_with_password("door-coordinator", password)
    confirm_by_email_code(client, user.email)
    activate_with_current_code(client, django_capture_on_commit_callbacks)
    assert client.get("/dashboard/").status_code == 200
    assert somebody_else.get("/dashboard/").status_code == 302
    assert "_auth_user_id" not in somebody_else.session


def test_removing_the_authenticator_needs_recent_sign_in_and_tells_the_person(
    personas, password, django_capture_on_commit_callbacks
):
    user = personas["door_coordinator"]
    enroll_totp(user)
    client = sign_in_with_totp(user)
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    client.post("/accounts/reauthenticate/", {"password": password})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/2fa/totp/deactivate/")
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "authenticator app was removed" in mail.outbox[0].subject


def test_new_recovery_codes_are_told_to_the_person(
    personas, password, django_capture_on_commit_callbacks
):
    user = personas["door_coordinator"]
    enroll_totp(user)
    client = sign_in_with_totp(user)
    client.post("/accounts/reauthenticate/", {"password": password})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/2fa/recovery-codes/generate/")
    assert len(mail.outbox) == 1
    assert "recovery codes" in mail.outbox[0].subject


def test_notice_carries_no_family_data_and_follows_the_language(
    personas, password, door_referral, django_capture_on_commit_callbacks
):
    user = personas["door_coordinator"]
    enroll_totp(user)
    client = sign_in_with_totp(user)
    client.post("/i18n/setlang/", {"language": "es"})
    client.post("/accounts/reauthenticate/", {"password": password})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/2fa/totp/deactivate/")
    notice = mail.outbox[0]
    assert "aplicación de autenticación" in notice.subject
    parent = door_referral.family.parents.first()
    assert parent.last_name not in notice.body


def test_reauthentication_is_recent():
    assert django_settings.ACCOUNT_REAUTHENTICATION_TIMEOUT <= 300
