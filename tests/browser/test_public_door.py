"""The public door, as its visitors use it: someone reading the program's page in Spanish
asks to become a Parent Partner and shows up in the Parent Partner Coordinator's
recruitment pipeline; a parent asks for help, and the Program Coordinator makes a referral
from the request."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from mentoring.models import ParentPartner, PartnerSource, Stage
from referrals.models import Referral, ReferralRequest, RequestStatus
from tests.browser.conftest import axe_violations, sign_in
from tests.browser.test_offline import shoot

pytestmark = pytest.mark.browser


def es(text: str) -> str:
    with translation.override("es"):
        translated = translation.gettext(text)
    assert translated != text, f"not translated to Spanish: {text!r}"
    return translated


def wait_as_a_person_does(page: Page, settings) -> None:
    """A person takes longer than the robot timer to fill a form in."""
    page.wait_for_timeout(settings.PSP_PUBLIC_FORM_MIN_SECONDS * 1000 + 300)


def test_someone_in_spanish_becomes_an_inquiry_in_the_pipeline(
    page: Page, live_server, demo, settings
) -> None:
    page.goto(f"{live_server.url}/public/door/")
    page.get_by_role("button", name="Español").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name=es("Become a Parent Partner")).first.click()
    expect(page.get_by_role("heading", level=1, name=es("Become a Parent Partner"))).to_be_visible()
    assert axe_violations(page) == []
    shoot(page, "public-interest-es")

    page.get_by_label(es("First name")).fill("Rosa")
    page.get_by_label(es("Last name")).fill("Delgado Ibarra")
    page.get_by_label(es("E-mail address")).fill("rosa@example.org")
    page.get_by_label(es("Spanish"), exact=True).check()
    page.get_by_label(es("Reunified with their children")).check()
    page.get_by_label(es("Month"), exact=True).fill("6")
    page.get_by_label(es("Day"), exact=True).fill("1")
    page.get_by_label(es("Year"), exact=True).fill("2022")
    page.get_by_label(es("Anything you would like us to know? (optional)")).fill(
        "Quiero ayudar a otras madres."
    )
    wait_as_a_person_does(page, settings)
    page.get_by_role("button", name=es("Send")).click()
    expect(page.get_by_role("heading", name=es("Thank you for your interest"))).to_be_visible()
    assert axe_violations(page) == []

    partner = ParentPartner.objects.get(last_name="Delgado Ibarra")
    assert (partner.stage, partner.source, partner.languages) == (
        Stage.INQUIRY,
        PartnerSource.PUBLIC_FORM,
        ["es"],
    )

    page.context.clear_cookies()
    sign_in(page, live_server.url, "door-pp-coordinator")
    page.goto(f"{live_server.url}/mentoring/parent-partners/")
    inquiries = page.locator("section", has=page.locator("#stage-inquiry"))
    rosa = inquiries.get_by_role("link", name="Rosa Delgado Ibarra")
    expect(rosa).to_be_visible()
    expect(inquiries.get_by_text("From the public page")).to_be_visible()
    rosa.click()
    expect(page.get_by_text("Quiero ayudar a otras madres.")).to_be_visible()


def test_a_parent_asks_for_help_and_the_coordinator_makes_a_referral(
    page: Page, live_server, demo, settings
) -> None:
    page.goto(f"{live_server.url}/public/door/")
    page.get_by_role("link", name="Ask for a Parent Partner").first.click()
    page.get_by_label("I am the parent, asking for myself").check()
    page.get_by_label("Parent's first name").fill("Marisol")
    page.get_by_label("Parent's last name (optional)").fill("Quintero")
    page.get_by_label("Parent's phone number").fill("920-555-0188")
    page.get_by_label("Spanish").check()
    page.get_by_label("What help is the parent looking for?").fill(
        "I have court next month and I am scared."
    )
    # The first try forgets nothing a person typed when a box is missing.
    page.get_by_label("Parent's first name").fill("")
    wait_as_a_person_does(page, settings)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("link", name="Enter the parent's first name.")).to_be_visible()
    expect(page.get_by_label("Parent's last name (optional)")).to_have_value("Quintero")
    assert axe_violations(page) == []
    page.get_by_label("Parent's first name").fill("Marisol")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()
    request = ReferralRequest.objects.get(parent_last_name="Quintero")
    assert request.status == RequestStatus.WAITING

    page.context.clear_cookies()
    sign_in(page, live_server.url, "door-coordinator")
    page.goto(f"{live_server.url}/referrals/")
    page.get_by_role("link", name="See the requests").click()
    page.get_by_role("link", name="Marisol Quintero").click()
    expect(page.get_by_text("I have court next month and I am scared.")).to_be_visible()
    assert axe_violations(page) == []
    shoot(page, "public-request-detail")
    page.get_by_role("link", name="Make a referral from this request").click()
    expect(page.locator("[name='parents-0-first_name']")).to_have_value("Marisol")
    expect(page.locator("[name='parents-0-phone']")).to_have_value("920-555-0188")
    # What the request could not say, the coordinator asks the parent and adds.
    page.locator("[name='parents-0-birth_date_month']").fill("4")
    page.locator("[name='parents-0-birth_date_day']").fill("12")
    page.locator("[name='parents-0-birth_date_year']").fill("1991")
    page.locator("[name='children-0-first_name']").fill("Lia")
    page.locator("[name='children-0-last_name']").fill("Quintero")
    page.locator("[name='children-0-birth_date_month']").fill("3")
    page.locator("[name='children-0-birth_date_day']").fill("2")
    page.locator("[name='children-0-birth_date_year']").fill("2022")
    page.locator("[name='children-0-placement_status'][value='at_home']").check()
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text(re.compile(r"Referral DOOR-\d{4}-\d{4} sent"))).to_be_visible()
    request.refresh_from_db()
    assert request.status == RequestStatus.REFERRED
    assert request.referral == Referral.objects.get(family__parents__last_name="Quintero")
