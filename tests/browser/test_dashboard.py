"""On a tablet: the Door coordinator's dashboard (caseloads, charts) and the state's programs
side by side, both passing axe and fitting the screen."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from referrals.models import Parent, Referral
from reporting.quarters import Quarter
from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_coordinator_sees_caseloads_and_charts(
    page: Page, live_server: LiveServer, demo: None
) -> None:
    assert page.viewport_size == {"width": 768, "height": 1024}
    sign_in(page, live_server.url, "door-coordinator")
    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", level=2, name="Door County PSP")).to_be_visible()

    caseloads = page.get_by_role("region", name="Caseloads")
    expect(caseloads).to_be_visible()
    assert caseloads.locator("meter").count() >= 1
    expect(caseloads.get_by_text("families").first).to_be_visible()

    charts = page.locator("svg.chart")
    expect(charts).to_have_count(2)
    expect(
        page.get_by_role("img", name="Families served in each of the last 6 months")
    ).to_be_visible()
    quarter = Quarter.from_date(timezone.localdate())
    expect(page.get_by_role("img", name=f"Contacts by type in {quarter}")).to_be_visible()
    for index in range(2):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 100

    page.get_by_text("Show the numbers").first.click()
    expect(page.get_by_role("table", name="Families served by month")).to_be_visible()
    assert page.evaluate(OVERFLOW) == 0
    assert axe_violations(page) == []


def test_state_sees_programs_side_by_side(page: Page, live_server: LiveServer, demo: None) -> None:
    sign_in(page, live_server.url, "dcf-state")
    expect(page.get_by_role("heading", level=2, name="All programs side by side")).to_be_visible()
    this_quarter = Quarter.from_date(timezone.localdate())
    table = page.get_by_role("table", name=f"Each program's numbers for {this_quarter}")
    for name in ["Door County PSP", "Jefferson County PSP", "Rock County PSP"]:
        expect(table.get_by_role("link", name=name)).to_be_visible()
    expect(
        page.get_by_role("table", name=f"Each program's numbers for {this_quarter.previous()}")
    ).to_be_visible()
    expect(
        page.get_by_role("img", name="Families served statewide in each of the last 4 quarters")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Make or download a quarterly report")).to_be_visible()

    text = page.locator("main").inner_text()
    referral = Referral.objects.filter(program__slug="door").order_by("-id").first()
    parent = Parent.objects.filter(family__program__slug="door").first()
    assert referral is not None and parent is not None
    assert referral.number not in text
    assert parent.last_name not in text
    assert page.evaluate(OVERFLOW) == 0
    assert axe_violations(page) == []

    page.set_viewport_size({"width": 390, "height": 900})
    page.reload()
    assert page.evaluate(OVERFLOW) == 0


def test_other_roles_dashboards_pass_axe_on_a_phone(
    page: Page, live_server: LiveServer, demo: None
) -> None:
    page.set_viewport_size({"width": 390, "height": 900})
    for username, heading in [
        ("door-social-worker", "Your recent referrals"),
        ("door-clinical", "Clinical support this month"),
        ("door-parent-partner", "My families"),
    ]:
        page.context.clear_cookies()
        sign_in(page, live_server.url, username)
        page.goto(f"{live_server.url}/dashboard/")  # Parent Partners land on My families
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
        assert page.evaluate(OVERFLOW) == 0, username
        assert axe_violations(page) == [], username
