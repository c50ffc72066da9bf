"""The dashboard, role by role: a program's coordinators, state staff, Parent Partners, social
workers and clinical support; and the reads behind it (reporting.dashboards, the reminders)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentoring import selectors as mentoring_selectors
from mentoring import services as mentoring_services
from mentoring.models import (
    Activity,
    ActivityType,
    Case,
    CaseStatus,
    ClinicalSupportSession,
    ClosureOutcome,
    Present,
    ReminderKind,
    ReviewStatus,
    Stage,
    StageChange,
)
from psp.models import Program, ProgramType, Role, User
from referrals.models import DischargeReason, Referral, RemovalEpisode, Status
from reporting import dashboards, metrics
from reporting.quarters import Quarter
from tests.clock import CHICAGO
from tests.factories import MembershipFactory, ParentFactory, ProgramFactory, ReferralFactory
from tests.mentoring.factories import (
    ActivityFactory,
    ParentPartnerFactory,
    assign_case,
    profile_for,
)
from tests.plans import ON_POSTGRES, rows_read, seq_scans

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
# A chart's title: its name, then each label with its number.
CHART_TITLE_WITH_NUMBERS = re.compile(r'<title id="chart-[^"]+">[^<]*: \d[^<]*</title>')


def ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def open_case(program: Program, partner_user: Any, *, last_contact_days: float | None) -> Case:
    """An open case with the partner assigned and, unless None, one contact that long ago."""
    case = assign_case(
        ReferralFactory(family__program=program, status=Status.ACCEPTED),
        partner_user,
        opened_days_ago=60,
    )
    if last_contact_days is not None:
        ActivityFactory(case=case, at=ago(last_contact_days))
    return case


def bare_case(program: Program) -> Case:
    """An open case nobody is assigned to, opened 60 days ago and never contacted."""
    referral = ReferralFactory(family__program=program, status=Status.ACCEPTED)
    return Case.objects.create(
        referral=referral,
        program=program,
        family=referral.family,
        opened_on=timezone.localdate() - 60 * DAY,
    )


def page_for(
    client_for: Callable[[User | None], Client], user: Any, **params: Any
) -> tuple[Any, str]:
    response = client_for(user).get("/dashboard/", params)
    assert response.status_code == 200
    return response, response.content.decode()


# --- Coordinators ---------------------------------------------------------------------------


def test_coordinator_sees_each_active_parent_partners_caseload(personas, door, client_for):
    partner = profile_for(personas["door_parent_partner"], door.pk, capacity=4)
    for _ in range(2):
        open_case(door, personas["door_parent_partner"], last_contact_days=1)
    ParentPartnerFactory(program=door, stage=Stage.INACTIVE, first_name="Gone", last_name="Away")
    response, page = page_for(client_for, personas["door_coordinator"])
    [load] = response.context["program_dashboard"].caseloads
    assert (load.partner, load.open_families, load.capacity) == (partner, 2, 4)
    assert "2 of 4 families" in page
    assert (
        f'<meter class="w-100" min="0" max="4" value="2" aria-labelledby="caseload-{partner.pk}"'
        in (page)
    )
    assert "Gone Away" not in page


def test_a_closed_case_leaves_the_parent_partners_caseload(personas, door, client_for):
    user = personas["door_parent_partner"]
    cases = [open_case(door, user, last_contact_days=1) for _ in range(3)]
    case = cases[0]
    mentoring_services.case_close(
        actor=personas["door_coordinator"],
        case=case,
        expected_version=case.version,
        closed_on=timezone.localdate(),
        outcome=ClosureOutcome.REUNIFIED,
        note="",
        discharges=[],
    )
    response, page = page_for(client_for, personas["door_coordinator"])
    [load] = response.context["program_dashboard"].caseloads
    assert load.open_families == 2
    assert f"2 of {load.capacity} families" in page


def test_a_large_team_lists_those_over_capacity_first_and_links_to_all(personas, door, client_for):
    # Twelve active Parent Partners: the card lists ten, the two over capacity first even
    # though their names come last, and links to the list of every caseload.
    for index in range(10):
        ParentPartnerFactory(program=door, stage=Stage.ACTIVE, last_name=f"Adams {index:02}")
    for name in ("Young", "Zimmer"):
        user = MembershipFactory(program=door, role=Role.PARENT_PARTNER, user__last_name=name).user
        profile_for(user, door.pk, capacity=1)
        for _ in range(2):
            open_case(door, user, last_contact_days=1)
    response, page = page_for(client_for, personas["door_coordinator"])
    board = response.context["program_dashboard"]
    assert board.caseloads_total == 12
    listed = [load.partner.last_name for load in board.caseloads]
    assert listed[:2] == ["Young", "Zimmer"]
    assert len(listed) == dashboards.CASELOADS_LISTED
    assert all(load.over_capacity for load in board.caseloads[:2])
    assert "10 of 12 Parent Partners, those over capacity first:" in page
    assert "See all 12 Parent Partners’ caseloads" in page
    assert "Adams 09" not in page and "Adams 07" in page


def test_a_small_team_is_listed_whole(personas, door, client_for):
    for index in range(3):
        ParentPartnerFactory(program=door, stage=Stage.ACTIVE, last_name=f"Baker {index}")
    response, page = page_for(client_for, personas["door_coordinator"])
    assert len(response.context["program_dashboard"].caseloads) == 3
    assert "Parent Partners, those over capacity first" not in page
    assert "See all" not in page.split('id="caseloads-title"')[1].split("</section>")[0]


@pytest.mark.skipif(not ON_POSTGRES, reason="reads PostgreSQL's query plans")
def test_caseloads_read_current_assignments_not_the_ended_ones(personas, door, client_for):
    user = personas["door_parent_partner"]
    for _ in range(30):
        case = open_case(door, user, last_contact_days=None)
        case.assignments.update(ended_on=timezone.localdate())
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    for _ in range(2):
        open_case(door, user, last_contact_days=None)
    with CaptureQueriesContext(connection) as captured:
        response = client_for(personas["door_coordinator"]).get("/dashboard/")
    [load] = response.context["program_dashboard"].caseloads
    assert load.open_families == 2
    [sql] = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT")
        and 'FROM "mentoring_parentpartner"' in query["sql"]
        and '"mentoring_assignment"' in query["sql"]
    ]
    # The partner's two current families, from the index of current assignments: not the
    # thirty that ended, nor every case of the program.
    assert rows_read(sql, "mentoring_assignment") == 2
    assert rows_read(sql, "mentoring_case") <= 2


def test_over_capacity_is_said_in_words(personas, door, client_for):
    profile_for(personas["door_parent_partner"], door.pk, capacity=1)
    for _ in range(2):
        open_case(door, personas["door_parent_partner"], last_contact_days=1)
    _response, page = page_for(client_for, personas["door_coordinator"])
    assert "2 of 1 families" in page and "Over capacity" in page


def test_overdue_contacts_are_listed_by_referral_number_linking_to_the_case(
    personas, door, rock, client_for
):
    overdue = open_case(door, personas["door_parent_partner"], last_contact_days=20)
    never = open_case(door, personas["door_parent_partner"], last_contact_days=None)
    recent = open_case(door, personas["door_parent_partner"], last_contact_days=3)
    rock_case = bare_case(rock)
    response, page = page_for(client_for, personas["door_coordinator"])
    listed = [due.referral_number for due in response.context["program_dashboard"].overdue]
    assert listed == [never.referral.number, overdue.referral.number]  # longest first
    assert "2 families have had no contact in 14 days." in page
    assert f'href="/mentoring/cases/{overdue.pk}/">{overdue.referral.number}</a>' in page
    assert recent.referral.number not in page
    assert rock_case.referral.number not in page


def test_court_hearings_in_the_next_14_days(personas, door, client_for):
    today = timezone.localdate()
    soon = open_case(door, personas["door_parent_partner"], last_contact_days=1)
    later = open_case(door, personas["door_parent_partner"], last_contact_days=1)
    past = open_case(door, personas["door_parent_partner"], last_contact_days=1)
    Case.objects.filter(pk=soon.pk).update(next_court_date=today + 10 * DAY)
    Case.objects.filter(pk=later.pk).update(next_court_date=today + 15 * DAY)
    Case.objects.filter(pk=past.pk).update(next_court_date=today - DAY)
    response, page = page_for(client_for, personas["door_coordinator"])
    hearings = response.context["program_dashboard"].hearings
    assert [(due.case_id, due.day) for due in hearings] == [(soon.pk, today + 10 * DAY)]
    assert f'href="/mentoring/cases/{soon.pk}/">{soon.referral.number}</a>' in page
    assert later.referral.number not in page and past.referral.number not in page


def test_referral_queue_counts_link_to_the_filtered_list(personas, door, rock, client_for):
    for status in [Status.RECEIVED, Status.RECEIVED, Status.SCREENING, Status.ACCEPTED]:
        ReferralFactory(family__program=door, status=status)
    ReferralFactory(family__program=rock, status=Status.RECEIVED)
    _response, page = page_for(client_for, personas["door_coordinator"])
    received = f'<a href="/referrals/?status=received&amp;program={door.pk}">'
    assert f"{received}2 received, not yet screened</a>" in page
    screening = f'<a href="/referrals/?status=screening&amp;program={door.pk}">'
    assert f"{screening}1 in screening</a>" in page


def test_the_queue_link_of_one_program_lists_only_that_programs_referrals(
    personas, door, rock, client_for
):
    coordinator = personas["door_coordinator"]
    MembershipFactory(user=coordinator, program=rock, role=Role.PROGRAM_COORDINATOR)
    door_referral = ReferralFactory(family__program=door, status=Status.RECEIVED)
    rock_referral = ReferralFactory(family__program=rock, status=Status.RECEIVED)
    client = client_for(coordinator)
    page = client.get("/referrals/", {"status": "received", "program": door.pk}).content.decode()
    assert door_referral.number in page and rock_referral.number not in page
    both = client.get("/referrals/", {"status": "received"}).content.decode()
    assert door_referral.number in both and rock_referral.number in both


def test_overdue_families_link_to_the_filtered_case_list(personas, door, client_for):
    open_case(door, personas["door_parent_partner"], last_contact_days=20)
    _response, page = page_for(client_for, personas["door_coordinator"])
    assert f'href="/mentoring/cases/?attention=overdue&amp;program={door.pk}"' in page


def test_contacts_waiting_for_review(personas, door, client_for):
    case = open_case(door, personas["door_parent_partner"], last_contact_days=1)
    ActivityFactory(case=case, review_status=ReviewStatus.SIGNED_OFF)
    _response, page = page_for(client_for, personas["door_pp_coordinator"])
    assert '<a href="/mentoring/review/">1 contact waiting for review</a>' in page


def test_quarter_so_far_beside_the_previous_quarter(personas, door, client_for):
    case = open_case(door, personas["door_parent_partner"], last_contact_days=1)
    ActivityFactory(case=case, at=ago(100), duration_minutes=90)
    response, page = page_for(client_for, personas["door_coordinator"])
    board = response.context["program_dashboard"]
    quarter = Quarter.from_date(timezone.localdate())
    assert board.quarter == quarter
    now = metrics.headline(program=door, quarter=quarter)
    before = metrics.headline(program=door, quarter=quarter.previous())
    assert [(row.current, row.previous) for row in board.numbers] == [
        (now.referrals_received, before.referrals_received),
        (now.families_served, before.families_served),
        (now.contacts, before.contacts),
        (now.hours, before.hours),
        (now.reunifications, before.reunifications),
    ]
    assert f"{quarter} so far" in page and str(quarter.previous()) in page


def test_charts_are_svg_with_a_title_a_description_and_the_numbers_in_a_table(
    personas, door, client_for
):
    open_case(door, personas["door_parent_partner"], last_contact_days=0)
    response, page = page_for(client_for, personas["door_coordinator"])
    board = response.context["program_dashboard"]
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart img-fluid"') == 2
    # Each chart's name says its numbers too (its alternative text).
    assert len(CHART_TITLE_WITH_NUMBERS.findall(page)) == 2
    assert "Home visit: 1</title>" in page
    assert "Families served in each of the last 6 months" in page
    assert len(board.families_by_month) == 6
    assert board.families_by_month[-1][0] == timezone.localdate().replace(day=1)
    assert board.contacts_by_type == [("Home visit", 1)]
    assert '<th scope="row" class="fw-normal">Home visit</th><td class="text-end">1</td>' in (page)


@pytest.mark.parametrize(
    ("language", "months"),
    [
        ("en", ["Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]),
        ("es", ["jul", "ago", "sep", "oct", "nov", "dic"]),
    ],
)
def test_the_families_chart_names_the_months_in_the_readers_language(
    personas, door, client_for, language, months
):
    coordinator = personas["door_coordinator"]
    coordinator.language = language
    coordinator.save()
    with time_machine.travel(datetime.datetime(2026, 12, 15, 12, 0, tzinfo=CHICAGO), tick=False):
        response, _page = page_for(client_for, coordinator)
    chart = str(response.context["program_dashboard"].families_chart)
    axis = re.findall(r"<text[^>]*>([^<\d]+)</text>", chart)
    assert axis == months


def test_families_by_month_counts_as_the_quarterly_metric(personas, door):
    case = open_case(door, personas["door_parent_partner"], last_contact_days=1)
    for days in (40, 75, 130, 160, 200):
        ActivityFactory(case=case, at=ago(days))
    months = sorted(mentoring_selectors.month_starts(6))
    by_month = dict(dashboards.families_by_month(door, months))
    expected: dict[datetime.date, int] = {}
    for quarter in {Quarter.from_date(month) for month in by_month}:
        expected.update(metrics.family_metrics(program=door, quarter=quarter).per_month)
    assert by_month == {month: expected[month] for month in by_month}
    assert sum(by_month.values()) >= 3


def test_a_coordinator_of_two_programs_switches_between_them(
    personas, door, rock, make_member, client_for
):
    user = make_member(rock, Role.PROGRAM_COORDINATOR)
    MembershipFactory(user=user, program=door, role=Role.PROGRAM_COORDINATOR)
    rock_queue = ReferralFactory(family__program=rock, status=Status.RECEIVED)
    response, page = page_for(client_for, user)
    assert response.context["program_dashboard"].program == door  # first by name
    assert f'href="?program={rock.pk}"' in page
    assert 'aria-current="page">Door County PSP</a>' in page
    response, page = page_for(client_for, user, program=rock.pk)
    assert response.context["program_dashboard"].program == rock
    assert response.context["program_dashboard"].received == 1
    assert rock_queue.number not in page  # counts, not a list


def test_another_programs_id_shows_ones_own_program(personas, door, rock, client_for):
    door_title = 'id="program-dashboard-title">Door County PSP</h2>'
    _response, page = page_for(client_for, personas["door_coordinator"], program=rock.pk)
    assert door_title in page and "Rock County PSP" not in page
    _response, page = page_for(client_for, personas["door_coordinator"], program="x")
    assert door_title in page and "Rock County PSP" not in page


@pytest.mark.parametrize(
    "persona", ["door_parent_partner", "door_clinical", "door_social_worker", "state", "admin"]
)
def test_only_coordinators_get_a_programs_dashboard(personas, door, client_for, persona):
    response, page = page_for(client_for, personas[persona])
    assert response.context["program_dashboard"] is None
    assert "Caseloads" not in page and "Referral queue" not in page


def test_nobody_is_told_to_ask_for_a_role_when_they_have_a_dashboard(personas, client_for):
    _response, page = page_for(client_for, personas["state"])
    assert "You do not have a role in any program yet" not in page
    _response, page = page_for(client_for, personas["no_role"])
    assert "You do not have a role in any program yet" in page


# With the program's panel kept: the page's frame (session, person, second factor, the bell),
# the coordinator's programs and roles, the attention box (its cases and their count, the
# clinical-session reminder), the follow-ups box and "Your programs", and the program's
# casework version; the numbers, the data-quality count and the panel come from the cache.
KEPT_QUERIES = 17


def panel(response: Any) -> str:
    """The program's panel of a dashboard page (it holds no form)."""
    page = response.content.decode()
    start = page.index('<section class="mb-4" aria-labelledby="program-dashboard-title">')
    return page[start : page.index('<h2 class="h4">', start)]


def busy_program(program: Program, partner_user: Any, rows: int) -> None:
    """``rows`` of everything a coordinator's dashboard lists."""
    today = timezone.localdate()
    for index in range(rows):
        ParentPartnerFactory(program=program)
        case = open_case(program, partner_user, last_contact_days=20 + index)
        Case.objects.filter(pk=case.pk).update(next_court_date=today + (index % 14) * DAY)
        ActivityFactory(case=case, at=ago(index % 90 + 15), activity_type="check_in")
        ReferralFactory(family__program=program, status=Status.RECEIVED)
        ReferralFactory(family__program=program, status=Status.SCREENING)


@pytest.mark.parametrize("rows", [2, 12])
def test_coordinator_dashboard_queries_do_not_grow_with_rows(
    personas, door, client_for, rows, django_assert_max_num_queries
):
    busy_program(door, personas["door_parent_partner"], rows)
    client = client_for(personas["door_coordinator"])
    # The numbers and the data-quality count computed and cached (with the database cache,
    # each cache write is a few queries too), the second-factor check every signed-in
    # request makes, with more than 10 rows the counts of the capped lists, and the count
    # of the coordinator's own follow-ups, and the bell.
    with django_assert_max_num_queries(54):
        first = client.get("/dashboard/")
    board = first.context["program_dashboard"]
    assert (len(board.overdue), board.overdue_total) == (min(rows, 10), rows)
    assert (len(board.hearings), board.hearings_total) == (min(rows, 10), min(rows, 14))
    # Nothing changed: the program's panel is kept (its version, the numbers and the
    # data-quality count read from the cache), the rest of the page read again.
    with django_assert_max_num_queries(KEPT_QUERIES):
        again = client.get("/dashboard/")
    assert again.context["program_dashboard"] is None
    assert panel(again) == panel(first)
    # A contact logged: the panel is made again (the numbers from the cache, the lists
    # read again), and shows it.
    overdue = Case.objects.get(pk=board.overdue[0].case_id)
    ActivityFactory(case=overdue, at=ago(1), activity_type="check_in")
    with django_assert_max_num_queries(25):
        made = client.get("/dashboard/")
    board = made.context["program_dashboard"]
    assert board is not None and board.overdue_total == rows - 1


def test_a_busy_program_lists_the_first_cases_and_links_to_all_of_them(personas, door, client_for):
    busy_program(door, personas["door_parent_partner"], 12)
    response, page = page_for(client_for, personas["door_coordinator"])
    board = response.context["program_dashboard"]
    # The overdue card counts all 12, lists the 10 longest without a contact, and links to
    # the case list, which has them all.
    assert "12 families have had no contact in 14 days." in page
    assert [due.day for due in board.overdue] == sorted(due.day for due in board.overdue)
    assert len(board.overdue) == 10
    assert f'?attention=overdue&amp;program={door.pk}">See all 12 in the case list' in page
    # Hearings in the next 14 days: the 10 soonest of 12.
    assert "The first 10 of 12 hearings:" in page
    assert [due.day for due in board.hearings] == sorted(due.day for due in board.hearings)
    # Needs attention: the reminders of 10 cases, and what to open for the other 2.
    attention = response.context["attention"]
    cases = {r.url for r in attention.reminders if r.kind != ReminderKind.NO_CLINICAL_SESSION}
    assert len(cases) == 10
    assert attention.more_cases == 2
    assert "2 more cases need attention." in page
    assert 'href="/mentoring/cases/?attention=overdue"' in page
    listed = client_for(personas["door_coordinator"]).get(
        "/mentoring/cases/", {"attention": "overdue", "program": door.pk}
    )
    assert listed.context["page"].paginator.count == 12


def test_a_quiet_program_lists_everything_without_a_see_all_link(personas, door, client_for):
    busy_program(door, personas["door_parent_partner"], 3)
    response, page = page_for(client_for, personas["door_coordinator"])
    assert "3 families have had no contact in 14 days." in page
    assert "See them in the case list" in page and "See all" not in page
    assert "of 3 hearings" not in page
    assert response.context["attention"].more_cases == 0
    assert "more cases need attention" not in page


@pytest.mark.skipif(not ON_POSTGRES, reason="reads PostgreSQL's query plans")
@pytest.mark.parametrize("contacted", [5, 40])
def test_overdue_lists_read_only_the_cases_they_list(personas, door, client_for, contacted):
    """The overdue card and the reminders find the overdue cases by the case's own last
    contact day (the (program, ``contact_due_since``) index at volume): they read no contact
    at all, and the card reads only the overdue cases, not the program's closed ones (whose
    last contacts are all long past) nor those contacted lately."""
    partner = personas["door_parent_partner"]
    for _ in range(6):
        case = open_case(door, partner, last_contact_days=20)
        for days in range(21, 31):
            ActivityFactory(case=case, at=ago(days))
    for _ in range(contacted):
        open_case(door, partner, last_contact_days=2)
    for _ in range(contacted):
        closed = open_case(door, partner, last_contact_days=90)
        Case.objects.filter(pk=closed.pk).update(
            status=CaseStatus.CLOSED,
            closed_on=timezone.localdate() - 80 * DAY,
            closure_outcome="reunified",
        )
    # As at volume, where the database keeps statistics of the table (autovacuum): the
    # planner then knows few open cases are overdue, whatever earlier tests left.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mentoring_case")
    with CaptureQueriesContext(connection) as captured:
        response = client_for(personas["door_coordinator"]).get("/dashboard/")
    assert len(response.context["program_dashboard"].overdue) == 6
    reminders = response.context["attention"].reminders
    assert len([r for r in reminders if r.kind == "no_contact"]) == 6
    queries = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT")
        and 'FROM "mentoring_case"' in query["sql"]
        and 'COALESCE("mentoring_case"."last_contact_on", "mentoring_case"."opened_on")'
        in query["sql"]
    ]
    assert len(queries) == 2  # the card's and the reminders'
    for sql in queries:
        assert rows_read(sql, "mentoring_activity") == 0
        assert "mentoring_case" not in seq_scans(sql)
    card = next(sql for sql in queries if "next_court_date" not in sql.split("WHERE")[1])
    assert rows_read(card, "mentoring_case", with_left_out=True) == 6


# --- State staff ----------------------------------------------------------------------------


@pytest.fixture
def statewide_data(personas, door, rock, make_member):
    """Contacts, hours, reunifications and Parent Partners in two programs and two quarters."""
    today = timezone.localdate()
    rock_partner = make_member(rock, Role.PARENT_PARTNER)
    for program, partner in [(door, personas["door_parent_partner"]), (rock, rock_partner)]:
        for days in (0, 95):
            case = open_case(program, partner, last_contact_days=days)
            RemovalEpisode.objects.filter(child__family=case.family).update(
                removed_on=today - 300 * DAY,
                discharged_on=(timezone.localtime(ago(days))).date(),
                discharge_reason=DischargeReason.REUNIFICATION,
            )
    trainee = ParentPartnerFactory(program=door, stage=Stage.ACTIVE)
    StageChange.objects.create(
        parent_partner=trainee, from_stage=Stage.TRAINING, to_stage=Stage.ACTIVE, at=ago(1)
    )


def test_state_sees_every_program_this_quarter_and_last(
    personas, door, rock, statewide_data, client_for
):
    response, page = page_for(client_for, personas["state"])
    board = response.context["statewide"]
    today = timezone.localdate()
    current, last = board.tables
    assert current.quarter == Quarter.from_date(today) and current.in_progress
    assert last.quarter == Quarter.last_completed(today) and not last.in_progress
    for table in board.tables:
        # (profile_for leaves an empty program behind: state staff see every program.)
        assert [row.program for row in table.rows] == list(Program.objects.order_by("name"))
        for row in table.rows:
            expected = metrics.headline(program=row.program, quarter=table.quarter)
            workforce = metrics.workforce_metrics(program=row.program, quarter=table.quarter)
            assert (
                row.referrals_received,
                row.families_served,
                row.contacts,
                row.hours,
                row.reunifications,
                row.parent_partners_active,
            ) == (
                expected.referrals_received,
                expected.families_served,
                expected.contacts,
                expected.hours,
                expected.reunifications,
                workforce.parent_partners_active,
            )
        statewide = metrics.headline(program=None, quarter=table.quarter)
        assert (table.total.families_served, table.total.contacts, table.total.hours) == (
            statewide.families_served,
            statewide.contacts,
            statewide.hours,
        )
        assert table.total.reunifications == statewide.reunifications
    assert current.total.families_served == 2 and current.total.reunifications == 2
    assert "Door County PSP" in page and "Rock County PSP" in page
    assert "Parent Partners active" in page
    assert 'href="/reports/"' in page


def test_active_parent_partners_follow_the_stage_history(personas, door):
    partner = ParentPartnerFactory(program=door, stage=Stage.ACTIVE)
    StageChange.objects.create(
        parent_partner=partner, from_stage=Stage.TRAINING, to_stage=Stage.ACTIVE, at=ago(0)
    )
    last = Quarter.last_completed()
    assert dashboards.parent_partners_active(last).get(door.pk, 0) == (
        metrics.workforce_metrics(program=door, quarter=last).parent_partners_active
    )
    assert dashboards.parent_partners_active(Quarter.from_date(timezone.localdate()))[door.pk] == 1


def test_statewide_trends_over_the_last_four_completed_quarters(
    personas, statewide_data, client_for
):
    response, page = page_for(client_for, personas["state"])
    trends = response.context["statewide"].trends
    last = Quarter.last_completed()
    assert [trend.quarter for trend in trends] == [
        last.previous().previous().previous(),
        last.previous().previous(),
        last.previous(),
        last,
    ]
    for trend in trends:
        expected = metrics.headline(program=None, quarter=trend.quarter)
        assert (trend.families_served, trend.referrals_received) == (
            expected.families_served,
            expected.referrals_received,
        )
    assert "Families served statewide in each of the last 4 quarters" in page
    assert "Referrals received statewide in each of the last 4 quarters" in page
    assert len(CHART_TITLE_WITH_NUMBERS.findall(page)) == 2
    assert f'<th scope="row" class="fw-normal">{last}</th>' in page


def test_state_dashboard_shows_no_family_level_data(
    personas, door, door_referral, statewide_data, client_for
):
    named = ReferralFactory(family__program=door, members=False, number="DOOR-2099-0001")
    ParentFactory(family=named.family, first_name="Xiomara", last_name="Quintanilla")
    door_referral.family.parents.update(first_name="Zenaida", last_name="Oyelaran")
    case = assign_case(named, personas["door_parent_partner"], opened_days_ago=60)
    Case.objects.filter(pk=case.pk).update(next_court_date=timezone.localdate() + 3 * DAY)
    _response, page = page_for(client_for, personas["state"])
    assert "Quintanilla" not in page and "Xiomara" not in page
    assert "DOOR-2099-0001" not in page and door_referral.number not in page
    assert "Oyelaran" not in page and "Zenaida" not in page
    assert "/mentoring/cases/" not in page and "/referrals/" not in page
    assert "Needs attention" not in page


@pytest.mark.parametrize("programs", [1, 6])
def test_state_dashboard_queries_do_not_grow_with_programs(
    personas, client_for, programs, django_assert_max_num_queries
):
    for index in range(programs):
        program = ProgramFactory(slug=f"county-{index}", name=f"County {index} PSP")
        ReferralFactory(family__program=program)
        ParentPartnerFactory(program=program)
    client = client_for(personas["state"])
    with django_assert_max_num_queries(31):  # computed and cached, as above
        response = client.get("/dashboard/")
    assert len(response.context["statewide"].tables[0].rows) == programs + 2
    with django_assert_max_num_queries(11):  # the numbers from the cache
        response = client.get("/dashboard/")
    assert len(response.context["statewide"].tables[1].rows) == programs + 2


def test_state_sees_the_school_based_programs_work_together(at_local, personas, door, client_for):
    """Families served each month by every school-based program together (a family served
    twice in a month once, a child-welfare program's family never), at every moment of the
    clock matrix (a month's and a quarter's first day among them)."""
    today = at_local.date()
    this_month = today.replace(day=1)
    last_month = (this_month - DAY).replace(day=1)
    wausau = ProgramFactory(
        slug="wausau",
        name="Wausau Parent Peer Support",
        program_type=ProgramType.PARENT_PEER_SUPPORT,
    )
    marshfield = ProgramFactory(
        slug="marshfield",
        name="Marshfield Parent Peer Support",
        program_type=ProgramType.PARENT_PEER_SUPPORT,
    )
    door_case = open_case(door, personas["door_parent_partner"], last_contact_days=None)
    school_cases = []
    for program in (wausau, wausau, marshfield):
        partner = MembershipFactory(program=program, role=Role.PARENT_PARTNER).user
        case = assign_case(
            ReferralFactory(family__program=program, status=Status.ACCEPTED),
            partner,
            opened_days_ago=200,
        )
        school_cases.append(case)
    a, b, c = school_cases
    for case, day in [
        (a, this_month),
        (a, today),
        (b, today),  # this month: 2 families (A twice)
        (a, last_month),
        (c, last_month),
        (door_case, last_month),  # last month: 2 of them
    ]:
        ActivityFactory(case=case, occurred_on=day)
    last = Quarter.last_completed(today)
    for case, kind, present in [
        (a, ActivityType.IEP_MEETING, [Present.PARENT]),
        (b, ActivityType.PLAN_504_MEETING, [Present.OTHER]),  # without the parent
        (c, ActivityType.TRANSITION_PLANNING, [Present.PARENT, Present.OTHER]),
        (c, ActivityType.MENTAL_HEALTH_LINK, [Present.PARENT]),
        (door_case, ActivityType.IEP_MEETING, [Present.PARENT]),  # a child-welfare program's
    ]:
        ActivityFactory(case=case, activity_type=kind, present=present, occurred_on=last.end)

    response, page = page_for(client_for, personas["state"])
    school = response.context["statewide"].school
    months = dict(school.families_by_month)
    assert list(months) == sorted(mentoring_selectors.month_starts(6, today))
    assert months[this_month] == 2
    # Last quarter's last day is in last month when this one is a quarter's first.
    assert months[last_month] == 2 + (last.end >= last_month)
    assert school.programs == 2
    completed = [count for month, count in school.families_by_month if month != this_month]
    assert school.monthly_average == round(sum(completed) / 5)
    assert school.quarter == last
    assert school.school.meetings_with_parent == 2  # A's IEP, C's transition planning
    assert school.school.families_at_meetings == 2
    assert school.school.families_connected == 1
    assert school.school.families_planning_a_move == 1
    assert "School-based Parent Peer Support" in page
    assert "The work of the state’s 2 school-based programs together." in page
    assert "Families served by the school-based programs in each of the last 6 months" in page
    assert len(CHART_TITLE_WITH_NUMBERS.findall(page)) == 3
    # Reunification is not a school-based program's measure: its cell says so.
    assert page.count("Does not apply to a school-based program") == 4  # 2 programs, 2 quarters


def test_without_a_school_based_program_the_state_sees_no_school_panel(
    personas, statewide_data, client_for
):
    response, page = page_for(client_for, personas["state"])
    assert response.context["statewide"].school is None
    assert "School-based Parent Peer Support" not in page
    assert "Does not apply to a school-based program" not in page


# --- Parent Partners, social workers, clinical support, administrators ----------------------


def test_parent_partner_gets_a_link_to_my_families_and_what_needs_attention(
    personas, door, client_for
):
    open_case(door, personas["door_parent_partner"], last_contact_days=20)
    _response, page = page_for(client_for, personas["door_parent_partner"])
    assert 'href="/mentoring/"' in page and "Open my families" in page
    assert "Needs attention" in page and "no contact in 14 days" in page


def test_social_worker_sees_the_referrals_they_made_with_status(
    personas, door, door_referral, make_member, client_for
):
    colleague = make_member(door, Role.SOCIAL_WORKER)
    theirs = ReferralFactory(family__program=door, referred_by=colleague)
    Referral.objects.filter(pk=door_referral.pk).update(status=Status.SCREENING)
    response, page = page_for(client_for, personas["door_social_worker"])
    assert list(response.context["my_referrals"]) == [door_referral]
    assert f'href="/referrals/{door_referral.pk}/">{door_referral.number}</a>' in page
    assert "Screening" in page
    assert theirs.number not in page
    assert '<a class="btn btn-primary btn-lg" href="/referrals/new/">' in page


def test_social_worker_without_referrals_is_told_what_to_do(personas, door, client_for):
    _response, page = page_for(client_for, personas["door_social_worker"])
    assert "You have not referred a family yet." in page


def test_clinical_support_sees_whether_this_months_session_is_recorded(
    personas, door, door_referral, client_for
):
    _response, page = page_for(client_for, personas["door_clinical"])
    assert "this month's session is not recorded yet." in page
    assert f'href="/mentoring/clinical-support/?program={door.pk}"' in page
    ClinicalSupportSession.objects.create(program=door, held_on=timezone.localdate())
    _response, page = page_for(client_for, personas["door_clinical"])
    assert "this month's session is recorded." in page
    assert door_referral.number not in page and "Needs attention" not in page


def test_administrator_keeps_the_list_of_all_programs(personas, door, rock, client_for):
    response, _page = page_for(client_for, personas["admin"])
    assert response.context["statewide"] is None
    assert list(response.context["all_programs"]) == [door, rock]


# --- Reminders, read by the database --------------------------------------------------------


def test_overdue_cases_agree_with_is_overdue_at_the_edges(personas, door):
    partner = personas["door_parent_partner"]
    today = timezone.localdate()
    cases = {days: open_case(door, partner, last_contact_days=None) for days in (13, 14, 15, 40)}
    for days, case in cases.items():
        ActivityFactory(case=case, occurred_on=today - days * DAY, occurred_time=None)
    never = {}
    for days in (13, 14, 15):  # never contacted, opened that many days ago
        never[days] = open_case(door, partner, last_contact_days=None)
        Case.objects.filter(pk=never[days].pk).update(opened_on=today - days * DAY)
    Case.objects.filter(pk=cases[40].pk).update(status=CaseStatus.CLOSED)
    for shift in (-1, 0, 1, 2):
        day = today + shift * DAY
        found = {case.pk for case in mentoring_selectors.overdue_cases(Case.objects.all(), day)}
        expected = {
            case.pk
            for case in mentoring_selectors.cases_for_all()
            if mentoring_selectors.is_overdue(case, day)
        }
        assert found == expected, shift
    # 14 days without a contact, today included, is overdue; 13 is not.
    found = {case.pk for case in mentoring_selectors.overdue_cases(Case.objects.all(), today)}
    assert found == {cases[14].pk, cases[15].pk, never[14].pk, never[15].pk}


def test_reminders_are_the_same_as_over_every_open_case(personas, door):
    partner = personas["door_parent_partner"]
    today = timezone.localdate()
    for days, court in [(1, 3), (20, None), (2, None), (None, 8), (16, 7), (5, -1)]:
        case = open_case(door, partner, last_contact_days=days)
        if court is not None:
            Case.objects.filter(pk=case.pk).update(next_court_date=today + court * DAY)
    for user in (personas["door_coordinator"], partner, personas["door_pp_coordinator"]):
        for shift in range(-3, 20, 2):
            day = today + shift * DAY
            open_cases = list(
                mentoring_selectors.cases_for_user(user).filter(status=CaseStatus.OPEN)
            )
            expected = mentoring_selectors.reminders_for_cases(open_cases, day)
            got = [
                reminder
                for reminder in mentoring_selectors.attention_for(user, day)
                if reminder.kind != "no_clinical_session"
            ]
            assert got == expected, (user, shift)


def test_reminders_read_only_the_cases_that_need_one(personas, door, monkeypatch):
    for _ in range(5):
        open_case(door, personas["door_parent_partner"], last_contact_days=1)
    due = open_case(door, personas["door_parent_partner"], last_contact_days=30)
    read: list[Case] = []
    real = mentoring_selectors.reminders_for_cases

    def spy(cases: list[Case], today: datetime.date | None = None) -> Any:
        read.extend(cases)
        return real(cases, today)

    monkeypatch.setattr(mentoring_selectors, "reminders_for_cases", spy)
    reminders = mentoring_selectors.attention_for(personas["door_pp_coordinator"])
    assert read == [due]
    assert [reminder.url for reminder in reminders] == [f"/mentoring/cases/{due.pk}/"]
    assert Activity.objects.count() == 6


# --- The numbers are cached by program, never by user ---------------------------------------


def test_numbers_are_shared_by_a_programs_coordinators_and_lists_stay_fresh(
    personas, door, client_for
):
    case = open_case(door, personas["door_parent_partner"], last_contact_days=0)
    response, page = page_for(client_for, personas["door_coordinator"])
    first = response.context["program_dashboard"]
    assert "Numbers as of" in page
    ActivityFactory(case=case, at=ago(0))
    late = open_case(door, personas["door_parent_partner"], last_contact_days=30)
    response, _page = page_for(client_for, personas["door_pp_coordinator"])
    board = response.context["program_dashboard"]
    assert board.numbers == first.numbers  # cached: the new contacts wait for the refresh
    assert board.numbers_as_of == first.numbers_as_of
    assert [due.case_id for due in board.overdue] == [late.pk]  # read fresh
    cache.clear()
    response, _page = page_for(client_for, personas["door_coordinator"])
    assert response.context["program_dashboard"].numbers != first.numbers


def test_the_scheduled_refresh_computes_the_numbers_before_anybody_asks(
    personas, door, rock, client_for, django_assert_max_num_queries
):
    from django.conf import settings

    from reporting.tasks import refresh_dashboard_numbers

    # Beat runs it more often than the numbers expire, so a visitor finds them computed.
    schedule = settings.CELERY_BEAT_SCHEDULE["reporting-refresh-dashboard-numbers"]
    assert schedule["task"] == "reporting.refresh_dashboard_numbers"
    assert isinstance(every := schedule["schedule"], int)
    assert every < dashboards.NUMBERS_CACHE_SECONDS
    case = open_case(door, personas["door_parent_partner"], last_contact_days=0)
    assert refresh_dashboard_numbers() == Program.objects.filter(is_active=True).count()
    before = client_for(personas["door_coordinator"])
    with django_assert_max_num_queries(26):  # nothing computed: the lists and the page
        response = before.get("/dashboard/")
    served = {row.label: row.current for row in response.context["program_dashboard"].numbers}
    assert served["Families served"] == 1
    # A second family is served; the next refresh counts it, without waiting for expiry.
    ActivityFactory(case=open_case(door, personas["door_parent_partner"], last_contact_days=None))
    refresh_dashboard_numbers()
    response, _page = page_for(client_for, personas["door_pp_coordinator"])
    served = {row.label: row.current for row in response.context["program_dashboard"].numbers}
    assert served["Families served"] == 2
    assert case.program == door and rock.is_active


def test_the_scheduled_refresh_leaves_settled_quarters_until_their_hour_is_nearly_up(
    personas, door, django_assert_max_num_queries
):
    """Every few minutes the refresh recomputes this quarter's numbers only; the completed
    quarters and past months, once they near their hour, so a visitor never waits for them
    and the worker does not recount a decade every few minutes."""
    from reporting.tasks import refresh_dashboard_numbers

    open_case(door, personas["door_parent_partner"], last_contact_days=0)
    # Noon, so that the hour after it is the same day at any hour the test runs.
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(12)))
    with time_machine.travel(start, tick=False), django_assert_max_num_queries(200) as first:
        refresh_dashboard_numbers()
    soon_after = start + datetime.timedelta(minutes=4)
    with time_machine.travel(soon_after, tick=False), django_assert_max_num_queries(200) as soon:
        refresh_dashboard_numbers()
    assert len(soon) < len(first)
    late = start + datetime.timedelta(
        seconds=dashboards.SETTLED_CACHE_SECONDS - dashboards.SETTLED_MARGIN_SECONDS + 60
    )
    with time_machine.travel(late, tick=False), django_assert_max_num_queries(200) as nearly_up:
        refresh_dashboard_numbers()
    assert len(nearly_up) == len(first)
    # What was left is what a visitor is shown: the same as counted afresh.
    today = timezone.localdate()
    kept = dashboards.program_numbers(door, today)
    afresh = dashboards.program_numbers(door, today, refresh=True)
    assert (kept.previous, kept.families_by_month) == (afresh.previous, afresh.families_by_month)


def test_each_program_has_its_own_numbers(personas, door, rock, client_for):
    open_case(door, personas["door_parent_partner"], last_contact_days=0)
    response, _page = page_for(client_for, personas["door_coordinator"])
    door_numbers = response.context["program_dashboard"].numbers
    response, _page = page_for(client_for, personas["rock_coordinator"])
    assert response.context["program_dashboard"].program == rock
    assert response.context["program_dashboard"].numbers != door_numbers
    assert all(row.current == 0 for row in response.context["program_dashboard"].numbers)


def test_policy_gives_a_programs_dashboard_to_its_coordinators_and_the_states_to_state_staff(
    personas, door, rock
):
    from psp import policy

    for persona, program_dashboard, statewide in [
        ("door_coordinator", True, False),
        ("door_pp_coordinator", True, False),
        ("door_parent_partner", False, False),
        ("door_clinical", False, False),
        ("door_social_worker", False, False),
        ("rock_coordinator", False, False),
        ("state", False, True),
        ("admin", False, False),
        ("no_role", False, False),
    ]:
        user = personas[persona]
        assert policy.can(user, "dashboard.program", door) is program_dashboard, persona
        assert policy.can(user, "dashboard.statewide") is statewide, persona
    assert policy.can(personas["rock_coordinator"], "dashboard.program", rock)
    assert not policy.can(AnonymousUser(), "dashboard.statewide")


def test_overdue_families_are_counted_in_whole_local_days_at_any_hour(
    at_local, personas, door, client_for
):
    today = at_local.date()

    def contacted(days_ago: int, hour: int, minute: int) -> Case:
        case = open_case(door, personas["door_parent_partner"], last_contact_days=None)
        day = today - days_ago * DAY
        moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=CHICAGO)
        ActivityFactory(case=case, at=moment)
        return case

    recent = contacted(13, 0, 5)  # 13 local days: not yet
    overdue = contacted(14, 23, 50)  # 14 local days, though 13 in UTC dates
    response, page = page_for(client_for, personas["door_coordinator"])
    listed = [due.referral_number for due in response.context["program_dashboard"].overdue]
    assert listed == [overdue.referral.number]
    assert "1 family has had no contact in 14 days." in page
    assert recent.referral.number not in page
    home = client_for(personas["door_parent_partner"]).get("/mentoring/").content.decode()
    assert home.count("no contact in 14 days") == 1


@pytest.mark.skipif(not ON_POSTGRES, reason="reads PostgreSQL's query plans")
def test_the_overdue_list_reads_the_referrals_of_the_cases_it_shows_only(
    personas, door, client_for
):
    """The referral number is read for the ten cases listed, not joined to every overdue
    case first: PostgreSQL, misjudging how many open cases are overdue, read every referral
    of the state to make that join (10 to 48 ms at ten years of data)."""
    for _ in range(dashboards.LISTED + 4):
        open_case(door, personas["door_parent_partner"], last_contact_days=20)
    with CaptureQueriesContext(connection) as captured:
        response = client_for(personas["door_coordinator"]).get("/dashboard/")
    assert len(response.context["program_dashboard"].overdue) == dashboards.LISTED
    [sql] = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith('SELECT "mentoring_case"."id" AS "pk"')
        and '"latest_contact"' in query["sql"]
    ]
    assert rows_read(sql, "referrals_referral") <= dashboards.LISTED + 1
