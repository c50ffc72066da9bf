"""In a real browser: a coordinator keeps a family's release of information. A web page
saved under a PDF's name is refused, with the message in the error summary and at the file
box; the real PDF is then taken and listed on the case, to download."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mentoring.models import Document
from psp.models import User
from referrals.models import Status
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import ParentFactory, ReferralFactory
from tests.mentoring.factories import HTML_BYTES, PDF_BYTES, assign_case

pytestmark = pytest.mark.browser

NOT_A_PICTURE = "This file is not a PDF or a picture (PNG, JPEG or WebP), whatever its name says."


@pytest.fixture
def family_case(demo):
    partner = User.objects.get(username="door-parent-partner")
    referral = ReferralFactory(
        family__program=partner.memberships.get().program,
        status=Status.ACCEPTED,
        members=False,
    )
    ParentFactory(family=referral.family, first_name="Renata", last_name="Okafor")
    return assign_case(referral, partner)


def test_a_coordinator_is_told_a_file_is_not_a_pdf_then_keeps_the_real_one(
    page: Page, live_server, family_case
) -> None:
    signed = timezone.localdate() - datetime.timedelta(days=2)
    sign_in(page, live_server.url, "door-coordinator")
    page.goto(f"{live_server.url}{family_case.get_absolute_url()}")
    page.get_by_role("link", name="Add a document").click()
    expect(page.get_by_role("heading", name="Add a document")).to_be_visible()

    page.get_by_label("File").set_input_files(
        {"name": "Release Okafor.pdf", "mimeType": "application/pdf", "buffer": HTML_BYTES}
    )
    page.get_by_role("radio", name="Release of information").check()
    page.get_by_label("Date of the document").fill(signed.isoformat())
    page.get_by_label("Note (optional)").fill("Release to the family's therapist")
    page.get_by_role("button", name="Save", exact=True).click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=NOT_A_PICTURE)).to_be_visible()
    expect(page.locator("#div_id_file")).to_contain_text(NOT_A_PICTURE)
    expect(page).to_have_title(re.compile(r"^Error: Add a document"))
    # What was typed is kept; only the file must be chosen again.
    expect(page.get_by_label("Note (optional)")).to_have_value("Release to the family's therapist")
    expect(page.get_by_role("radio", name="Release of information")).to_be_checked()
    assert axe_violations(page) == []
    assert not Document.objects.exists()

    page.get_by_label("File").set_input_files(
        {"name": "Release Okafor.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_role("button", name="Save", exact=True).click()

    documents = page.locator("section[aria-labelledby='documents-title']")
    expect(page.get_by_text("Document saved: Release of information")).to_be_visible()
    expect(documents).to_contain_text("Release of information")
    link = documents.get_by_role("link", name="Release Okafor.pdf")
    expect(link).to_be_visible()
    assert axe_violations(page) == []

    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "Release Okafor.pdf"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == PDF_BYTES
