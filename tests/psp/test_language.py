"""Each person's language: the switcher changes the interface language and, for a signed-in
person, keeps the choice on their profile (so it follows them to another browser and into
their e-mails and reports); before they choose, the browser's language; Hmong offered with
English wherever it has no translation yet."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from psp.models import AuditAction, AuditEntry
from tests.clock import CHICAGO

pytestmark = pytest.mark.django_db


def test_switching_to_spanish_translates_the_dashboard(personas, client_for):
    client = client_for(personas["door_coordinator"])
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/dashboard/"})
    assert response.status_code == 302
    page = client.get("/dashboard/").content.decode()
    assert '<html lang="es">' in page
    assert "Sus programas" in page
    assert "Panel" in page


def test_every_page_declares_its_language(personas, client_for):
    page = client_for(personas["door_coordinator"]).get("/programs/").content.decode()
    assert '<html lang="en">' in page


def test_the_switcher_offers_hmong_in_its_own_name(personas, client_for):
    page = client_for(personas["door_coordinator"]).get("/programs/").content.decode()
    assert 'name="language" value="hmn" lang="hmn"' in page
    assert ">Hmoob</button>" in page
    signed_out = Client().get("/accounts/login/").content.decode()
    assert ">Hmoob</button>" in signed_out


def test_the_choice_follows_the_person_to_another_browser(personas, password):
    coordinator = personas["door_coordinator"]
    laptop = Client()
    laptop.post("/accounts/login/", {"login": coordinator.username, "password": password})
    laptop.post("/i18n/setlang/", {"language": "es", "next": "/dashboard/"})
    laptop.post("/accounts/logout/")
    coordinator.refresh_from_db()
    assert coordinator.language == "es"

    # Another browser, which asks for English and has no language cookie.
    tablet = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="en">' in tablet.get("/accounts/login/").content.decode()
    tablet.post("/accounts/login/", {"login": coordinator.username, "password": password})
    page = tablet.get("/dashboard/").content.decode()
    assert '<html lang="es">' in page
    assert "Sus programas" in page


def test_until_they_choose_the_browser_language_is_used(personas, client_for):
    client = client_for(personas["door_coordinator"])
    page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode()
    assert '<html lang="es">' in page
    page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert '<html lang="en">' in page


def test_the_saved_choice_wins_over_the_browser(personas, client_for):
    coordinator = personas["door_coordinator"]
    coordinator.language = "es"
    coordinator.save()
    page = client_for(coordinator).get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en-US").content
    assert '<html lang="es">' in page.decode()


def test_the_change_of_language_is_audited_once(personas, client_for):
    coordinator = personas["door_coordinator"]
    client = client_for(coordinator)
    client.post("/i18n/setlang/", {"language": "es", "next": "/dashboard/"})
    client.post("/i18n/setlang/", {"language": "es", "next": "/dashboard/"})
    [entry] = AuditEntry.objects.filter(
        object_type="psp.user", object_id=str(coordinator.pk), action=AuditAction.UPDATE
    )
    assert entry.changes == {"language": ["", "es"]}
    assert entry.actor_id == coordinator.pk


def test_a_language_the_site_does_not_offer_is_not_kept(personas, client_for):
    coordinator = personas["door_coordinator"]
    client_for(coordinator).post("/i18n/setlang/", {"language": "fr", "next": "/dashboard/"})
    coordinator.refresh_from_db()
    assert coordinator.language == ""


def test_hmong_pages_show_english_where_nothing_is_translated_yet(personas, client_for):
    coordinator = personas["door_coordinator"]
    client = client_for(coordinator)
    client.post("/i18n/setlang/", {"language": "hmn", "next": "/dashboard/"})
    page = client.get("/dashboard/").content.decode()
    assert '<html lang="hmn">' in page
    assert "Your programs" in page
    coordinator.refresh_from_db()
    assert coordinator.language == "hmn"


def test_hmong_falls_back_to_english_in_code_too():
    with translation.override("hmn"):
        assert translation.get_language() == "hmn"
        assert translation.gettext("Families served") == "Families served"
        assert translation.ngettext("%(counter)s entry", "%(counter)s entries", 2) == (
            "%(counter)s entries"
        )
        assert translation.get_language_info("hmn")["name_local"] == "Hmoob"


def test_cached_dashboard_numbers_carry_no_language(personas, client_for):
    """The statewide numbers are cached once for everybody; the words around them (here the
    quarters on the charts) are written for each reader."""
    day = datetime.datetime(2026, 11, 18, 10, 0, tzinfo=CHICAGO)
    with time_machine.travel(day, tick=False):
        client = client_for(personas["state"])
        spanish = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
        english = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "T3 2026" in spanish and "2026 Q3" not in spanish
    assert "2026 Q3" in english and "T3 2026" not in english
