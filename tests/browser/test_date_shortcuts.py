""" "Today" and "Yesterday" beside a date give the program's day (America/Chicago), whatever
time zone the tablet is set to: the server checks dates against that day."""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone
from playwright.sync_api import Browser

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "tablet_zone", ["America/Chicago", "Pacific/Kiritimati", "Pacific/Pago_Pago"]
)
def test_today_and_yesterday_are_the_programs_days(
    browser: Browser, live_server, demo, tablet_zone: str
):
    context = browser.new_context(
        viewport={"width": 768, "height": 1024}, locale="en-US", timezone_id=tablet_zone
    )
    context.clock.install(time=time.time())  # the server's clock, moved by --clock if given
    page = context.new_page()
    sign_in(page, live_server.url, "door-parent-partner")
    page.goto(f"{live_server.url}/mentoring/log/")
    date = page.locator("#id_date")
    date.fill("2020-01-01")
    page.get_by_role("button", name="Yesterday").click()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert date.input_value() == yesterday.isoformat()
    page.get_by_role("button", name="Today").click()
    assert date.input_value() == timezone.localdate().isoformat()
    context.close()
