"""Two-step sign-in in tests: an authenticator app with a known secret, its current code,
and a client signed in through both steps as a person would."""

from __future__ import annotations

from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client

from psp.models import User
from tests.factories import TEST_PASSWORD

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET) -> str:
    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counter))


def enroll_totp(user: User, secret: str = TOTP_SECRET) -> None:
    TOTP.activate(user, secret)


def sign_in_with_totp(user: User, *, next_url: str = "") -> Client:
    """A client signed in with the password and the authenticator's code (each code is good
    once: one such sign-in per person per test)."""
    client = Client()
    data = {"login": user.username, "password": TEST_PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post("/accounts/login/", data)
    assert response["Location"] == "/accounts/2fa/authenticate/", response
    client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert "_auth_user_id" in client.session
    return client
