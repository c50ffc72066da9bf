"""On a laptop: the Door coordinator records a council meeting with its attendance and a
recommendation from it, then follows the recommendation through review to adoption."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from councils.models import (
    AttendanceStatus,
    Council,
    Meeting,
    Recommendation,
    RecommendationStatus,
)
from tests.browser.conftest import AXE, sign_in

pytestmark = pytest.mark.browser

PLACE = "Sturgeon Bay library, community room"
WCAG = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}"


def axe_problems(page: Page, context: str) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA problems axe-core finds within ``context``."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(f"async () => await axe.run({context}, {WCAG})")
    return [
        f"{violation['id']}: " + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def assert_accessible(page: Page) -> None:
    """No serious or critical WCAG 2.1 A/AA problem anywhere on the page, header included."""
    assert axe_problems(page, "document") == []


def test_coordinator_records_a_meeting_and_adopts_its_recommendation(page: Page, live_server, demo):
    page.set_viewport_size({"width": 1280, "height": 800})
    council = Council.objects.get(program__slug="door")
    members = list(council.members.filter(is_active=True).order_by("name"))
    excused, absent = members[1], members[2]

    sign_in(page, live_server.url, "door-coordinator")
    page.get_by_role("link", name="Councils", exact=True).click()
    page.get_by_role("link", name=council.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(council.name)
    assert_accessible(page)

    page.get_by_role("link", name="Record a meeting").click()
    page.get_by_label("Date of the meeting").fill(timezone.localdate().isoformat())
    page.get_by_label("Place").fill(PLACE)
    page.get_by_label("Agenda (optional)").fill("Welcome\n\nOutreach to schools")
    page.get_by_label("Minutes (optional)").fill(
        "<h3>Decisions</h3><ul><li>Ask CPS for evening visits</li></ul><script>alert(1)</script>"
    )
    for member in members:
        page.get_by_role("group", name=member.name).get_by_label("Present").check()
    page.get_by_role("group", name=excused.name).get_by_label("Excused").check()
    page.get_by_role("group", name=absent.name).get_by_label("Absent").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save the meeting").click()

    expect(page.get_by_role("status").first).to_contain_text("Meeting saved")
    expect(page.get_by_role("heading", name="Decisions")).to_be_visible()
    meeting = Meeting.objects.get(council=council, location=PLACE)
    marks = dict(meeting.attendance.values_list("member__name", "status"))
    assert len(marks) == len(members)
    assert marks[excused.name] == AttendanceStatus.EXCUSED
    assert marks[absent.name] == AttendanceStatus.ABSENT
    assert "script" not in meeting.minutes
    present = len(members) - 2
    expect(page.get_by_text(f"{present} present,")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add a recommendation").click()
    page.get_by_label("Recommendation").fill("Offer evening visits for parents who work days")
    page.get_by_role("radio", name="Practice").check()
    page.get_by_label("Who follows it up").fill("CPS supervisor")
    page.get_by_label("Whose idea it was (optional)").select_option(label=members[0].name)
    page.get_by_role("button", name="Save the recommendation").click()
    expect(page.get_by_role("status").first).to_contain_text("Proposed")
    assert_accessible(page)

    page.get_by_role("button", name="Start the review").click()
    expect(page.get_by_role("status").first).to_contain_text("Under review")
    page.locator("#id_adopted_note").fill("Agreed by the management team in November")
    page.get_by_role("button", name="Mark as adopted").click()
    expect(page.get_by_role("status").first).to_contain_text("Adopted")
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.get_by_text("Agreed by the management team in November")).to_be_visible()
    assert_accessible(page)

    recommendation = Recommendation.objects.get(meeting=meeting)
    assert recommendation.status == RecommendationStatus.ADOPTED
    assert recommendation.raised_by == members[0]
    assert list(recommendation.status_changes.values_list("to_status", flat=True)) == [
        RecommendationStatus.PROPOSED,
        RecommendationStatus.UNDER_REVIEW,
        RecommendationStatus.ADOPTED,
    ]
