"""On a tablet: the Door coordinator makes last quarter's report and watches it finish; a
state user makes and downloads the statewide PDF.

Tasks run eagerly here, so the report is finished by the time the page after "Make the
report" loads; the test still checks the progress bar's finished state and the downloads.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from reporting.models import Report, ReportStatus
from reporting.quarters import Quarter
from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def open_reports(page: Page) -> None:
    """Through the menu, once the page after signing in has loaded its scripts (the menu
    opens by Bootstrap's)."""
    expect(page.locator("#account-menu")).to_be_attached()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarterly reports")


def test_coordinator_makes_last_quarters_report(
    page: Page, live_server: LiveServer, demo: None
) -> None:
    assert page.viewport_size == {"width": 768, "height": 1024}
    quarter = Quarter.last_completed()
    sign_in(page, live_server.url, "door-coordinator")
    open_reports(page)
    # The demo's filed quarters are listed; the last one that ended is still open.
    expect(page.get_by_text(f"Closing {quarter.label}")).to_be_visible()
    expect(page.get_by_text("Door County PSP: not closed yet")).to_be_visible()
    assert axe_violations(page) == []

    expect(page.get_by_role("radio", name=quarter.label)).to_be_checked()
    expect(page.get_by_role("radio", name="Door County PSP")).to_be_checked()
    page.get_by_role("button", name="Make the report").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{quarter.label} report: Door County PSP"
    )
    status = page.locator("#report-status")
    expect(status).to_contain_text("Ready")
    expect(status.locator("progress")).to_have_attribute("value", "100")
    expect(status.locator("[hx-trigger]")).to_have_count(0)
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
    expect(page.get_by_role("link", name="Download the CSV")).to_be_visible()
    assert axe_violations(page) == []

    report = Report.objects.get(year=quarter.year, quarter=quarter.number)
    assert report.program is not None
    assert (report.program.slug, report.period, report.status) == ("door", quarter, "done")
    assert not report.suppressed  # Door's own coordinator sees Door's counts in full

    page.get_by_role("link", name="Reports").first.click()
    row = page.get_by_role("row").filter(has_text=quarter.label)
    expect(row).to_contain_text("Ready")
    expect(
        row.get_by_role("link", name=f"PDF for Door County PSP, {quarter.label}")
    ).to_be_visible()


def test_state_user_downloads_the_statewide_pdf(
    page: Page, live_server: LiveServer, demo: None
) -> None:
    quarter = Quarter.last_completed()
    sign_in(page, live_server.url, "dcf-state")
    open_reports(page)
    page.get_by_role("radio", name="Statewide (every program)").check()
    page.get_by_role("button", name="Make the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{quarter.label} report: Statewide")
    expect(page.locator("#report-status")).to_contain_text("Ready")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    download = download_info.value
    assert (
        download.suggested_filename == f"psp-report-statewide-{quarter.year}-q{quarter.number}.pdf"
    )
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    report = Report.objects.get(year=quarter.year, quarter=quarter.number)
    assert report.program is None and report.suppressed
    assert report.status == ReportStatus.DONE
