"""On a tablet: a state user reads the outcomes against the matched comparison group, uploads
a new comparison extract, reads the rows it rejected and puts the rest in use; a county's
coordinator reads their own county.

Tasks run eagerly here: the extract is checked by the time its page loads, and the
comparison is made again as soon as the extract is put in use."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from reporting.comparison import COLUMNS
from reporting.models import ComparisonExtract, ExtractStatus, OutcomeComparison, OutcomeStatus
from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser

ROWS = [
    "EP-0001,CH-0001,Door,4,F,white,neglect,foster,0,2025-02-01,2025-08-01,reunification",
    "EP-0002,CH-0002,Door County,9,M,,neglect;parent_drug_abuse,relative,1,2025-03-01,,",
    "EP-0003,CH-0003,Cook,9,M,,neglect,relative,1,2025-03-01,,",  # not a Wisconsin county
    "EP-0004,CH-0004,Rock,15,F,black,child_behaviour,group,2,2025-04-10,2025-03-01,adoption",
]


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_state_user_reads_the_outcomes_and_puts_a_new_extract_in_use(
    page: Page, live_server: LiveServer, demo: None, tmp_path: Path
) -> None:
    sign_in(page, live_server.url, "dcf-state")
    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("link", name="Does it work?").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Does it work?")
    # The demo's extract is in use and compared: statewide first.
    expect(
        page.get_by_role("heading", name="Statewide: every program county together")
    ).to_be_visible()
    expect(page.get_by_text("Matched pairs", exact=True)).to_be_visible()
    expect(page.get_by_role("table", name="Outcomes of the matched pairs")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Where").select_option("Door")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("heading", name="Door County")).to_be_visible()

    page.get_by_role("link", name="The extracts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("State comparison extract")
    upload = tmp_path / "dcf-extract-2025.csv"
    upload.write_text(",".join(COLUMNS) + "\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    page.get_by_label("The extract (a CSV file)").set_input_files(str(upload))
    page.get_by_label("First day of the period").fill("2025-01-01")
    page.get_by_label("Last day of the period").fill("2025-12-31")
    page.get_by_label("Date the data is as of").fill("2026-01-15")
    page.get_by_role("button", name="Upload and check the file").click()

    expect(page.get_by_text("2 rows accepted, 2 rejected.")).to_be_visible()
    expect(page.get_by_text("“Cook” is not one of Wisconsin's 72 counties.")).to_be_visible()
    # The extract's rows are never shown. (Its identifiers have a hyphen: a page's random
    # tokens are letters and digits only, and once held "E1".)
    assert not [row for row in ROWS if row.split(",")[0] in page.content()]
    assert axe_violations(page) == []
    page.get_by_role("button", name="Use this extract").click()
    expect(page.get_by_text("In use").first).to_be_visible()

    uploaded = ComparisonExtract.objects.get(file_name="dcf-extract-2025.csv")
    assert uploaded.status == ExtractStatus.IN_USE
    assert ComparisonExtract.objects.filter(status=ExtractStatus.IN_USE).count() == 1
    # Compared again with it, statewide and in each program county.
    compared = OutcomeComparison.objects.filter(extract=uploaded)
    assert set(compared.values_list("status", flat=True)) == {OutcomeStatus.DONE}
    page.goto(f"{live_server.url}/reports/outcomes/")
    expect(
        page.get_by_text("Stays in care that began from Jan 1, 2025 to Dec 31, 2025")
    ).to_be_visible()


def test_a_coordinator_reads_their_own_county(
    page: Page, live_server: LiveServer, demo: None
) -> None:
    sign_in(page, live_server.url, "door-coordinator")
    page.goto(f"{live_server.url}/reports/outcomes/")
    expect(page.get_by_role("heading", name="Door County")).to_be_visible()
    expect(page.get_by_label("Where")).to_have_count(0)  # one county: nothing to choose
    assert axe_violations(page) == []
    response = page.goto(f"{live_server.url}/reports/outcomes/?county=Rock")
    assert response is not None and response.status == 404
