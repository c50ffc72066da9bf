"""A coordinator on a tablet signs in, sees the dashboard and switches to Spanish."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser


def test_coordinator_signs_in_sees_dashboard_and_switches_to_spanish(
    page: Page, live_server, demo
) -> None:
    assert page.viewport_size == {"width": 768, "height": 1024}
    sign_in(page, live_server.url, "door-coordinator")

    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Vivian")
    expect(page.get_by_text("Family Well-Being Coordinator")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hola, Vivian")
    expect(page.get_by_role("heading", name="Sus programas")).to_be_visible()
    assert axe_violations(page) == []


def test_sign_in_page_is_accessible_and_errors_point_at_the_problem(
    page: Page, live_server, demo
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    assert axe_violations(page) == []
    sign_in(page, live_server.url, "door-coordinator", password="not the password")
    summary = page.locator("[data-psp-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page).to_have_title("Error: Sign in \N{EN DASH} PSP Case Management")


def test_menu_collapses_and_opens_on_a_narrow_screen(page: Page, live_server, demo) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "door-coordinator")
    menu_button = page.get_by_role("button", name="Show menu")
    expect(menu_button).to_be_visible()
    menu_button.click()
    expect(page.get_by_role("link", name="Audit log")).to_be_visible()


def test_the_language_chosen_follows_the_coordinator_to_another_browser(
    page: Page, browser: Browser, live_server, demo
) -> None:
    sign_in(page, live_server.url, "door-coordinator")
    switcher = page.locator("form.language-switcher")
    expect(switcher.get_by_role("button", name="Hmoob")).to_have_attribute("lang", "hmn")
    switcher.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.wait_for_load_state("load")  # the menus open once the page's scripts have run
    page.get_by_role("button", name="Mostrar menú").click()
    page.get_by_role("button", name="Vivian").click()
    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")

    # Another tablet, set to English, that has never seen the choice.
    other = browser.new_context(locale="en-US", viewport={"width": 768, "height": 1024})
    tablet = other.new_page()
    tablet.goto(f"{live_server.url}/accounts/login/")
    expect(tablet.locator("html")).to_have_attribute("lang", "en")
    sign_in(tablet, live_server.url, "door-coordinator")
    expect(tablet.locator("html")).to_have_attribute("lang", "es")
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Hola, Vivian")
    other.close()
