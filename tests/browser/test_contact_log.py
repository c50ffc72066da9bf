"""On a tablet: a Parent Partner logs a court hearing in a few taps, a draft survives a
reload, a contact saved without a connection is sent when it returns, and the Parent
Partner Coordinator signs the contact off."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from mentoring.models import Activity, ActivityType, ReviewStatus
from psp.models import User
from referrals.models import Status
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import ReferralFactory
from tests.mentoring.factories import assign_case

pytestmark = pytest.mark.browser


class Taps:
    """Counts what a finger does: every click or check on the page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0

    def click(self, locator: Locator) -> None:
        self.count += 1
        locator.click()


@pytest.fixture
def family_case(demo):
    partner = User.objects.get(username="door-parent-partner")
    referral = ReferralFactory(
        family__program=partner.memberships.get().program,
        status=Status.ACCEPTED,
        members=False,
    )
    from tests.factories import ChildFactory, ParentFactory

    ParentFactory(family=referral.family, first_name="Renata", last_name="Okafor")
    ChildFactory(family=referral.family)
    return assign_case(referral, partner)


def test_court_hearing_in_under_ten_taps_then_signed_off(
    page: Page, live_server, family_case, browser
) -> None:
    sign_in(page, live_server.url, "door-parent-partner")
    page.goto(f"{live_server.url}/mentoring/")
    taps = Taps(page)
    taps.click(page.get_by_role("link", name="Log a contact").first)
    taps.click(page.get_by_role("radio", name="Renata Okafor"))
    taps.click(page.get_by_role("radio", name="Court hearing (attended or supported)"))
    taps.click(page.get_by_role("radio", name="In person"))
    taps.click(page.get_by_role("radio", name="2 hours"))
    assert axe_violations(page) == []
    taps.click(page.get_by_role("button", name="Save", exact=True))
    expect(page.get_by_role("heading", name="Contact saved")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Contact saved")).to_be_focused()
    assert taps.count < 10, f"{taps.count} taps"

    activity = Activity.objects.get(case=family_case)
    assert activity.activity_type == ActivityType.COURT_HEARING
    assert activity.duration_minutes == 120

    reviewer = browser.new_page(viewport={"width": 768, "height": 1024})
    sign_in(reviewer, live_server.url, "door-pp-coordinator")
    reviewer.goto(f"{live_server.url}/mentoring/review/")
    # The queue names each contact by its family, as the case pages do.
    family = " & ".join(
        f"{p.first_name} {p.last_name}" for p in family_case.family.parents.order_by("id")
    )
    card = reviewer.get_by_role("region", name=f"Court hearing (attended or supported) – {family}")
    card.get_by_role("button", name="Sign off").click()
    expect(reviewer.get_by_role("status").first).to_contain_text("Signed off")
    expect(reviewer.get_by_role("status").first).to_be_focused()
    activity.refresh_from_db()
    assert activity.review_status == ReviewStatus.SIGNED_OFF
    reviewer.close()


def test_draft_survives_a_reload_and_a_lost_connection(
    page: Page, live_server, family_case, context
) -> None:
    sign_in(page, live_server.url, "door-parent-partner")
    page.goto(f"{live_server.url}/mentoring/log/?case={family_case.pk}")
    page.get_by_role("radio", name="Renata Okafor").check()
    page.get_by_role("radio", name="Home visit").check()
    page.get_by_role("radio", name="In person").check()
    page.get_by_role("radio", name="1 hour").check()
    page.get_by_label("Notes (optional)").fill("Helped Renata plan for Tuesday's visit.")

    page.reload()
    expect(page.get_by_text("We kept your unsent note from")).to_be_visible()
    expect(page.get_by_label("Notes (optional)")).to_have_value(
        "Helped Renata plan for Tuesday's visit."
    )
    expect(page.get_by_role("radio", name="Home visit")).to_be_checked()

    context.set_offline(True)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Kept on this tablet")).to_be_visible()
    expect(page.get_by_label("Notes (optional)")).to_have_value("")  # ready for the next one
    assert not Activity.objects.filter(case=family_case).exists()

    context.set_offline(False)  # the note goes out by itself when the connection returns
    expect(
        page.get_by_role("listitem").filter(has_text="Home visit with Renata Okafor")
    ).to_contain_text("Sent", timeout=15000)
    activity = Activity.objects.get(case=family_case)
    assert activity.notes == "Helped Renata plan for Tuesday's visit."

    page.goto(f"{live_server.url}/mentoring/log/?case={family_case.pk}")
    expect(page.get_by_text("We kept your unsent note from")).to_be_hidden()
    assert Activity.objects.filter(case=family_case).count() == 1


def test_today_and_yesterday_buttons_give_the_programs_dates(
    page: Page, live_server, family_case
) -> None:
    """The buttons read the tablet's clock and the server checks the date against its own:
    they must agree, late in the evening too (``--clock=23:30``: UTC is already tomorrow)."""
    today = timezone.localdate()
    sign_in(page, live_server.url, "door-parent-partner")
    page.goto(f"{live_server.url}/mentoring/log/?case={family_case.pk}")
    date = page.locator("#id_date")
    page.get_by_role("button", name="Yesterday").click()
    expect(date).to_have_value((today - datetime.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Today").click()
    expect(date).to_have_value(today.isoformat())
    page.get_by_role("radio", name="Renata Okafor").check()
    page.get_by_role("radio", name="Home visit").check()
    page.get_by_role("radio", name="In person").check()
    page.get_by_role("radio", name="1 hour").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="Contact saved")).to_be_visible()
    assert Activity.objects.get(case=family_case).occurred_on == today


def test_a_parent_partner_records_the_hearing_and_the_next_one_the_coordinator_sees_both(
    page: Page, live_server, family_case, browser
) -> None:
    today = timezone.localdate()
    next_hearing = today + datetime.timedelta(days=10)
    sign_in(page, live_server.url, "door-parent-partner")
    page.goto(f"{live_server.url}/mentoring/log/?case={family_case.pk}")
    page.get_by_role("radio", name="Renata Okafor").check()
    page.get_by_role("radio", name="Court hearing (attended or supported)").check()
    page.get_by_role("radio", name="In person").check()
    page.get_by_role("radio", name="2 hours").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="Contact saved")).to_be_visible()

    page.get_by_role("link", name="Record the hearing").click()
    expect(page.get_by_role("heading", name="Add a court hearing")).to_be_visible()
    expect(page.get_by_label("Date of the hearing")).to_have_value(today.isoformat())
    page.get_by_role("radio", name="Permanency plan review").check()
    page.get_by_label("Court (optional)").fill("Door County Circuit Court")
    page.get_by_label("Judge or commissioner (optional)").fill("Judge Weber")
    page.get_by_label("What the court decided (optional)").fill(
        "Plan approved; unsupervised visits on weekends."
    )
    page.get_by_label("Next hearing date (optional)").fill(next_hearing.isoformat())
    page.get_by_label("Next hearing time (optional)").fill("13:30")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Court hearing saved.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Plan approved")).to_contain_text(
        "Permanency plan review"
    )

    coordinator = browser.new_page(viewport={"width": 768, "height": 1024})
    sign_in(coordinator, live_server.url, "door-coordinator")
    coordinator.goto(f"{live_server.url}{family_case.get_absolute_url()}")
    held = coordinator.get_by_role("row").filter(has_text="Plan approved")
    expect(held).to_contain_text("Judge Weber")
    to_come = coordinator.get_by_role("row").filter(
        has=coordinator.locator(f'time[datetime="{next_hearing.isoformat()}"]')
    )
    expect(to_come).to_contain_text("to come")
    expect(to_come).to_contain_text("Door County Circuit Court")
    assert axe_violations(coordinator) == []

    # The next hearing is on the coordinator's calendar: the month, and the agenda.
    number = family_case.referral.number
    coordinator.goto(f"{live_server.url}/calendar/?day={next_hearing.isoformat()}")
    next_event = re.compile(r"^1:30 PM .*" + re.escape(f"({number})"))
    expect(coordinator.get_by_role("link", name=next_event)).to_be_visible()
    assert axe_violations(coordinator) == []
    coordinator.get_by_role("link", name="Agenda").click()
    event = coordinator.get_by_role("link", name=next_event)
    expect(event).to_contain_text("Renata Okafor")
    event.click()
    expect(coordinator.get_by_role("heading", name="Renata Okafor", exact=True)).to_be_visible()
    coordinator.close()
