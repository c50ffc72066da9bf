"""English and Spanish: the switcher changes the interface language."""

from __future__ import annotations

import pytest

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
