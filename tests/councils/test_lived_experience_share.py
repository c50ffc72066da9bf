"""The lived-experience share: of the members present, how many have lived experience.

Numbers are worked out by hand below; the selectors compute them with database aggregates.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from councils import selectors
from councils.models import AttendanceStatus
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


@pytest.fixture
def council_with_attendance(door_council):
    """Three meetings; A, B and E have lived experience, C and D do not.

    - 10 days ago: A, B, C present; D excused; E absent   -> 2 of 3 present (67%)
    - 40 days ago: A, C, D, E present                    -> 2 of 4 present (50%)
    - 400 days ago: B, E present; C absent               -> 2 of 2 present (100%)
    """
    lived = {"A": True, "B": True, "C": False, "D": False, "E": True}
    members = {
        name: CouncilMemberFactory(council=door_council, name=name, lived_experience=flag)
        for name, flag in lived.items()
    }
    plan = {
        10: {"A": PRESENT, "B": PRESENT, "C": PRESENT, "D": EXCUSED, "E": ABSENT},
        40: {"A": PRESENT, "C": PRESENT, "D": PRESENT, "E": PRESENT},
        400: {"B": PRESENT, "E": PRESENT, "C": ABSENT},
    }
    meetings = {}
    for days, marks in plan.items():
        meeting = MeetingFactory(council=door_council, held_on=days_ago(days))
        for name, status in marks.items():
            AttendanceFactory(meeting=meeting, member=members[name], status=status)
        meetings[days] = meeting
    return meetings


def test_share_for_one_meeting(council_with_attendance):
    share = selectors.meeting_lived_experience_share(council_with_attendance[10])
    assert (share.present, share.lived_experience, share.percent) == (3, 2, 67)
    share = selectors.meeting_lived_experience_share(council_with_attendance[40])
    assert (share.present, share.lived_experience, share.percent) == (4, 2, 50)


def test_share_for_a_council_over_a_period_counts_every_attendance(
    door_council, council_with_attendance, rock
):
    # Another council's attendance never counts.
    other = MeetingFactory(council=CouncilFactory(program=rock), held_on=days_ago(5))
    AttendanceFactory(meeting=other, member__lived_experience=True)

    today = timezone.localdate()
    last_year = selectors.council_lived_experience_share(
        door_council, start=today - datetime.timedelta(days=365), end=today
    )
    # 3 + 4 present, 2 + 2 of them with lived experience: 4 / 7 = 57%.
    assert (last_year.present, last_year.lived_experience, last_year.percent) == (7, 4, 57)
    all_time = selectors.council_lived_experience_share(door_council)
    # 3 + 4 + 2 present, 2 + 2 + 2 with lived experience: 6 / 9 = 67%.
    assert (all_time.present, all_time.lived_experience, all_time.percent) == (9, 6, 67)


def test_no_one_present_means_no_share_rather_than_zero(door_council):
    meeting = MeetingFactory(council=door_council)
    AttendanceFactory(meeting=meeting, status=ABSENT, member__lived_experience=True)
    share = selectors.meeting_lived_experience_share(meeting)
    assert (share.present, share.lived_experience, share.percent) == (0, 0, None)


def test_share_is_one_query(door_council, council_with_attendance, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.council_lived_experience_share(door_council)


def test_meeting_list_rows_carry_the_counts(door_council, council_with_attendance):
    rows = {meeting.pk: meeting for meeting in selectors.meetings_for_council(door_council)}
    first = rows[council_with_attendance[10].pk]
    assert (first.present_count, first.lived_experience_count) == (3, 2)
    assert (first.excused_count, first.absent_count) == (1, 1)


def test_pages_show_the_share(personas, council_with_attendance, door_council, client_for):
    client = client_for(personas["door_coordinator"])
    meeting_page = client.get(f"/councils/meetings/{council_with_attendance[10].pk}/")
    assert "3 present, 2 with lived experience (67%)." in meeting_page.content.decode()
    council_page = client.get(f"/councils/{door_council.pk}/").content.decode()
    assert "57%" in council_page and "4 of 7 attendances" in council_page
