"""Pages fit a tablet (768 px) and a phone (390 px) without sideways scrolling."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from councils.models import Council
from mentoring.models import Case
from referrals.models import Referral
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def pages_for_coordinator() -> list[str]:
    referral = Referral.objects.filter(program__slug="door").first()
    case = Case.objects.filter(program__slug="door").first()
    council = Council.objects.filter(program__slug="door").first()
    assert referral is not None and case is not None and council is not None
    return [
        "/dashboard/",
        "/referrals/",
        f"/referrals/{referral.pk}/",
        "/mentoring/cases/",
        f"/mentoring/cases/{case.pk}/",
        "/mentoring/review/",
        "/mentoring/parent-partners/",
        "/mentoring/training/",
        "/mentoring/clinical-support/",
        "/councils/",
        f"/councils/{council.pk}/",
        "/audit/",
    ]


@pytest.mark.parametrize("width", [768, 390])
def test_coordinator_pages_do_not_scroll_sideways(page: Page, live_server, demo, width) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, "door-coordinator")
    wide = []
    for path in pages_for_coordinator():
        page.goto(f"{live_server.url}{path}")
        if page.evaluate(OVERFLOW) > 0:
            wide.append(path)
    assert wide == []


@pytest.mark.parametrize("width", [768, 390])
def test_parent_partner_pages_do_not_scroll_sideways(page: Page, live_server, demo, width) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, "door-parent-partner")
    wide = []
    for path in ["/mentoring/", "/mentoring/log/", "/mentoring/contacts/", "/mentoring/resources/"]:
        page.goto(f"{live_server.url}{path}")
        if page.evaluate(OVERFLOW) > 0:
            wide.append(path)
    assert wide == []
