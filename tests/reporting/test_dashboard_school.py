"""A school-based program's coordinator dashboard speaks of its own work: the children moving
to a new school after this school year where a child-welfare program lists court hearings,
and no reunifications among its numbers (``reporting.dashboards.program_dashboard``)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentoring.models import Case, CaseStatus
from psp.models import Program, ProgramType, Role
from referrals import schooling
from referrals.models import Status
from tests.factories import ChildFactory, MembershipFactory, ProgramFactory, ReferralFactory
from tests.mentoring.factories import assign_case
from tests.psp.test_dashboard import open_case, panel

pytestmark = pytest.mark.django_db


@pytest.fixture
def wausau() -> Program:
    return ProgramFactory(
        slug="wausau",
        name="Wausau Parent Peer Support",
        program_type=ProgramType.PARENT_PEER_SUPPORT,
    )


def school_case(program: Program, *grades: tuple[int, int]) -> Case:
    """An open case of ``program`` whose family's children were given each (grade, so many
    school years ago)."""
    partner = MembershipFactory(program=program, role=Role.PARENT_PARTNER).user
    case = assign_case(
        ReferralFactory(family__program=program, status=Status.ACCEPTED),
        partner,
        opened_days_ago=60,
    )
    this_year = schooling.school_year()
    for grade, years_ago in grades:
        ChildFactory(
            family=case.family, grade=grade, grade_school_year=this_year - years_ago, episode=False
        )
    return case


def test_a_school_programs_panel_lists_the_children_moving_school(
    at_local, personas, door, wausau, client_for
):
    """Counted by hand at every moment of the clock matrix (July 1 at 00:30, when every grade
    moves on, among them): a grade is the one given plus a year for each school year since."""
    coordinator = MembershipFactory(program=wausau, role=Role.PROGRAM_COORDINATOR).user
    fifth = school_case(wausau, (5, 0), (3, 0))  # in grade 5 now: moves to middle school
    fourth_last_year = school_case(wausau, (4, 1))  # grade 4 last year, grade 5 now
    leaving = school_case(wausau, (12, 0), (-1, 0))  # high school to adult life; 4K: both
    school_case(wausau, (12, 1))  # grade 12 last school year: has left school
    school_case(wausau, (7, 0))  # grade 7: no move this year
    closed = school_case(wausau, (8, 0))
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)
    door_case = open_case(door, personas["door_parent_partner"], last_contact_days=3)
    ChildFactory(family=door_case.family, grade=5, episode=False)  # another program's

    response = client_for(coordinator).get("/dashboard/")
    assert response.status_code == 200
    board = response.context["program_dashboard"]
    moving = [(row.case_id, row.transition) for row in board.moving]
    assert moving == [
        (leaving.pk, "From early childhood to elementary school"),
        (fifth.pk, "From elementary to middle school"),
        (fourth_last_year.pk, "From elementary to middle school"),
        (leaving.pk, "From high school to adult life"),
    ]
    assert board.moving_total == 4
    shown = panel(response)
    assert "4 children move to a new school." in shown
    assert f"{fifth.referral.number}</a>: from elementary to middle school" in shown
    assert door_case.referral.number not in shown
    # Child welfare's measures are not a school program's.
    assert "Court hearing" not in shown and "Reunifications" not in shown


def test_a_child_welfare_programs_panel_keeps_its_hearings(personas, door, client_for):
    response = client_for(personas["door_coordinator"]).get("/dashboard/")
    shown = panel(response)
    assert "Court hearings in the next 14 days" in shown and "Reunifications" in shown
    assert "Moving to a new school" not in shown


def test_the_moving_list_is_ten_long_and_counts_the_rest(wausau, client_for):
    coordinator = MembershipFactory(program=wausau, role=Role.PROGRAM_COORDINATOR).user
    for _ in range(12):
        school_case(wausau, (8, 0))
    client = client_for(coordinator)
    response = client.get("/dashboard/")
    board = response.context["program_dashboard"]
    assert len(board.moving) == 10 and board.moving_total == 12
    assert "The first 10 of 12:" in panel(response)


def test_without_children_moving_the_card_says_so(wausau, client_for):
    coordinator = MembershipFactory(program=wausau, role=Role.PROGRAM_COORDINATOR).user
    school_case(wausau, (2, 0))
    shown = panel(client_for(coordinator).get("/dashboard/"))
    assert "No child of an open case moves to a new school after this school year." in shown


def test_the_moving_list_costs_the_same_queries_however_many_children(wausau, client_for):
    coordinator = MembershipFactory(program=wausau, role=Role.PROGRAM_COORDINATOR).user
    client = client_for(coordinator)
    client.get("/dashboard/")  # the numbers cached, as they are for every visit after
    counted = []
    for _ in range(2):
        for _ in range(12):  # more than a card lists, each time
            school_case(wausau, (5, 0), (8, 0))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/dashboard/").context["program_dashboard"] is not None
        counted.append(len(queries))
    assert counted[0] == counted[1]


def test_needs_attention_leads_to_no_court_hearings_in_a_school_program(wausau, client_for):
    """More cases need attention than the box lists: it leads to them in the case list, but
    not to court hearings, which a school-based program has none of."""
    from mentoring.selectors import ATTENTION_CASES

    coordinator = MembershipFactory(program=wausau, role=Role.PROGRAM_COORDINATOR).user
    for _ in range(ATTENTION_CASES + 2):
        school_case(wausau, (2, 0))  # opened 60 days ago, never contacted
    page = client_for(coordinator).get("/dashboard/").content.decode()
    assert "Cases with no contact in 14 days" in page
    assert "Court hearings in the next 7 days" not in page


def test_needs_attention_leads_to_court_hearings_in_a_child_welfare_program(
    personas, door, client_for
):
    from mentoring.selectors import ATTENTION_CASES

    for _ in range(ATTENTION_CASES + 2):
        open_case(door, personas["door_parent_partner"], last_contact_days=None)
    page = client_for(personas["door_coordinator"]).get("/dashboard/").content.decode()
    assert "Cases with no contact in 14 days" in page
    assert "?attention=hearing" in page and "Court hearings in the next 7 days" in page
