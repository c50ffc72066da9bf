"""The bell: a coordinator sends a Parent Partner's contact back; the Parent Partner sees
one unread notification, opens the list, follows it to the contact, and the bell is quiet."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from psp.models import Notification, NotificationKind, User
from tests.browser.conftest import axe_violations
from tests.browser.test_mileage import signed_in, signed_out
from tests.browser.test_offline import families_of
from tests.browser.test_offline_changes import logged

pytestmark = pytest.mark.browser


def test_a_contact_sent_back_rings_the_parent_partners_bell(page: Page, live_server, demo) -> None:
    username = "door-parent-partner"
    (case, _family), *_rest = families_of(username)
    note = "Bell: talked through the week."
    contact = logged(case, username, note)
    # What the demo told the Parent Partner before is read already: the bell starts quiet.
    partner_user = User.objects.get(username=username)
    Notification.objects.filter(recipient=partner_user).update(read_at=timezone.now())

    signed_in(page, live_server.url, "door-pp-coordinator")
    page.goto(f"{live_server.url}/mentoring/review/?family={case.referral.number}")
    card = page.locator("section.card").filter(has_text=note)
    card.locator("summary", has_text="Send back").click()
    card.get_by_label("What should the Parent Partner change?").fill("Add who was there.")
    card.get_by_role("button", name="Send back").click()
    expect(page.get_by_text(note)).to_have_count(0)
    signed_out(page)

    signed_in(page, live_server.url, username)
    bell = page.get_by_role("link", name="Notifications, 1 unread")
    expect(bell).to_be_visible()
    expect(bell.locator("[data-bell-count]")).to_have_text("1")
    bell.click()
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    assert axe_violations(page) == []
    # The demo told of another contact sent back before: this one is the unread one.
    [notification] = Notification.objects.filter(
        recipient=partner_user, kind=NotificationKind.CONTACT_SENT_BACK, read_at__isnull=True
    )
    assert notification.url == f"/mentoring/contacts/{contact.pk}/edit/"
    link = page.get_by_role("link", name=f"{case.referral.number}: your contact of").and_(
        page.locator(f'a[href="/notifications/{notification.pk}/"]')
    )
    expect(link).to_have_count(1)
    link.click()
    expect(page).to_have_url(f"{live_server.url}/mentoring/contacts/{contact.pk}/edit/")
    expect(page.get_by_role("link", name="Notifications, none unread")).to_be_visible()
    notification.refresh_from_db()
    assert notification.read_at is not None

    # Where the Parent Partner chooses how they are told: two boxes a kind, each named.
    page.goto(f"{live_server.url}/profile/notifications/")
    page.get_by_role("checkbox", name="Court hearing within 7 days: by e-mail").uncheck()
    page.get_by_role("button", name="Save choices").click()
    expect(page.get_by_text("Your notification choices are saved.")).to_be_visible()
    expect(
        page.get_by_role("checkbox", name="Court hearing within 7 days: by e-mail")
    ).not_to_be_checked()
    assert axe_violations(page) == []
