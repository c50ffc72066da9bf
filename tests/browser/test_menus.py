"""The folded menu and the account menu work without Bootstrap's script: by touch, by mouse
and by keyboard (Escape closes and gives focus back, the arrow keys move through the items),
and a page loads htmx only when it uses it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.conftest import axe_violations
from tests.browser.test_mileage import signed_in

pytestmark = pytest.mark.browser

TABLET: ViewportSize = {"width": 800, "height": 1000}


def scripts(page: Page) -> list[str]:
    return page.eval_on_selector_all("script[src]", "found => found.map(s => s.src)")


def test_the_folded_menu_and_the_account_menu_open_and_close(page: Page, live_server, demo) -> None:
    page.set_viewport_size(TABLET)
    signed_in(page, live_server.url, "door-parent-partner")
    page.goto(f"{live_server.url}/mentoring/")
    page.wait_for_load_state("load")
    show = page.get_by_role("button", name="Show menu")
    account = page.locator("#account-menu")
    expect(account).to_be_hidden()
    show.click()
    expect(show).to_have_attribute("aria-expanded", "true")
    expect(account).to_be_visible()
    assert axe_violations(page) == []

    account.click()
    expect(account).to_have_attribute("aria-expanded", "true")
    your_account = page.get_by_role("link", name="Your account")
    expect(your_account).to_be_visible()
    assert axe_violations(page) == []
    # Escape closes it and gives focus back to its button.
    page.keyboard.press("Escape")
    expect(your_account).to_be_hidden()
    expect(account).to_be_focused()
    expect(account).to_have_attribute("aria-expanded", "false")
    # The arrow keys open it and move through its items, round to the last.
    page.keyboard.press("ArrowDown")
    expect(your_account).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(page.get_by_role("button", name="Sign out")).to_be_focused()
    # A tap elsewhere closes it.
    page.locator("main h1").click()
    expect(your_account).to_be_hidden()
    # The folded menu folds again.
    show.click()
    expect(show).to_have_attribute("aria-expanded", "false")
    expect(account).to_be_hidden()


def test_a_page_loads_htmx_only_when_it_uses_it(page: Page, live_server, demo) -> None:
    signed_in(page, live_server.url, "door-coordinator")
    page.goto(f"{live_server.url}/referrals/")
    page.wait_for_load_state("load")
    loaded = scripts(page)
    assert not [src for src in loaded if "htmx" in src or "bootstrap" in src], loaded
    page.goto(f"{live_server.url}/referrals/new/")
    page.wait_for_load_state("load")
    assert [src for src in scripts(page) if "htmx" in src]
    assert page.evaluate("() => typeof window.htmx") == "object"
