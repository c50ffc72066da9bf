"""Agendas and minutes: headings, lists and links survive; scripts and handlers never do."""

from __future__ import annotations

import pytest

from councils.models import Meeting
from councils.services import sanitize_rich_text
from tests.councils.factories import MeetingFactory

pytestmark = pytest.mark.django_db

ATTACK = (
    "<h2>Decisions</h2><script>alert(1)</script>"
    '<p onclick="steal()">We agreed.</p>'
    '<img src="x" onerror="alert(2)">'
    '<a href="javascript:alert(3)">bad link</a>'
    '<a href="https://dcf.wisconsin.gov/" onmouseover="alert(4)">DCF</a>'
    '<ul><li style="color:red">One</li></ul>'
)


def test_sanitiser_keeps_structure_and_drops_what_runs():
    clean = sanitize_rich_text(ATTACK)
    assert "<h2>Decisions</h2>" in clean
    assert "<p>We agreed.</p>" in clean
    assert "<ul>\n<li>One</li>\n</ul>" in clean
    assert '<a href="https://dcf.wisconsin.gov/" rel="noopener noreferrer">DCF</a>' in clean
    for forbidden in [
        "<script",
        "alert(",
        "onclick",
        "onerror",
        "onmouseover",
        "<img",
        "javascript:",
        "style=",
    ]:
        assert forbidden not in clean, forbidden


def test_plain_text_becomes_paragraphs():
    text = "First paragraph,\nstill the first.\r\n\r\nSecond: 3 < 4 & fine."
    assert sanitize_rich_text(text) == (
        "<p>First paragraph,<br>still the first.</p>\n<p>Second: 3 &lt; 4 &amp; fine.</p>"
    )
    assert sanitize_rich_text("   ") == ""


def test_script_in_minutes_is_neither_stored_nor_sent(
    personas, door_council, council_members, client_for, meeting_post
):
    client = client_for(personas["door_coordinator"])
    response = client.post(
        f"/councils/{door_council.pk}/meetings/new/",
        meeting_post([], minutes="<script>alert(1)</script>" + ATTACK, agenda=ATTACK),
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    for stored in [meeting.minutes, meeting.agenda]:
        assert "<script" not in stored and "alert(" not in stored
        assert "onerror" not in stored and "onclick" not in stored
    for path in ["", "print/"]:
        page = client.get(f"/councils/meetings/{meeting.pk}/{path}").content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "alert(" not in page and "onerror" not in page and "onclick" not in page
        assert "<h2>Decisions</h2>" in page


def test_the_edit_form_shows_the_stored_html_escaped(personas, door_council, client_for):
    meeting = MeetingFactory(council=door_council, minutes="<p>Kept</p>")
    page = client_for(personas["door_coordinator"]).get(f"/councils/meetings/{meeting.pk}/edit/")
    assert "&lt;p&gt;Kept&lt;/p&gt;</textarea>" in page.content.decode()


def test_minutes_saved_in_the_django_admin_are_sanitised(personas, door_council, client_for):
    meeting = MeetingFactory(council=door_council)
    client = client_for(personas["admin"])
    response = client.post(
        f"/admin/councils/meeting/{meeting.pk}/change/",
        {
            "council": str(door_council.pk),
            "held_on": meeting.held_on.isoformat(),
            "starts_at": "",
            "location": "Room 2",
            "video_link": "",
            "agenda": "",
            "minutes": "<script>alert(1)</script><p>Fine</p>",
            "guests": "",
            "attendance-TOTAL_FORMS": "0",
            "attendance-INITIAL_FORMS": "0",
            "attendance-MIN_NUM_FORMS": "0",
            "attendance-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting.refresh_from_db()
    assert meeting.minutes == "<p>Fine</p>"
    assert meeting.version == 2
