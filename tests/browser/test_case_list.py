"""On a tablet: the Door coordinator finds a family in the case list by name, narrows the
list to families with no contact in 14 days, and downloads what the list shows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from mentoring import selectors
from mentoring.models import Case, CaseStatus
from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser


def test_coordinator_searches_filters_and_downloads_cases(
    page: Page, live_server: LiveServer, demo: None
) -> None:
    door_cases = Case.objects.filter(program__slug="door", status=CaseStatus.OPEN)
    case = door_cases.order_by("id").first()
    assert case is not None
    parent = case.family.parents.order_by("id").first()
    assert parent is not None
    overdue = {c.referral.number for c in selectors.overdue_cases(door_cases)}
    assert overdue, "the demo data has Door families with no contact in 14 days"

    sign_in(page, live_server.url, "door-coordinator")
    page.goto(f"{live_server.url}/mentoring/cases/")
    page.get_by_text("Search and filter").click()
    page.get_by_label("Name or number").fill(parent.last_name)
    page.get_by_role("button", name="Apply").click()
    table = page.get_by_role("table", name="Cases")
    expect(table.get_by_role("link", name=str(parent), exact=False)).to_be_visible()
    expect(table.get_by_text(case.referral.number)).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Clear").click()
    page.get_by_text("Search and filter").click()
    page.get_by_label("Needs attention").select_option(label="No contact in 14 days")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 filter on")).to_be_visible()
    assert set(table.locator("tbody tr td:nth-child(2)").all_inner_texts()) == overdue

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("cases-")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["Referral"] for row in rows} == overdue
