"""A coordinator reviews a Parent Partner's contacts: the queue names each family, narrows
to one Parent Partner and one family, and signs off five contacts at once after one
confirmation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from mentoring.models import Activity, ReviewStatus
from tests.browser.conftest import axe_violations, sign_in
from tests.browser.test_offline import families_of, shoot
from tests.browser.test_offline_changes import logged

pytestmark = pytest.mark.browser


def test_a_coordinator_signs_off_five_contacts_at_once(page: Page, live_server, demo) -> None:
    username = "door-parent-partner"
    (case, family), *_rest = families_of(username)
    notes = [f"Batch {number}: talked through the week." for number in range(1, 6)]
    contacts = [logged(case, username, note) for note in notes]
    partner = contacts[0].parent_partner

    sign_in(page, live_server.url, "door-pp-coordinator")
    page.goto(f"{live_server.url}/mentoring/review/")
    page.locator("summary", has_text="Filter").click()
    page.get_by_label("Parent Partner", exact=True).select_option(str(partner.pk))
    page.get_by_label("Family name or number").fill(case.referral.number)
    page.get_by_role("button", name="Apply").click()
    cards = page.locator("section.card")
    for note in notes:
        card = cards.filter(has_text=note)
        expect(card).to_contain_text(family)
        card.get_by_role("checkbox", name="Choose to sign off with others").check()
    assert axe_violations(page) == []
    shoot(page, "review-queue-chosen")

    page.get_by_role("button", name="Sign off the chosen contacts").click()
    expect(page.get_by_role("heading", name="Sign off these 5 contacts?")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=family)).to_have_count(5)
    assert axe_violations(page) == []
    shoot(page, "review-sign-off-confirm")
    # Nothing is signed off until the coordinator confirms.
    assert not Activity.objects.filter(
        pk__in=[c.pk for c in contacts], review_status=ReviewStatus.SIGNED_OFF
    ).exists()

    page.get_by_role("button", name="Sign off 5 contacts").click()
    expect(page.get_by_text("Signed off 5 contacts.")).to_be_visible()
    for note in notes:
        expect(page.get_by_text(note)).to_have_count(0)
    signed = Activity.objects.filter(pk__in=[c.pk for c in contacts])
    assert {a.review_status for a in signed} == {ReviewStatus.SIGNED_OFF}
