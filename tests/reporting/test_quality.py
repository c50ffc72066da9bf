"""The data-quality panel (``reporting.quality``, ``/reports/quality/``): each check at its
edges, the links that fix what it finds, who sees what, and a query count that does not grow.

The quarter checked is 2026 Q3 (1 July to 30 September); the clock is held at 5 October 2026,
10:00 Central, so Q3 is the last quarter that ended (the page's default) whatever clock the
suite runs with.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import formats
from pytest_django import DjangoAssertNumQueries

from mentoring import services as mentoring_services
from mentoring.models import (
    Case,
    CaseStatus,
    ClosureOutcome,
    ReviewStatus,
    SurveyResponse,
    SurveyTiming,
)
from psp.models import AuditEntry, Program, User
from referrals.models import (
    DischargeReason,
    Parent,
    RaceEthnicity,
    Referral,
    RemovalEpisode,
    Status,
)
from reporting import quality
from reporting.quarters import Quarter
from tests.clock import CHICAGO
from tests.factories import FamilyFactory, ParentFactory, ReferralFactory
from tests.mentoring.factories import ActivityFactory, assign_case
from tests.plans import ON_POSTGRES, rows_read

Q3 = Quarter(2026, 3)
NOW = datetime.datetime(2026, 10, 5, 10, 0, tzinfo=CHICAGO)
TODAY = NOW.date()
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _october() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _decision_days(settings: Any) -> None:
    settings.PSP_DECISION_DAYS = 14


def scope(program: Program, quarter: Quarter = Q3) -> quality.Scope:
    return quality.Scope(program=program, quarter=quarter, today=TODAY)


def numbers(user: User, program: Program, key: str, quarter: Quarter = Q3) -> list[str]:
    """The referral numbers a check lists for ``user``, and the count agrees with them."""
    checks = {c.key: c for c in quality.panel(user, scope(program, quarter), with_rows=True)}
    assert quality.counts(scope(program, quarter))[key] == checks[key].count
    return [row.number for row in checks[key].rows]


def referral(program: Program, **fields: Any) -> Referral:
    return ReferralFactory(family=FamilyFactory(program=program), **fields)


def case(program: Program, partner: User, opened_on: datetime.date, **closing: Any) -> Case:
    """A case opened on ``opened_on`` with its intake survey; closed when ``closing`` gives
    ``closed_on`` (with the outcome and the closing survey unless told otherwise)."""
    made = assign_case(
        referral(program, received_on=opened_on - 3 * DAY),
        partner,
        opened_days_ago=(TODAY - opened_on).days,
    )
    survey(made, SurveyTiming.INTAKE)
    # The factory's child has been in care since 40 days before "today": out of the way here.
    RemovalEpisode.objects.filter(child__family=made.family).update(
        removed_on=opened_on - 60 * DAY,
        discharged_on=opened_on - 50 * DAY,
        discharge_reason=DischargeReason.REUNIFICATION,
    )
    if closing:
        outcome = closing.get("outcome", ClosureOutcome.GOALS_MET)
        Case.objects.filter(pk=made.pk).update(
            status=CaseStatus.CLOSED, closed_on=closing["closed_on"], closure_outcome=outcome
        )
        if closing.get("survey", True):
            survey(made, SurveyTiming.CLOSURE)
        made.refresh_from_db()
    return made


def survey(of: Case, timing: str) -> SurveyResponse:
    return SurveyResponse.objects.create(
        case=of,
        instrument=mentoring_services.default_survey_instrument(),
        timing=timing,
        answered_on=of.opened_on,
        score=3,
    )


@pytest.fixture
def partner(personas: dict[str, Any]) -> User:
    return personas["door_parent_partner"]


# --- Each check at its edges ----------------------------------------------------------------


def test_referral_waiting_exactly_the_allowed_days_is_not_listed_one_more_is(
    door: Program, personas: dict[str, Any]
) -> None:
    coordinator = personas["door_coordinator"]
    on_time = referral(door, number="ON-TIME", received_on=Q3.end - 14 * DAY)
    late = referral(door, number="LATE", status=Status.SCREENING, received_on=Q3.end - 15 * DAY)
    referral(door, number="DECIDED", status=Status.DECLINED, received_on=Q3.start)
    referral(door, number="AFTER", received_on=Q3.end + DAY)
    assert numbers(coordinator, door, "undecided_referrals") == ["LATE"]
    # Deciding takes it off the list.
    Referral.objects.filter(pk=late.pk).update(status=Status.ACCEPTED)
    assert numbers(coordinator, door, "undecided_referrals") == []
    # The quarter under way counts the days to today (5 October).
    assert on_time.received_on == datetime.date(2026, 9, 16)
    assert numbers(coordinator, door, "undecided_referrals", Q3.next()) == ["ON-TIME"]


def test_contacts_of_the_quarter_waiting_for_review(
    door: Program, personas: dict[str, Any], partner: User
) -> None:
    coordinator = personas["door_coordinator"]
    made = case(door, partner, Q3.start - 10 * DAY)
    ActivityFactory(case=made, occurred_on=Q3.end)  # waiting, the quarter's last day
    ActivityFactory(case=made, occurred_on=Q3.end, review_status=ReviewStatus.SIGNED_OFF)
    ActivityFactory(case=made, occurred_on=Q3.end, review_status=ReviewStatus.SENT_BACK)
    ActivityFactory(case=made, occurred_on=Q3.end + DAY)  # waiting, but next quarter
    ActivityFactory(case=made, occurred_on=Q3.start - DAY)  # waiting, the quarter before
    assert numbers(coordinator, door, "contacts_waiting") == [made.referral.number]


def test_case_closed_on_the_quarters_last_day_at_23_30(
    door: Program, personas: dict[str, Any], partner: User
) -> None:
    coordinator = personas["door_coordinator"]
    late_evening = datetime.datetime(2026, 9, 30, 23, 30, tzinfo=CHICAGO)
    with time_machine.travel(late_evening, tick=False):
        made = assign_case(referral(door), partner, opened_days_ago=20)
        survey(made, SurveyTiming.INTAKE)
        RemovalEpisode.objects.filter(child__family=made.family).delete()
        mentoring_services.case_close(
            actor=coordinator,
            case=made,
            expected_version=made.version,
            closed_on=datetime.date(2026, 9, 30),
            outcome=ClosureOutcome.REUNIFIED,
            note="",
            discharges=[],
        )
    made.refresh_from_db()
    assert made.closed_on == Q3.end
    assert numbers(coordinator, door, "no_closure_survey") == [made.referral.number]
    assert numbers(coordinator, door, "no_closure_survey", Q3.next()) == []
    survey(made, SurveyTiming.CLOSURE)
    assert numbers(coordinator, door, "no_closure_survey") == []


def test_closed_without_outcome_and_new_cases_without_intake_survey(
    door: Program, personas: dict[str, Any], partner: User
) -> None:
    coordinator = personas["door_coordinator"]
    no_outcome = case(door, partner, Q3.start - 30 * DAY, closed_on=Q3.start, outcome="")
    case(door, partner, Q3.start - 30 * DAY, closed_on=Q3.start - DAY, outcome="")  # Q2
    new = case(door, partner, Q3.start)
    SurveyResponse.objects.filter(case=new).delete()
    before = case(door, partner, Q3.start - DAY)
    SurveyResponse.objects.filter(case=before).delete()
    assert numbers(coordinator, door, "closed_without_outcome") == [no_outcome.referral.number]
    assert numbers(coordinator, door, "no_intake_survey") == [new.referral.number]


def test_a_closed_case_without_an_outcome_gets_one_on_the_page_the_panel_links_to(
    door: Program,
    personas: dict[str, Any],
    partner: User,
    client_for: Callable[[User | None], Client],
) -> None:
    no_outcome = case(door, partner, Q3.start - 30 * DAY, closed_on=Q3.start, outcome="")
    client = client_for(personas["door_coordinator"])
    panel = page(client, "?program=door&quarter=2026-3")
    edit = f"/mentoring/cases/{no_outcome.pk}/edit/"
    assert f'href="{edit}"' in panel
    form = client.get(edit).content.decode()
    assert "How the case ended" in form
    refused = client.post(
        edit, {"version": str(no_outcome.version), "permanency_goal": "reunification"}
    )
    assert "Choose how the case ended." in refused.content.decode()
    saved = client.post(
        edit,
        {
            "version": str(no_outcome.version),
            "permanency_goal": "reunification",
            "closure_outcome": ClosureOutcome.REUNIFIED,
        },
    )
    assert saved.status_code == 302
    no_outcome.refresh_from_db()
    assert no_outcome.closure_outcome == ClosureOutcome.REUNIFIED
    assert numbers(personas["door_coordinator"], door, "closed_without_outcome") == []


def test_children_still_in_care_after_the_case_closed(
    door: Program, personas: dict[str, Any], partner: User
) -> None:
    coordinator = personas["door_coordinator"]
    closed = case(door, partner, Q3.start - 30 * DAY, closed_on=Q3.start + 5 * DAY)
    episode = RemovalEpisode.objects.create(
        child=closed.family.children.get(), removed_on=Q3.start - 100 * DAY
    )
    # Another family: its case closed, but it has an open one again (re-referred).
    reopened = case(door, partner, Q3.start - 30 * DAY, closed_on=Q3.start + 5 * DAY)
    RemovalEpisode.objects.create(
        child=reopened.family.children.get(), removed_on=Q3.start - 100 * DAY
    )
    again = ReferralFactory(family=reopened.family, members=False)
    assign_case(again, partner, opened_days_ago=10)
    # A child removed after the case closed is not the closing's gap.
    later = case(door, partner, Q3.start - 30 * DAY, closed_on=Q3.start + 5 * DAY)
    RemovalEpisode.objects.create(child=later.family.children.get(), removed_on=Q3.end)
    assert numbers(coordinator, door, "in_care_after_closing") == [closed.referral.number]
    RemovalEpisode.objects.filter(pk=episode.pk).update(
        discharged_on=Q3.start + 5 * DAY, discharge_reason="reunification"
    )
    assert numbers(coordinator, door, "in_care_after_closing") == []


def test_families_served_whose_first_parent_has_no_race_or_ethnicity(
    door: Program, personas: dict[str, Any], partner: User
) -> None:
    # Served in Q3: a first parent never asked (blank; the second parent's answer does not
    # count), one who answered "Prefer not to say" (an answer: not listed) and one who
    # answered White. Not served in Q3: a first parent never asked. Listed: the first only.
    coordinator = personas["door_coordinator"]
    unknown = case(door, partner, Q3.start - 30 * DAY)
    unknown.family.parents.update(race_ethnicity="")
    ParentFactory(family=unknown.family, race_ethnicity=RaceEthnicity.ASIAN)  # second parent
    declined = case(door, partner, Q3.start - 30 * DAY)
    declined.family.parents.update(race_ethnicity=RaceEthnicity.NOT_REPORTED)
    known = case(door, partner, Q3.start - 30 * DAY)
    not_served = case(door, partner, Q3.start - 30 * DAY)
    not_served.family.parents.update(race_ethnicity="")
    for served in (unknown, declined, known):
        ActivityFactory(case=served, occurred_on=Q3.start + DAY)
    ActivityFactory(case=not_served, occurred_on=Q3.start - DAY)
    assert numbers(coordinator, door, "race_not_recorded") == [unknown.referral.number]


def test_a_parent_entered_without_an_answer_is_listed_until_asked(
    door: Program, personas: dict[str, Any], partner: User
) -> None:
    # A parent saved with nothing chosen has a blank race or ethnicity (no default answer),
    # so their family is listed; once they answer, even "Prefer not to say", it is not.
    coordinator = personas["door_coordinator"]
    served = case(door, partner, Q3.start - 30 * DAY)
    served.family.parents.all().delete()
    parent = Parent(family=served.family, first_name="Ana", last_name="Ruiz")
    parent.full_clean(exclude=["name_key"])
    parent.save()
    assert parent.race_ethnicity == ""
    ActivityFactory(case=served, occurred_on=Q3.start + DAY)
    assert numbers(coordinator, door, "race_not_recorded") == [served.referral.number]
    Parent.objects.filter(pk=parent.pk).update(race_ethnicity=RaceEthnicity.NOT_REPORTED)
    assert numbers(coordinator, door, "race_not_recorded") == []


def test_a_family_served_with_no_parent_on_record_is_listed_until_one_is_added(
    door: Program, personas: dict[str, Any], partner: User
) -> None:
    # The database keeps whether a family's answer is missing (``Family.race_not_recorded``)
    # from its parents, however they are written: added, answered, moved, deleted.
    coordinator = personas["door_coordinator"]
    served = case(door, partner, Q3.start - 30 * DAY)
    ActivityFactory(case=served, occurred_on=Q3.start + DAY)
    other = case(door, partner, Q3.start - 30 * DAY)
    ActivityFactory(case=other, occurred_on=Q3.start + DAY)
    assert numbers(coordinator, door, "race_not_recorded") == []
    served.family.parents.all().delete()
    checks = {c.key: c for c in quality.panel(coordinator, scope(door), with_rows=True)}
    assert [row.missing for row in checks["race_not_recorded"].rows] == ["No parent on record"]
    # A parent entered later, never asked: still listed, now with the link to edit them.
    first = ParentFactory(family=served.family, race_ethnicity="")
    assert numbers(coordinator, door, "race_not_recorded") == [served.referral.number]
    # A second parent's answer does not count; the first parent's does.
    ParentFactory(family=served.family, race_ethnicity=RaceEthnicity.WHITE)
    assert numbers(coordinator, door, "race_not_recorded") == [served.referral.number]
    Parent.objects.filter(pk=first.pk).update(race_ethnicity=RaceEthnicity.BLACK)
    assert numbers(coordinator, door, "race_not_recorded") == []
    # Moving the first parent to another family: the second parent is now the first.
    Parent.objects.filter(pk=first.pk).update(family=other.family)
    assert numbers(coordinator, door, "race_not_recorded") == []
    Parent.objects.filter(family=served.family).update(race_ethnicity="")
    assert numbers(coordinator, door, "race_not_recorded") == [served.referral.number]
    # A family saved from a copy read before its parents changed does not undo the answer.
    stale = type(served.family).objects.get(pk=served.family.pk)
    Parent.objects.filter(family=served.family).update(race_ethnicity=RaceEthnicity.ASIAN)
    stale.save()
    assert numbers(coordinator, door, "race_not_recorded") == []


def test_families_of_another_program_never_show_in_the_family_checks(
    door: Program, rock: Program, personas: dict[str, Any], partner: User
) -> None:
    # Rock's family, closed in Q3 with a child still in care and a parent never asked, served
    # in Q3: Rock's coordinator sees it, Door's does not (nor do Door's counts).
    rock_case = case(rock, partner, Q3.start - 30 * DAY, closed_on=Q3.start + 5 * DAY)
    RemovalEpisode.objects.create(
        child=rock_case.family.children.get(), removed_on=Q3.start - 100 * DAY
    )
    rock_case.family.parents.update(race_ethnicity="")
    ActivityFactory(case=rock_case, occurred_on=Q3.start + DAY)
    # A family of Door referred to Rock: its case and contacts are Rock's.
    moved = ReferralFactory(family=FamilyFactory(program=door), program=rock)
    moved_case = assign_case(moved, partner, opened_days_ago=(TODAY - Q3.start).days + 30)
    moved.family.parents.update(race_ethnicity="")
    ActivityFactory(case=moved_case, occurred_on=Q3.start + DAY)
    door_coordinator = personas["door_coordinator"]
    for key in ("in_care_after_closing", "race_not_recorded"):
        assert numbers(door_coordinator, door, key) == []
    rock_coordinator = personas["rock_coordinator"]
    assert numbers(rock_coordinator, rock, "in_care_after_closing") == [rock_case.referral.number]
    assert numbers(rock_coordinator, rock, "race_not_recorded") == [rock_case.referral.number]


# --- The page --------------------------------------------------------------------------------


def every_problem(program: Program, partner: User, prefix: str) -> None:
    """One record for each check in ``program``, numbered ``prefix``-n."""
    made = case(program, partner, Q3.start - 30 * DAY, closed_on=Q3.start, outcome="")
    RemovalEpisode.objects.create(child=made.family.children.get(), removed_on=Q3.start - 99 * DAY)
    SurveyResponse.objects.filter(case=made, timing=SurveyTiming.CLOSURE).delete()
    opened = case(program, partner, Q3.start + DAY)
    SurveyResponse.objects.filter(case=opened).delete()
    opened.family.parents.update(race_ethnicity="")  # never asked
    ActivityFactory(case=opened, occurred_on=Q3.start + 2 * DAY)
    referral(program, received_on=Q3.start)
    for index, number in enumerate(
        Referral.objects.filter(program=program).order_by("pk").values_list("pk", flat=True)
    ):
        Referral.objects.filter(pk=number).update(number=f"{prefix}-{index}")


def page(client: Client, query: str = "") -> str:
    response = client.get(f"/reports/quality/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_form_shows_the_program_and_quarter_the_panel_shows(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    # Without a choice the panel shows the last quarter that ended; the form must say so,
    # or "Show the problems" would switch to the quarter under way.
    shown = page(client_for(personas["door_coordinator"]))
    assert re.search(r'<option value="2026-3"[^>]*selected', shown)
    assert not re.search(r'<option value="2026-4"[^>]*selected', shown)
    assert re.search(rf'<option value="{door.slug}"[^>]*selected', shown)
    chosen = page(client_for(personas["door_pp_coordinator"]), "?program=door&quarter=2026-2")
    assert re.search(r'<option value="2026-2"[^>]*selected', chosen)
    assert not re.search(r'<option value="2026-3"[^>]*selected', chosen)


def test_every_link_opens_for_the_coordinator_and_other_programs_never_show(
    door: Program,
    rock: Program,
    personas: dict[str, Any],
    partner: User,
    client_for: Callable[[User | None], Client],
) -> None:
    every_problem(door, partner, "DOOR")
    every_problem(rock, partner, "ROCK")
    client = client_for(personas["door_coordinator"])
    shown = page(client)  # the last quarter that ended, the first program coordinated
    assert "2026 Q3" in shown
    assert "DOOR-" in shown and "ROCK-" not in shown
    assert "7 data problems for 2026 Q3." in shown
    links = re.findall(r'<td data-label="[^"]*"><a href="([^"]+)"', shown)
    assert len(links) == 7
    for link in links:
        assert client.get(link.split("#")[0]).status_code == 200, link
    # Door's coordinator asking for Rock: Door's panel, with the error at the field.
    foreign = page(client, "?program=rock&quarter=2026-3")
    assert "ROCK-" not in foreign and "DOOR-" in foreign
    assert "Choose a program from the list." in foreign
    rock_coordinator = client_for(personas["rock_coordinator"])
    assert "DOOR-" not in page(rock_coordinator, "?program=door&quarter=2026-3")


def test_state_staff_see_counts_and_no_family(
    door: Program,
    personas: dict[str, Any],
    partner: User,
    client_for: Callable[[User | None], Client],
) -> None:
    every_problem(door, partner, "DOOR")
    # The audit log is append-only, in tests too: entries of tests run before this one stay.
    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    shown = page(client_for(personas["state"]), "?program=door&quarter=2026-3")
    assert "7 data problems for 2026 Q3." in shown
    assert "DOOR-" not in shown and "<table" not in shown
    assert not AuditEntry.objects.filter(pk__gt=before, object_type="referrals.family").exists()


def test_the_coordinators_view_is_audited_as_a_list_of_families(
    door: Program,
    personas: dict[str, Any],
    partner: User,
    client_for: Callable[[User | None], Client],
) -> None:
    every_problem(door, partner, "DOOR")
    page(client_for(personas["door_coordinator"]), "?program=door&quarter=2026-3")
    entry = AuditEntry.objects.filter(object_type="referrals.family").latest("pk")
    assert entry.actor_id == personas["door_coordinator"].pk
    assert entry.changes == {"query": "program=door&quarter=2026-3"}


def test_the_quarter_under_way_may_be_chosen_and_a_future_one_may_not(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(personas["door_coordinator"])
    assert "2026 Q4" in page(client, "?program=door&quarter=2026-4")
    future = page(client, "?program=door&quarter=2027-1")
    assert "Choose a quarter from the list." in future and "2026 Q3" in future


@pytest.mark.parametrize("persona", ["door_coordinator", "state"])
def test_query_count_does_not_grow_with_rows(
    door: Program,
    personas: dict[str, Any],
    partner: User,
    client_for: Callable[[User | None], Client],
    django_assert_max_num_queries: DjangoAssertNumQueries,
    persona: str,
) -> None:
    client = client_for(personas[persona])
    every_problem(door, partner, "A")
    page(client)  # warm the session
    with django_assert_max_num_queries(20) as one:
        page(client, "?program=door&quarter=2026-3")
    for _ in range(4):
        every_problem(door, partner, "B")
    with django_assert_max_num_queries(len(one.captured_queries)):
        shown = page(client, "?program=door&quarter=2026-3")
    assert "35 data problems for 2026 Q3." in shown


def test_the_report_list_and_the_dashboard_link_to_the_panel(
    door: Program,
    personas: dict[str, Any],
    partner: User,
    client_for: Callable[[User | None], Client],
) -> None:
    every_problem(door, partner, "DOOR")
    client = client_for(personas["door_coordinator"])
    assert 'href="/reports/quality/"' in client.get("/reports/").content.decode()
    dashboard = client.get("/dashboard/").content.decode()
    assert "/reports/quality/?program=door&amp;quarter=2026-3" in dashboard
    assert "7 data problems for 2026 Q3" in dashboard


def test_the_page_in_spanish(
    door: Program, personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(personas["door_coordinator"])
    response = client.get("/reports/quality/", headers={"accept-language": "es"})
    shown = response.content.decode()
    assert "Calidad de los datos" in shown
    assert "0 problemas de datos en T3 2026." in shown


# --- Long lists: the first rows, and every record a page at a time ----------------------------


def waiting_contacts(program: Program, partner: User, how_many: int) -> Case:
    """``how_many`` contacts of one case in Q3, waiting for review, a day apart from 1 July."""
    made = case(program, partner, Q3.start - 30 * DAY)
    for day in range(how_many):
        ActivityFactory(case=made, occurred_on=Q3.start + day * DAY)
    return made


def contact_on(day: datetime.date) -> str:
    return f"Contact on {formats.date_format(day, 'SHORT_DATE_FORMAT')} waiting"


def test_a_long_check_shows_its_first_rows_and_how_many_more(
    door: Program,
    personas: dict[str, Any],
    partner: User,
    client_for: Callable[[User | None], Client],
) -> None:
    waiting_contacts(door, partner, quality.PAGE_SIZE + 3)
    shown = page(client_for(personas["door_coordinator"]), "?program=door&quarter=2026-3")
    assert shown.count("Review it in the queue") == quality.PAGE_SIZE
    assert "And 3 more: see the whole list" in shown
    assert "check=contacts_waiting" in shown
    # In the check's order: the earliest contact first, the 26th not on the panel.
    assert contact_on(Q3.start) in shown and contact_on(Q3.start + 25 * DAY) not in shown


def test_the_whole_list_is_paged_and_reaches_every_record(
    door: Program,
    personas: dict[str, Any],
    partner: User,
    client_for: Callable[[User | None], Client],
) -> None:
    waiting_contacts(door, partner, quality.PAGE_SIZE + 3)
    client = client_for(personas["door_coordinator"])
    query = "?program=door&quarter=2026-3&check=contacts_waiting"
    first = page(client, query)
    assert first.count("Review it in the queue") == quality.PAGE_SIZE
    assert "Page 1 of 2" in first and "Back to every check" in first
    second = page(client, f"{query}&page=2")
    assert second.count("Review it in the queue") == 3
    assert contact_on(Q3.start + 27 * DAY) in second and contact_on(Q3.start) not in second
    # A page that is not there gives the nearest one; an unknown check, the panel.
    assert "Page 2 of 2" in page(client, f"{query}&page=99")
    assert "Page 2 of 2" in page(client, f"{query}&page=0")
    first_again = page(client, f"{query}&page=first")
    assert "Page 1 of 2" in first_again and contact_on(Q3.start) in first_again
    assert "data problems for 2026 Q3." in page(client, "?program=door&check=nothing")


def test_the_whole_list_is_scoped_and_state_staff_see_counts_only(
    door: Program,
    rock: Program,
    personas: dict[str, Any],
    partner: User,
    client_for: Callable[[User | None], Client],
) -> None:
    every_problem(door, partner, "DOOR")
    every_problem(rock, partner, "ROCK")
    query = "check=closed_without_outcome"
    rock_coordinator = client_for(personas["rock_coordinator"])
    asked = page(rock_coordinator, f"?program=door&quarter=2026-3&{query}")
    assert "DOOR-" not in asked and "ROCK-" in asked
    state = page(client_for(personas["state"]), f"?program=door&quarter=2026-3&{query}")
    assert "DOOR-" not in state and "Give the outcome" not in state


def test_a_fixed_record_leaves_the_whole_list_at_once(
    door: Program,
    personas: dict[str, Any],
    partner: User,
    client_for: Callable[[User | None], Client],
) -> None:
    made = waiting_contacts(door, partner, quality.PAGE_SIZE + 1)
    client = client_for(personas["door_coordinator"])
    query = "?program=door&quarter=2026-3&check=contacts_waiting&page=2"
    assert page(client, query).count("Review it in the queue") == 1
    made.activities.filter(occurred_on=Q3.start).update(review_status=ReviewStatus.SIGNED_OFF)
    assert "Page 2" not in page(client, query)
    assert "And 1 more" not in page(client, "?program=door&quarter=2026-3")


def test_the_whole_list_has_a_query_count_that_does_not_grow(
    door: Program,
    personas: dict[str, Any],
    partner: User,
    client_for: Callable[[User | None], Client],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client = client_for(personas["door_coordinator"])
    query = "?program=door&quarter=2026-3&check=contacts_waiting&page=2"
    waiting_contacts(door, partner, quality.PAGE_SIZE + 1)
    page(client)  # warm the session
    with django_assert_max_num_queries(20) as one:
        page(client, query)
    waiting_contacts(door, partner, 2 * quality.PAGE_SIZE)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page(client, query)


# --- Rows read: a check reads the quarter's records, not the program's history ---------------


@pytest.mark.skipif(not ON_POSTGRES, reason="reads PostgreSQL's plans")
@pytest.mark.parametrize("scoped", [True, False], ids=["coordinator", "counts"])
@pytest.mark.parametrize("key", list(quality.FINDERS))
def test_rows_read_do_not_grow_with_older_quarters(
    door: Program, rock: Program, personas: dict[str, Any], partner: User, key: str, scoped: bool
) -> None:
    # The same quarter's records in two programs, one of them with older quarters before it:
    # each check reads as many rows of each table for both. The coordinator's rows (through
    # their scope of what they may see) and the counts (the program's, as state staff and the
    # dashboard see them).
    def read(program: Program, coordinator: str) -> dict[str, int]:
        source = quality._scoped_to(personas[coordinator]) if scoped else quality._unscoped
        rows = quality.FINDERS[key](source, scope(program))
        sql = connection.ops.compose_sql(*rows.order_by().query.sql_with_params())  # type: ignore[attr-defined]
        tables = ["mentoring_activity", "mentoring_case", "referrals_referral"]
        tables += ["referrals_removalepisode", "referrals_parent", "mentoring_surveyresponse"]
        tables += ["referrals_family", "referrals_child"]
        return {table: rows_read(sql, table) for table in tables}

    # Rock's older quarters, fixed since: closed with an outcome and surveys, contacts
    # reviewed, referrals decided, children home, parents asked.
    for quarter_back in range(1, 4):
        start = Q3.start - quarter_back * 92 * DAY
        old = case(rock, partner, start, closed_on=start + 30 * DAY)
        ActivityFactory(case=old, occurred_on=start + DAY, review_status=ReviewStatus.SIGNED_OFF)
        referral(rock, received_on=start, status=Status.DECLINED)
    for program, prefix in ((door, "DOOR"), (rock, "ROCK")):
        every_problem(program, partner, prefix)
        # Families served in the quarter: one with no parent on record, which the race check
        # lists, and one whose parent answered, as most have, which it does not.
        orphan = case(program, partner, Q3.start - 30 * DAY)
        orphan.family.parents.all().delete()
        ActivityFactory(case=orphan, occurred_on=Q3.start + DAY)
        answered = case(program, partner, Q3.start - 30 * DAY)
        ActivityFactory(
            case=answered, occurred_on=Q3.start + DAY, review_status=ReviewStatus.SIGNED_OFF
        )
    assert quality.counts(scope(rock))[key] == quality.counts(scope(door))[key]
    assert read(rock, "rock_coordinator") == read(door, "door_coordinator")
