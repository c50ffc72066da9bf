"""On a tablet: a Parent Partner notes a next step with a day when logging a contact; it is
on their home page as a follow-up; the coordinator hands them another from the case page;
the Parent Partner marks it done."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mentoring.models import FollowUp
from psp.models import User
from referrals.models import Status
from tests.browser.conftest import axe_violations, sign_in
from tests.browser.test_mileage import signed_out
from tests.browser.test_offline import shoot
from tests.factories import ChildFactory, ParentFactory, ReferralFactory
from tests.mentoring.factories import assign_case

pytestmark = pytest.mark.browser


@pytest.fixture
def family_case(demo):
    partner = User.objects.get(username="door-parent-partner")
    referral = ReferralFactory(
        family__program=partner.memberships.get().program,
        status=Status.ACCEPTED,
        members=False,
    )
    ParentFactory(family=referral.family, first_name="Renata", last_name="Okafor")
    ChildFactory(family=referral.family)
    return assign_case(referral, partner)


def test_a_next_step_becomes_a_follow_up_and_is_marked_done(
    page: Page, live_server, family_case
) -> None:
    page.set_viewport_size({"width": 768, "height": 1024})
    by = timezone.localdate() + datetime.timedelta(days=3)
    sign_in(page, live_server.url, "door-parent-partner")
    page.goto(f"{live_server.url}/mentoring/log/?case={family_case.pk}")
    page.get_by_role("radio", name="Renata Okafor").check()
    page.get_by_role("radio", name="Home visit").check()
    page.get_by_role("radio", name="In person").check()
    page.get_by_role("radio", name="1 hour", exact=True).check()
    page.get_by_text("More: where, who was there, miles, next step").click()
    page.get_by_label("Next step (optional)").fill("Bring the housing list")
    page.get_by_label("Next step by (optional)").fill(by.isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="Contact saved")).to_be_visible()

    page.goto(f"{live_server.url}/mentoring/")
    box = page.get_by_role("region", name="My follow-ups")
    expect(box).to_contain_text("Bring the housing list")
    expect(box).to_contain_text("Renata Okafor")
    assert axe_violations(page) == []
    signed_out(page)

    sign_in(page, live_server.url, "door-pp-coordinator")
    page.goto(f"{live_server.url}/mentoring/cases/{family_case.pk}/")
    page.get_by_role("link", name="Add a follow-up").click()
    page.get_by_label("What to do").fill("Ask which days suit family time")
    page.locator("#id_due_on").fill(by.isoformat())
    partner = User.objects.get(username="door-parent-partner")
    page.get_by_role("radio", name=partner.get_full_name() or partner.email).check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save").click()
    section = page.get_by_role("region", name="Follow-ups", exact=True)
    expect(section).to_contain_text("Ask which days suit family time")
    expect(section).to_contain_text("Bring the housing list")
    signed_out(page)

    sign_in(page, live_server.url, "door-parent-partner")
    page.goto(f"{live_server.url}/mentoring/follow-ups/")
    expect(page.get_by_role("heading", name="Follow-ups", exact=True)).to_be_visible()
    shoot(page, "follow-ups")
    page.get_by_role("button", name=re.compile("^Done.*Bring the housing list")).click()
    expect(page.get_by_text("Done: Bring the housing list")).to_be_visible()
    expect(
        page.get_by_role("button", name=re.compile("^Done.*Bring the housing list"))
    ).to_have_count(0)
    expect(
        page.get_by_role("button", name=re.compile("^Done.*Ask which days suit family time"))
    ).to_be_visible()
    done = FollowUp.objects.get(what="Bring the housing list")
    assert done.done_at is not None and done.done_by == partner
