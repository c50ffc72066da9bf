"""A Parent Partner claims last month's miles and a parking fee; the Program Coordinator
approves the claim and records it paid; the Parent Partner sees it paid."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mentoring.models import ActivityType, ClaimStatus, ExpenseClaim
from mentoring.selectors import month_start
from psp.dates import format_when
from tests.browser.conftest import axe_violations, sign_in
from tests.browser.test_offline import families_of, open_sign_out, shoot
from tests.mentoring.factories import ActivityFactory

pytestmark = pytest.mark.browser


def signed_in(page: Page, url: str, username: str) -> None:
    """Signed in, and the first page after it shown (so the next address is not raced)."""
    sign_in(page, url, username)
    expect(page.locator("#account-menu")).to_be_attached()


def signed_out(page: Page) -> None:
    """Signed out through the account menu, as a person hands the tablet on."""
    open_sign_out(page)
    expect(page.locator("#account-menu")).to_have_count(0)


def test_a_claim_goes_from_submitted_to_paid(page: Page, live_server, demo) -> None:
    username = "door-parent-partner"
    (case, _family), *_rest = families_of(username)
    last_month = month_start(month_start(timezone.localdate()) - datetime.timedelta(days=1))
    # A home visit last month, 23.5 miles there and back.
    ActivityFactory(
        case=case,
        occurred_on=max(last_month + datetime.timedelta(days=9), case.opened_on),
        mileage=Decimal("23.5"),
        activity_type=ActivityType.HOME_VISIT,
    )
    month_name = format_when(last_month, "month")

    signed_in(page, live_server.url, username)
    expect(page.locator("#main-nav a.nav-link", has_text="Mileage")).to_have_count(1)
    page.goto(f"{live_server.url}/mentoring/mileage/")
    expect(page.get_by_role("heading", name="Months you can claim")).to_be_visible()
    page.get_by_role("link", name=f"Claim {month_name}").click()
    expect(page.get_by_role("heading", name=f"Claim for {month_name}")).to_be_visible()
    expect(page.get_by_role("cell", name="23.5", exact=True)).to_be_visible()

    first = page.get_by_role("group", name="Expense 1")
    first.get_by_label("Date").fill((last_month + datetime.timedelta(days=9)).isoformat())
    first.get_by_label("What it was for").fill("Parking at the courthouse")
    first.get_by_label("Amount in dollars").fill("5000")
    page.get_by_role("button", name="Send the claim").click()
    # A bad amount is named at its field, and nothing else typed is lost.
    expect(page.get_by_role("alert")).to_contain_text("Enter an amount from 0.01 to 1,000.")
    expect(page.get_by_role("alert")).to_contain_text(
        "Confirm the miles and expenses are for the program."
    )
    first = page.get_by_role("group", name="Expense 1")
    expect(first.get_by_label("What it was for")).to_have_value("Parking at the courthouse")
    assert axe_violations(page) == []
    first.get_by_label("Amount in dollars").fill("6.50")
    page.get_by_label("I drove these miles and paid these expenses").check()
    shoot(page, "claim-form")
    page.get_by_role("button", name="Send the claim").click()
    expect(
        page.get_by_text(re.compile(rf"Your claim for {month_name} \(\$[\d.]+\)"))
    ).to_be_visible()
    expect(page.locator("[data-claim-status]")).to_have_text("Waiting for approval")
    claim = ExpenseClaim.objects.get(parent_partner__user__username=username, month=last_month)
    assert claim.other_amount == Decimal("6.50")
    assert claim.miles >= Decimal("23.5")
    assert axe_violations(page) == []

    signed_out(page)
    signed_in(page, live_server.url, "door-coordinator")
    page.goto(f"{live_server.url}/mentoring/mileage/?status=submitted")
    row = (
        page.get_by_role("row")
        .filter(has_text=str(claim.parent_partner))
        .filter(has_text=month_name)
    )
    row.get_by_role("link", name=month_name).click()
    expect(page.locator("[data-claim-total]")).to_have_text(f"${claim.total}")
    page.get_by_label("Approve the claim").check()
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_text("Claim approved.")).to_be_visible()
    page.get_by_label("Payment reference (optional)").fill("Check 2044")
    assert axe_violations(page) == []
    shoot(page, "claim-approved")
    page.get_by_role("button", name="Mark as paid").click()
    expect(page.get_by_text("Claim marked as paid.")).to_be_visible()
    expect(page.locator("[data-claim-status]")).to_have_text("Paid")
    claim.refresh_from_db()
    assert (claim.status, claim.payment_reference) == (ClaimStatus.PAID, "Check 2044")

    signed_out(page)
    signed_in(page, live_server.url, username)
    page.goto(f"{live_server.url}/mentoring/mileage/{claim.pk}/")
    expect(page.locator("[data-claim-status]")).to_have_text("Paid")
