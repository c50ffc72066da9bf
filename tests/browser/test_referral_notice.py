"""A coordinator prints the notice for a family's parents: in Spanish by default for a
Spanish-speaking parent, in large print on request, and sees that Hmong is not translated yet.
Printed, only the notice is on the paper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django import Settings

from psp.models import Role
from referrals.models import Language, Referral
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import (
    TEST_PASSWORD,
    MembershipFactory,
    ProgramFactory,
    ReferralFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def spanish_referral(transactional_db: None, settings: Settings) -> Referral:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    door = ProgramFactory(slug="door", county="Door", name="Door County PSP")
    coordinator = UserFactory(username="door-coordinator")
    MembershipFactory(user=coordinator, program=door, role=Role.PROGRAM_COORDINATOR)
    referral = ReferralFactory(family__program=door)
    referral.family.parents.update(preferred_language=Language.SPANISH)
    return referral


def font_size_px(page: Page, selector: str) -> float:
    size: Any = page.locator(selector).first.evaluate(
        "element => parseFloat(getComputedStyle(element).fontSize)"
    )
    return float(size)


def test_coordinator_prints_a_large_print_spanish_notice(
    page: Page, live_server: Any, spanish_referral: Referral, tmp_path: Path
) -> None:
    sign_in(page, live_server.url, "door-coordinator", TEST_PASSWORD)
    page.goto(f"{live_server.url}/referrals/{spanish_referral.pk}/")
    page.get_by_role("link", name="Print a notice for the parents").click()

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Un Padre o madre aliado(a) puede ayudarle"
    )
    expect(page.get_by_role("radio", name="Spanish")).to_be_checked()
    assert axe_violations(page) == []

    # Hmong has no translation yet: the page says so, and what it shows is English.
    page.get_by_role("radio", name="Hmong (not translated yet: prints in English)").check()
    page.get_by_role("button", name="Show the notice").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("status")).to_contain_text("There is no Hmong notice yet")

    page.get_by_role("radio", name="Spanish").check()
    page.get_by_label("Large print (18 point)").check()
    page.get_by_role("button", name="Show the notice").click()
    expect(page.locator("body")).to_have_class("notice-page notice-large")
    assert axe_violations(page) == []

    page.emulate_media(media="print")
    # 18 point is 24 CSS pixels: every paragraph of the notice, the office line included.
    assert font_size_px(page, "article.notice p") >= 24
    assert font_size_px(page, ".notice-office") >= 24
    assert font_size_px(page, "article.notice h2") > 24
    expect(page.locator(".notice-tools")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.screenshot(path=str(tmp_path / "notice-large-print.png"), full_page=True)

    page.emulate_media(media="screen")
    page.get_by_label("Large print (18 point)").uncheck()
    page.get_by_role("button", name="Show the notice").click()
    page.emulate_media(media="print")
    assert 15 <= font_size_px(page, "article.notice p") < 24

    # On a phone the tools and the notice fit the screen: nothing scrolls sideways.
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
