"""Browser tests: real headless Chromium against a live server with the demo data."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import BrowserContext, Page
from pytest_django import Settings

AXE = Path(__file__).with_name("axe.min.js")


@pytest.fixture
def context(context: BrowserContext) -> BrowserContext:
    """The pages' clock starts at the server's (moved by ``--clock``, if given) and ticks on:
    the browser's "Today" is the server's today."""
    context.clock.install(time=time.time())
    return context


@pytest.fixture
def demo(transactional_db: None, settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo")


def axe_violations(page: Page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """WCAG 2.1 A/AA problems axe-core finds on the current page."""
    # Evaluated through the DevTools protocol, which the page's CSP does not govern:
    # the CSP itself stays on, so the test also proves the pages need no inline script.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{violation['id']}: {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in results["violations"]
        if violation["impact"] in impacts
    ]


DEMO_PASSWORD = "psp-demo-2026"


def sign_in(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("User name or e-mail address").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
