"""Your account: each person chooses the language of their pages, e-mails and reports on a
page of their own, whatever their role, and sees the way to their password and two-step
sign-in settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.test import Client

from psp.models import AuditAction, AuditEntry, User

pytestmark = pytest.mark.django_db


def page_of(response: Any) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def checked_language(page: BeautifulSoup) -> str:
    [checked] = page.select('input[name="language"][checked]')
    return str(checked["value"])


@pytest.mark.parametrize("persona", ["door_parent_partner", "state", "no_role"])
def test_page_shows_who_you_are_and_your_current_language(
    persona: str, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    user = personas[persona]
    user.language = "es"
    user.save()
    page = page_of(client_for(user).get("/profile/"))
    main = page.select_one("main")
    assert main is not None
    assert user.email in main.get_text()
    assert checked_language(page) == "es"
    assert page.select_one('main a[href="/accounts/password/change/"]')
    assert page.select_one('main a[href="/accounts/2fa/"]')


def test_each_language_is_named_in_its_own_language(
    personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    page = page_of(client_for(personas["door_coordinator"]).get("/profile/"))
    names = {
        str(span["lang"]): span.get_text()
        for span in page.select("main label.form-check-label span[lang]")
    }
    assert names == {"en": "English", "es": "Español", "hmn": "Hmoob"}
    # Before a choice, the language the pages come in.
    assert checked_language(page) == "en"


def test_the_account_menu_links_to_the_page(
    personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    page = page_of(client_for(personas["door_clinical"]).get("/programs/"))
    assert page.select_one('.dropdown-menu a[href="/profile/"]')


def test_saving_a_language_changes_the_next_page_emails_and_the_audit_log(
    personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    user = personas["door_coordinator"]
    client = client_for(user)
    response = client.post("/profile/", {"language": "es"})
    assert response.status_code == 302 and response["Location"] == "/profile/"
    page = page_of(client.get("/profile/"))
    assert page.html is not None and page.html["lang"] == "es"
    assert "Su idioma está guardado." in page.get_text()
    assert checked_language(page) == "es"
    user.refresh_from_db()
    assert user.language == "es"
    entry = AuditEntry.objects.get(object_type="psp.user", object_id=str(user.pk))
    assert entry.action == AuditAction.UPDATE
    assert entry.actor_username == user.username
    assert entry.changes == {"language": ["", "es"]}
    # E-mails follow, whichever browser asks for them (an English one here).
    Client(HTTP_ACCEPT_LANGUAGE="en").post("/accounts/password/reset/", {"email": user.email})
    [message] = mail.outbox
    assert "contraseña" in message.subject.lower() or "contraseña" in message.body.lower()


def test_saving_the_same_language_again_writes_no_audit_entry(
    personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(personas["door_coordinator"])
    client.post("/profile/", {"language": "hmn"})
    client.post("/profile/", {"language": "hmn"})
    assert AuditEntry.objects.filter(object_type="psp.user").count() == 1


@pytest.mark.parametrize("value", ["fr", "", "<script>", "es\x00"])
def test_a_language_not_offered_is_a_field_error(
    value: str, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    user = personas["door_parent_partner"]
    page = page_of(client_for(user).post("/profile/", {"language": value}))
    assert page.title is not None and page.title.get_text().startswith("Error:")
    error = page.select_one("#id_language_error")
    assert error is not None and "Choose a language" in error.get_text()
    assert page.select_one(".error-summary, [role=alert]") is not None
    user.refresh_from_db()
    assert user.language == ""
    assert not AuditEntry.objects.filter(object_type="psp.user").exists()


def test_signed_out_goes_to_sign_in() -> None:
    for method in ("get", "post"):
        response = getattr(Client(), method)("/profile/", {"language": "es"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/profile/")
