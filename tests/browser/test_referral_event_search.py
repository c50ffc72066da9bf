"""On a tablet: a coordinator entering a referral finds, by typing, the outreach event where
the family heard of the program, among more than the form shows at first."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from councils.models import OutreachEvent
from referrals.forms import EventSearchInput
from referrals.models import Referral
from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser


def test_coordinator_finds_an_older_event_by_typing(page: Page, live_server, demo):
    today = timezone.localdate()
    recent = OutreachEvent.objects.filter(
        program__slug="door",
        held_on__gte=today - datetime.timedelta(days=365),
        held_on__lte=today + datetime.timedelta(days=7),
    ).order_by("-held_on", "-id")
    assert recent.count() > EventSearchInput.shown
    older = recent[EventSearchInput.shown]
    older.title = "Quilting circle at the Egg Harbor library"
    older.save()

    sign_in(page, live_server.url, "door-coordinator")
    page.goto(f"{live_server.url}/referrals/new/")
    assert axe_violations(page) == []
    choices = page.get_by_role("group", name="Heard about the program at (optional)")
    expect(choices.get_by_role("radio", name="Quilting circle", exact=False)).to_have_count(0)

    search = page.get_by_label("Search the events of the last 12 months by name or organisation")
    search.press_sequentially("quilting egg")
    event = choices.get_by_role("radio", name="Quilting circle", exact=False)
    expect(event).to_have_count(1)
    expect(page.get_by_role("status").first).to_contain_text("Events matching")
    event.check()
    search.press("Enter")  # searches again; does not send the form
    expect(event).to_be_checked()
    assert axe_violations(page) == []

    page.get_by_label("Referrer's name").fill("Kari Jeanquart")
    page.get_by_label("First name").first.fill("Rosa")
    page.get_by_label("Last name").first.fill("Quintero")
    page.locator("#id_parents-0-birth_date_day").fill("14")
    page.locator("#id_parents-0-birth_date_month").fill("8")
    page.locator("#id_parents-0-birth_date_year").fill("1991")
    page.get_by_role("radio", name="Spanish").first.check()
    page.get_by_label("The parent agrees to be contacted by the program").first.check()
    page.get_by_role("radio", name="Said so (verbal)").first.check()
    page.locator("#id_children-0-first_name").fill("Lucía")
    page.locator("#id_children-0-birth_date_day").fill("3")
    page.locator("#id_children-0-birth_date_month").fill("9")
    page.locator("#id_children-0-birth_date_year").fill("2017")
    page.get_by_role("radio", name="Within a week").check()
    # Enter in a text field sends the referral (the event search's button, earlier in the
    # form, must not take it).
    page.get_by_label("Referrer's name").press("Enter")

    expect(page.get_by_role("status").first).to_contain_text("sent")
    referral = Referral.objects.get(family__parents__last_name="Quintero")
    assert referral.source.event == older
