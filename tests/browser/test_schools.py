"""A school-based program's coordinator adds a school from the program's page, without the
Django admin, and a mistake is shown at its field."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from psp.models import School
from tests.browser.conftest import axe_violations
from tests.browser.test_mileage import signed_in

pytestmark = pytest.mark.browser


def test_a_coordinator_adds_a_school_to_a_district(page: Page, live_server, demo) -> None:
    signed_in(page, live_server.url, "wausau-coordinator")
    page.goto(f"{live_server.url}/programs/wausau/")
    page.get_by_role("link", name="Schools and districts the program works with").click()
    expect(page.get_by_role("heading", name="Schools and districts", exact=True)).to_be_visible()
    assert axe_violations(page) == []

    adding = page.get_by_role("region", name="Add a school", exact=True)
    adding.get_by_role("button", name="Add the school").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
    expect(page.get_by_text("Enter the school's name.").first).to_be_visible()
    assert axe_violations(page) == []

    adding = page.get_by_role("region", name="Add a school", exact=True)
    adding.get_by_label("Name of the school").fill("Evergreen Elementary")
    adding.get_by_role("button", name="Add the school").click()
    expect(page.get_by_text("Added: Evergreen Elementary.")).to_be_visible()
    expect(page.get_by_role("link", name="Change Evergreen Elementary")).to_be_visible()
    assert School.objects.filter(district__program__slug="wausau", name="Evergreen Elementary")
