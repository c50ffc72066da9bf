"""On a tablet: a social worker refers a family with two children; the coordinator finds it
in the queue, screens it and accepts it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from referrals.models import Referral, Status
from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser


def fill_child(page: Page, index: int, first: str, day: str, month: str, year: str) -> None:
    page.locator(f"#id_children-{index}-first_name").fill(first)
    page.locator(f"#id_children-{index}-birth_date_day").fill(day)
    page.locator(f"#id_children-{index}-birth_date_month").fill(month)
    page.locator(f"#id_children-{index}-birth_date_year").fill(year)


def test_social_worker_refers_and_coordinator_accepts(page: Page, live_server, demo, browser):
    assert page.viewport_size == {"width": 768, "height": 1024}
    sign_in(page, live_server.url, "door-social-worker")
    page.goto(f"{live_server.url}/referrals/new/")
    assert axe_violations(page) == []

    page.get_by_label("First name").first.fill("Rosa")
    page.get_by_label("Last name").first.fill("Quintero")
    page.locator("#id_parents-0-birth_date_day").fill("14")
    page.locator("#id_parents-0-birth_date_month").fill("8")
    page.locator("#id_parents-0-birth_date_year").fill("1991")
    page.get_by_role("radio", name="Spanish").first.check()
    page.get_by_label("The parent agrees to be contacted by the program").first.check()
    page.get_by_role("radio", name="Said so (verbal)").first.check()

    fill_child(page, 0, "Lucía", "3", "9", "2017")
    page.get_by_role("button", name="Add another child").click()
    fill_child(page, 1, "Diego", "21", "1", "2021")
    page.get_by_role("radio", name="In out-of-home care").nth(1).check()
    page.locator("#id_children-1-out_of_home_type").select_option("relative")
    page.locator("#id_children-1-removal_date").fill("2026-10-02")
    page.get_by_role("radio", name="Within a week").check()
    page.get_by_role("checkbox", name="Housing").check()
    page.get_by_role("button", name="Send the referral").click()

    expect(page.get_by_role("status").first).to_contain_text("sent")
    expect(page.get_by_role("status").first).to_be_focused()
    referral = Referral.objects.get(family__parents__last_name="Quintero")
    assert sorted(referral.family.children.values_list("first_name", flat=True)) == [
        "Diego",
        "Lucía",
    ]
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral {referral.number}")

    coordinator = browser.new_page(viewport={"width": 768, "height": 1024})
    sign_in(coordinator, live_server.url, "door-coordinator")
    coordinator.get_by_role("button", name="Show menu").click()
    expect(coordinator.get_by_role("link", name="Referrals")).to_contain_text("new referral")
    coordinator.get_by_role("link", name="Referrals").click()
    coordinator.get_by_role("link", name="Received").click()
    coordinator.get_by_role("link", name=referral.number).click()
    coordinator.get_by_role("button", name="Start screening").click()
    expect(coordinator.get_by_role("status").first).to_contain_text("Screening")
    expect(coordinator.get_by_role("status").first).to_be_focused()
    coordinator.get_by_role("button", name="Accept the referral").click()
    expect(coordinator.get_by_role("status").first).to_contain_text("Accepted")
    expect(coordinator.get_by_role("status").first).to_be_focused()
    assert axe_violations(coordinator) == []

    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    coordinator.close()
