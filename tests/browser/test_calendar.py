"""A coordinator's busy day: the month shows its first hearings and how many more; "more"
opens the day with every one of them; on a phone the month is a list of the days with
something in them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mentoring.models import Hearing
from psp.models import User
from referrals.models import Status
from reporting import calendar
from tests.browser.conftest import axe_violations, sign_in
from tests.browser.test_offline import shoot
from tests.factories import ParentFactory, ReferralFactory
from tests.mentoring.factories import assign_case

pytestmark = pytest.mark.browser


@pytest.fixture
def busy_day(demo) -> datetime.date:
    """Seven hearings of one Door family on one day, from 8:00 an hour apart."""
    partner = User.objects.get(username="door-parent-partner")
    referral = ReferralFactory(
        family__program=partner.memberships.get().program,
        status=Status.ACCEPTED,
        members=False,
    )
    ParentFactory(family=referral.family, first_name="Renata", last_name="Okafor")
    case = assign_case(referral, partner)
    # A day of the month on view, clear of the demo's own hearings' count.
    day = timezone.localdate().replace(day=15)
    for hour in range(8, 15):
        Hearing.objects.create(case=case, day=day, time=datetime.time(hour, 0))
    return day


@pytest.mark.parametrize("width", [1280, 390])
def test_more_on_a_busy_day_opens_the_day_with_all_its_hearings(
    width: int, page: Page, live_server, busy_day: datetime.date
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, "door-coordinator")
    page.goto(f"{live_server.url}/calendar/?view=month&day={busy_day.isoformat()}")
    coordinator = User.objects.get(username="door-coordinator")
    on_day = calendar.days(coordinator, busy_day, busy_day, per_day=1).total[busy_day]
    more = page.get_by_role("link", name=f"{on_day - 3} more on ")
    expect(more).to_be_visible()
    assert axe_violations(page) == []
    more.click()
    expect(page.get_by_role("link", name="Day", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    okafor = page.locator("a.calendar-event", has_text="Renata Okafor")
    expect(okafor).to_have_count(7)
    expect(page.locator("a.calendar-event")).to_have_count(on_day)
    assert axe_violations(page) == []
    shoot(page, f"calendar-day-{width}")
