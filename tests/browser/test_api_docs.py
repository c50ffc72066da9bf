"""The API's docs page (Swagger UI) is a page like the others: axe finds nothing at a desktop,
tablet and phone width, shown, with an operation opened, tried, answered, and with the
"Authorize" dialog open; and it runs under the app's CSP (no inline script or style)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page
from pytest_django import Settings

from psp.models import Role
from tests.browser.conftest import axe_report, inject_axe, sign_in
from tests.factories import TEST_PASSWORD, MembershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def parent_partner(transactional_db: None, settings: Settings) -> str:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    door = ProgramFactory(slug="door", county="Door", name="Door County PSP")
    user = UserFactory(username="door-parent-partner")
    MembershipFactory(user=user, program=door, role=Role.PARENT_PARTNER)
    return user.username


def problems(page: Page, where: str) -> list[str]:
    inject_axe(page)
    return [f"{where}: {problem}" for problem in axe_report(page)]


@pytest.mark.parametrize("width", [1280, 768, 390])
def test_the_docs_page_has_no_axe_problems_in_any_state(
    page: Page, live_server: Any, parent_partner: str, width: int
) -> None:
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, parent_partner, TEST_PASSWORD)
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.locator(".opblock-summary-control").first.wait_for()
    found = problems(page, "shown")

    page.locator(".opblock-summary-control", has_text="/api/v1/caseload/").first.click()
    page.locator(".try-out__btn").first.wait_for()
    found += problems(page, "operation opened")
    page.locator(".try-out__btn").first.click()
    found += problems(page, "trying it out")
    page.locator(".execute").first.click()
    page.locator(".live-responses-table").first.wait_for()
    found += problems(page, "answered")
    page.locator(".btn.authorize").first.click()
    page.locator(".modal-ux").wait_for()
    found += problems(page, "Authorize dialog")

    assert found == []
    assert blocked == []
