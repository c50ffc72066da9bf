"""The council and outreach pages in the role x view matrix.

Door's Local Advisory Council has door_coordinator (staff support) and door_parent_partner (a
parent with lived experience) as members with user accounts, so the Parent Partner reads the
council as a member would; a past meeting with attendance, a proposed recommendation, a
stipend for the Parent Partner and a Door outreach event complete it.
"""

from typing import Any

from councils.models import AttendanceStatus, CouncilRole
from psp.models import Program
from tests.councils.factories import (
    AttendanceFactory,
    CouncilFactory,
    CouncilMemberFactory,
    MeetingFactory,
    OutreachEventFactory,
    RecommendationFactory,
    StipendFactory,
)
from tests.matrix import Case, everyone


def placeholders(personas: dict[str, Any], door: Program) -> dict[str, Any]:
    council = CouncilFactory(program=door)
    staff = CouncilMemberFactory(
        council=council, council_role=CouncilRole.STAFF, user=personas["door_coordinator"]
    )
    parent = CouncilMemberFactory(
        council=council, lived_experience=True, user=personas["door_parent_partner"]
    )
    meeting = MeetingFactory(council=council)
    AttendanceFactory(meeting=meeting, member=staff)
    AttendanceFactory(meeting=meeting, member=parent, status=AttendanceStatus.EXCUSED)
    recommendation = RecommendationFactory(council=council, meeting=meeting, raised_by=parent)
    stipend = StipendFactory(member=parent, meeting=meeting)
    event = OutreachEventFactory(program=door)
    return {
        "council": council.pk,
        "member": parent.pk,
        "meeting": meeting.pk,
        "recommendation": recommendation.pk,
        "stipend": stipend.pk,
        "event": event.pk,
    }


# Who sees Door's council at all: its coordinators, its members, state staff, administrators.
READERS = {
    "door_coordinator": 200,
    "door_pp_coordinator": 200,
    "door_parent_partner": 200,
    "state": 200,
    "admin": 200,
}
# Those readers who may not do a thing get 403; everybody else 404 (existence not revealed).
SEE_NOT_DO = {
    "door_pp_coordinator": 403,
    "door_parent_partner": 403,
    "state": 403,
    "admin": 403,
}


def only(**allowed: int | str) -> dict[str, int | str]:
    """Door's readers get 403 except ``allowed``; everybody else 404."""
    return everyone(404, **{**SEE_NOT_DO, **allowed})


LISTS = everyone(
    403,
    door_coordinator=200,
    door_pp_coordinator=200,
    door_parent_partner=200,
    rock_coordinator=200,
    state=200,
    admin=200,
)
# The outreach list, and its CSV: coordinators, state staff and administrators.
OUTREACH_LIST = everyone(
    403,
    door_coordinator=200,
    door_pp_coordinator=200,
    rock_coordinator=200,
    state=200,
    admin=200,
)

CASES = [
    Case("councils:list", "/councils/", LISTS),
    Case(
        "councils:create",
        "/councils/new/",
        # Door already has its council (redirect to the list); Rock and the state have none.
        everyone(403, door_coordinator=302, rock_coordinator=200, state=200),
    ),
    Case("councils:detail", "/councils/{council}/", everyone(404, **READERS)),
    Case(
        "councils:member_create",
        "/councils/{council}/members/new/",
        only(door_coordinator=200),
    ),
    Case(
        "councils:member_edit",
        "/councils/members/{member}/edit/",
        only(door_coordinator=200),
    ),
    Case("councils:meeting_list", "/councils/{council}/meetings/", everyone(404, **READERS)),
    Case(
        "councils:meeting_create",
        "/councils/{council}/meetings/new/",
        only(door_coordinator=200, door_pp_coordinator=200),
    ),
    Case("councils:meeting_detail", "/councils/meetings/{meeting}/", everyone(404, **READERS)),
    Case(
        "councils:meeting_edit",
        "/councils/meetings/{meeting}/edit/",
        only(door_coordinator=200, door_pp_coordinator=200),
    ),
    Case(
        "councils:meeting_print",
        "/councils/meetings/{meeting}/print/",
        everyone(404, **READERS),
    ),
    Case("councils:recommendation_list", "/councils/recommendations/", LISTS),
    # The CSV of the list: the same rows, for the same people.
    Case("councils:recommendation_export", "/councils/recommendations/export.csv", LISTS),
    Case(
        "councils:recommendation_create",
        "/councils/{council}/recommendations/new/",
        only(door_coordinator=200),
    ),
    Case(
        "councils:recommendation_detail",
        "/councils/recommendations/{recommendation}/",
        everyone(404, **READERS),
    ),
    Case(
        "councils:recommendation_edit",
        "/councils/recommendations/{recommendation}/edit/",
        only(door_coordinator=200),
    ),
    Case(
        "councils:recommendation_status",
        "/councils/recommendations/{recommendation}/status/",
        only(door_coordinator=302),
        method="post",
        data={"to_status": "under_review", "version": "1"},
    ),
    Case(
        "councils:stipend_list",
        "/councils/{council}/stipends/",
        # Finance data: the Program Coordinator (and administrators, read-only).
        only(door_coordinator=200, admin=200),
    ),
    Case(
        "councils:stipend_export",
        "/councils/{council}/stipends/export.csv",
        only(door_coordinator=200),
    ),
    Case(
        "councils:stipend_create",
        "/councils/{council}/stipends/new/",
        only(door_coordinator=200),
    ),
    Case(
        "councils:stipend_edit",
        "/councils/stipends/{stipend}/edit/",
        # Only those who see stipends at all learn that this one exists.
        everyone(404, door_coordinator=200, admin=403),
    ),
    Case("councils:outreach_list", "/councils/outreach/", OUTREACH_LIST),
    Case("councils:outreach_export", "/councils/outreach/export.csv", OUTREACH_LIST),
    Case(
        "councils:outreach_create",
        "/councils/outreach/new/",
        everyone(403, door_coordinator=200, door_pp_coordinator=200, rock_coordinator=200),
    ),
    Case(
        "councils:outreach_detail",
        "/councils/outreach/{event}/",
        everyone(404, door_coordinator=200, door_pp_coordinator=200, state=200, admin=200),
    ),
    Case(
        "councils:outreach_edit",
        "/councils/outreach/{event}/edit/",
        everyone(404, door_coordinator=200, door_pp_coordinator=200, state=403, admin=403),
    ),
]
