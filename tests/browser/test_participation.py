"""A coordinator adds the date paid to a Parent Partner's council stipend once it is paid,
and deletes a participation recorded twice; the Parent Partner sees theirs, and no way to
change it."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mentoring.models import Participation, ParticipationKind
from psp.dates import format_when
from tests.browser.conftest import axe_violations
from tests.browser.test_mileage import signed_in, signed_out

pytestmark = pytest.mark.browser


def test_a_coordinator_records_a_payment_and_deletes_a_duplicate(
    page: Page, live_server, demo
) -> None:
    partner = Participation.objects.filter(
        parent_partner__user__username="door-parent-partner"
    ).first()
    assert partner is not None, "the demo records the Door Parent Partner's participation"
    held = timezone.localdate() - datetime.timedelta(days=8)
    common = {
        "parent_partner": partner.parent_partner,
        "kind": ParticipationKind.COMMITTEE,
        "title": "Family Voice committee",
        "held_on": held,
        "hours": Decimal("2"),
        "amount": Decimal("40.00"),
    }
    unpaid = Participation.objects.create(**common)
    twice = Participation.objects.create(**common)
    day = format_when(held, "date")

    signed_in(page, live_server.url, "door-pp-coordinator")
    page.goto(f"{live_server.url}/mentoring/participation/")
    change = page.get_by_role("link", name=f"Change Family Voice committee on {day}")
    expect(change).to_have_count(2)
    change.first.click()
    expect(page.get_by_role("heading", name="Change a participation")).to_be_visible()
    assert axe_violations(page) == []

    # A date paid before the committee met is refused at the field, the rest kept.
    paid = page.get_by_label("Date paid (optional)")
    paid.fill((held - datetime.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Enter a date on or after the participation.").first).to_be_visible()
    expect(page.get_by_label("What it was")).to_have_value("Family Voice committee")
    assert axe_violations(page) == []

    today = timezone.localdate()
    page.get_by_label("Date paid (optional)").fill(today.isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Participation saved.")).to_be_visible()
    expect(page.get_by_text(f"paid {format_when(today, 'date')}").first).to_be_visible()
    paid_now = Participation.objects.filter(pk__in=[unpaid.pk, twice.pk], paid_on=today)
    assert paid_now.count() == 1

    # The other one was recorded twice: deleted, after a page that asks.
    still_unpaid = Participation.objects.get(pk__in=[unpaid.pk, twice.pk], paid_on=None)
    page.goto(f"{live_server.url}/mentoring/participation/{still_unpaid.pk}/edit/")
    page.get_by_role("link", name="Delete this participation").click()
    expect(page.get_by_role("heading", name="Delete this participation?")).to_be_visible()
    expect(page.get_by_text("$40.00")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_text(re.compile("Deleted: .*: Family Voice committee"))).to_be_visible()
    expect(change).to_have_count(1)
    assert not Participation.objects.filter(pk=still_unpaid.pk).exists()
    signed_out(page)

    # The Parent Partner sees theirs, paid, and nothing to change it with.
    signed_in(page, live_server.url, "door-parent-partner")
    page.goto(f"{live_server.url}/mentoring/participation/")
    expect(page.get_by_text("Family Voice committee")).to_have_count(1)
    expect(page.get_by_role("link", name=re.compile("^Change"))).to_have_count(0)
