"""Meetings: recording one with attendance, editing it safely, reading and printing it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from councils.models import Attendance, AttendanceStatus, Meeting
from psp.models import AuditAction, AuditEntry
from tests.councils.factories import (
    AttendanceFactory,
    CouncilFactory,
    CouncilMemberFactory,
    MeetingFactory,
    days_ago,
)

pytestmark = pytest.mark.django_db

PRESENT, ABSENT, EXCUSED = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
)


def marks_of(meeting: Meeting) -> dict[str, str]:
    return dict(meeting.attendance.values_list("member__name", "status"))


def test_coordinator_records_a_meeting_with_attendance(
    personas, door_council, council_members, client_for, meeting_post
):
    members = council_members
    response = client_for(personas["door_coordinator"]).post(
        f"/councils/{door_council.pk}/meetings/new/",
        meeting_post(
            [
                (members["coordinator"], PRESENT),
                (members["parent_a"], PRESENT),
                (members["parent_b"], EXCUSED),
                (members["partner"], ""),
            ],
            guests="Judge Weber (visiting)",
            agenda="Welcome\n\nUpdates",
        ),
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/councils/meetings/{meeting.pk}/"
    assert marks_of(meeting) == {
        "Vivian Grair": PRESENT,
        "Ashley Olson": PRESENT,
        "Marcus Bell": EXCUSED,
    }
    assert meeting.agenda == "<p>Welcome</p>\n<p>Updates</p>"
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="councils.meeting")
    assert entry.program_id == door_council.program_id
    assert entry.changes["attendance"] == {
        str(members["coordinator"].pk): PRESENT,
        str(members["parent_a"].pk): PRESENT,
        str(members["parent_b"].pk): EXCUSED,
    }


def test_form_lists_every_active_member_with_three_choices(
    personas, door_council, council_members, client_for
):
    CouncilMemberFactory(council=door_council, name="Left Last Year", is_active=False)
    page = client_for(personas["door_pp_coordinator"]).get(
        f"/councils/{door_council.pk}/meetings/new/"
    )
    text = page.content.decode()
    assert page.status_code == 200
    for name in ["Vivian Grair", "Ashley Olson", "Marcus Bell", "Kari Jeanquart"]:
        assert f'<legend class="fs-6 fw-semibold mb-1">{name}' in text
    assert "Left Last Year" not in text
    assert text.count('type="radio" name="attendance-0-status"') == 3


def test_attendance_cannot_be_recorded_for_a_future_meeting(
    personas, door_council, council_members, client_for, meeting_post
):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    client = client_for(personas["door_coordinator"])
    response = client.post(
        f"/councils/{door_council.pk}/meetings/new/",
        meeting_post([(council_members["parent_a"], PRESENT)], held_on=tomorrow, agenda="Plan"),
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "This meeting is in the future." in text
    assert 'href="#id_held_on"' in text
    assert f'value="{tomorrow}"' in text  # the input is kept
    assert not Meeting.objects.exists()

    # Planning the meeting without attendance is fine, and it shows as upcoming.
    response = client.post(
        f"/councils/{door_council.pk}/meetings/new/",
        meeting_post([(council_members["parent_a"], "")], held_on=tomorrow, agenda="Plan"),
    )
    assert response.status_code == 302
    council_page = client.get(f"/councils/{door_council.pk}/").content.decode()
    assert "Upcoming meetings" in council_page
    assert f"/councils/meetings/{Meeting.objects.get().pk}/" in council_page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"held_on": ""}, "held_on", "Enter the date of the meeting."),
        ({"held_on": "2026-02-31"}, "held_on", "Enter a real date"),
        ({"location": ""}, "location", "Enter where the meeting is held, or a video link."),
        ({"video_link": "not a link"}, "video_link", "Enter a full web address"),
    ],
)
def test_bad_input_is_shown_at_the_field(
    personas, door_council, council_members, client_for, meeting_post, fields, field, message
):
    response = client_for(personas["door_coordinator"]).post(
        f"/councils/{door_council.pk}/meetings/new/",
        meeting_post([(council_members["parent_a"], PRESENT)], minutes="Kept text", **fields),
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert f'href="#id_{field}"' in text
    assert "Kept text</textarea>" in text
    assert text.count(f'id="id_{field}"') == 1
    assert not Meeting.objects.exists()


def test_a_member_of_another_council_cannot_be_marked(
    personas, door_council, council_members, client_for, meeting_post, rock
):
    stranger = CouncilMemberFactory(council=CouncilFactory(program=rock))
    response = client_for(personas["door_coordinator"]).post(
        f"/councils/{door_council.pk}/meetings/new/",
        meeting_post([(council_members["parent_a"], PRESENT), (stranger, PRESENT)]),
    )
    assert response.status_code == 200
    assert "This person is not a member of the council." in response.content.decode()
    assert not Meeting.objects.exists()


def test_editing_changes_and_clears_marks(
    personas, door_council, council_members, client_for, meeting_post
):
    members = council_members
    meeting = MeetingFactory(council=door_council, held_on=days_ago(3))
    AttendanceFactory(meeting=meeting, member=members["parent_a"], status=PRESENT)
    AttendanceFactory(meeting=meeting, member=members["parent_b"], status=ABSENT)
    response = client_for(personas["door_pp_coordinator"]).post(
        f"/councils/meetings/{meeting.pk}/edit/",
        meeting_post(
            [(members["parent_a"], ""), (members["parent_b"], EXCUSED)],
            held_on=meeting.held_on.isoformat(),
            version=meeting.version,
        ),
    )
    assert response.status_code == 302
    assert marks_of(meeting) == {"Marcus Bell": EXCUSED}
    meeting.refresh_from_db()
    assert meeting.version == 2
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="councils.meeting")
    assert entry.changes["attendance"] == [
        {str(members["parent_a"].pk): PRESENT, str(members["parent_b"].pk): ABSENT},
        {str(members["parent_b"].pk): EXCUSED},
    ]


def test_two_people_editing_the_same_meeting(
    personas, door_council, council_members, client_for, meeting_post
):
    meeting = MeetingFactory(council=door_council, held_on=days_ago(3), minutes="<p>Draft</p>")
    opened = meeting.version
    day = meeting.held_on.isoformat()
    first = client_for(personas["door_coordinator"]).post(
        f"/councils/meetings/{meeting.pk}/edit/",
        meeting_post([], held_on=day, minutes="The coordinator's minutes", version=opened),
    )
    assert first.status_code == 302
    second = client_for(personas["door_pp_coordinator"]).post(
        f"/councils/meetings/{meeting.pk}/edit/",
        meeting_post([], held_on=day, minutes="The assistant's minutes", version=opened),
    )
    assert second.status_code == 200
    text = second.content.decode()
    assert "Someone else changed this record" in text
    assert "The assistant&#x27;s minutes</textarea>" in text  # their input is kept
    assert "What is saved now" in text
    assert 'name="version" value="2"' in text  # saving again is now a deliberate choice
    meeting.refresh_from_db()
    assert meeting.minutes == "<p>The coordinator's minutes</p>"


def test_a_council_member_reads_the_meeting_but_cannot_edit(personas, door_council, client_for):
    CouncilMemberFactory(council=door_council, user=personas["door_clinical"])
    meeting = MeetingFactory(council=door_council, minutes="<p>We met.</p>")
    client = client_for(personas["door_clinical"])
    page = client.get(f"/councils/meetings/{meeting.pk}/").content.decode()
    assert "We met." in page
    assert "Edit the meeting" not in page
    assert client.get(f"/councils/meetings/{meeting.pk}/edit/").status_code == 403
    assert client.get("/councils/").status_code == 200


def test_other_program_gets_404(personas, door_council, client_for):
    meeting = MeetingFactory(council=door_council)
    client = client_for(personas["rock_coordinator"])
    for path in ["", "edit/", "print/"]:
        assert client.get(f"/councils/meetings/{meeting.pk}/{path}").status_code == 404


def test_printable_page(personas, door_council, council_members, client_for):
    meeting = MeetingFactory(
        council=door_council,
        agenda="<ul><li>Welcome</li></ul>",
        minutes="<h3>Decisions</h3><p>Agreed.</p>",
    )
    AttendanceFactory(meeting=meeting, member=council_members["parent_a"])
    page = client_for(personas["state"]).get(f"/councils/meetings/{meeting.pk}/print/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "<ul><li>Welcome</li></ul>" in text and "<h3>Decisions</h3>" in text
    assert "Ashley Olson" in text
    assert 'href="/static/css/print.css" media="print"' in text
    assert "<script>" not in text and "style=" not in text
    assert "data-psp-print" in text


@pytest.mark.parametrize("rows", [3, 30])
def test_meeting_list_query_count_does_not_grow(
    personas, door_council, council_members, client_for, rows, django_assert_max_num_queries
):
    for n in range(rows):
        meeting = MeetingFactory(council=door_council, held_on=days_ago(n + 1))
        AttendanceFactory(meeting=meeting, member=council_members["parent_a"])
        AttendanceFactory(meeting=meeting, member=council_members["partner"], status=ABSENT)
    client = client_for(personas["door_coordinator"])
    with django_assert_max_num_queries(14):
        response = client.get(f"/councils/{door_council.pk}/meetings/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(rows, 25)


def test_meeting_list_filters(personas, door_council, client_for):
    past = MeetingFactory(council=door_council, held_on=days_ago(20))
    upcoming = MeetingFactory(
        council=door_council, held_on=timezone.localdate() + datetime.timedelta(days=20)
    )
    client = client_for(personas["door_coordinator"])

    def shown(**query):
        page = client.get(f"/councils/{door_council.pk}/meetings/", query).context["page"]
        return {meeting.pk for meeting in page.object_list}

    assert shown(when="upcoming") == {upcoming.pk}
    assert shown(when="past") == {past.pk}
    assert shown() == {past.pk, upcoming.pk}
    assert Attendance.objects.count() == 0
