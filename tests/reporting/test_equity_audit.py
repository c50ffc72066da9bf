"""The equity view counted by hand on a small dataset with its edge cases (no race recorded,
parents of different races, a December referral reunified in January, a family's second case,
two referrals of one family, a referral accepted then withdrawn, the year's last and next
year's first day, another program), who may see what, the threshold and the year's edge."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from mentoring.models import Case, CaseStatus, ClosureOutcome
from referrals.models import RaceEthnicity, Status, Transition
from reporting import equity
from tests.clock import CHICAGO
from tests.factories import FamilyFactory, ParentFactory, ReferralFactory
from tests.reporting.test_equity import close_the_year, csv_rows, funnel_table

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=CHICAGO)


@pytest.fixture(autouse=True)
def in_march_2026():
    with time_machine.travel(NOW, tick=False):
        yield


D = datetime.date


def make(program, races, day, steps, *, family=None, case=None):
    """A referral of ``family`` (new, with parents answering ``races`` in order) received on
    ``day``, moved through ``steps`` (statuses); ``case``: None, "open", or a closure
    outcome with ``closed`` date as (outcome, date)."""
    if family is None:
        family = FamilyFactory(program=program)
        for race in races:
            ParentFactory(family=family, race_ethnicity=race)
    made = ReferralFactory(
        family=family, program=program, received_on=day, status=Status.RECEIVED, members=False
    )
    for step in steps:
        Transition.objects.create(referral=made, from_status=made.status, to_status=step)
        made.status = step
    made.save()
    if case is not None:
        opened = made
        c = Case.objects.create(
            referral=opened, program=program, family=family, opened_on=max(day, D(2024, 1, 1))
        )
        if case != "open":
            outcome, closed = case
            c.status = CaseStatus.CLOSED
            c.closed_on = closed
            c.closure_outcome = outcome
            c.save()
    return made


ASSIGN = [Status.SCREENING, Status.ACCEPTED, Status.ASSIGNED]


@pytest.fixture
def dataset(door, rock):
    R = RaceEthnicity
    make(door, [""], D(2025, 2, 1), [Status.DECLINED])  # nobody asked: not recorded
    make(door, [], D(2025, 3, 1), [])  # no parent at all, undecided
    # Black first parent, White second: December referral, reunified in January.
    make(
        door,
        [R.BLACK, R.WHITE],
        D(2025, 12, 20),
        ASSIGN,
        case=(ClosureOutcome.REUNIFIED, D(2026, 1, 10)),
    )
    # A family with a 2024 case reunified, referred again in 2025 (a second case, open).
    hispanic = FamilyFactory(program=door)
    ParentFactory(family=hispanic, race_ethnicity=R.HISPANIC)
    make(
        door,
        None,
        D(2024, 5, 1),
        ASSIGN,
        family=hispanic,
        case=(ClosureOutcome.REUNIFIED, D(2024, 9, 1)),
    )
    make(door, None, D(2025, 4, 1), ASSIGN, family=hispanic, case="open")
    make(door, [R.WHITE], D(2025, 5, 1), [Status.ACCEPTED, Status.WITHDRAWN])  # accepted, then not
    make(door, [R.WHITE], D(2025, 6, 1), [Status.SCREENING, Status.DECLINED])
    make(door, [R.WHITE], D(2025, 7, 1), ASSIGN, case=(ClosureOutcome.GOALS_MET, D(2025, 11, 1)))
    # Two referrals of one family in the year: declined, then accepted.
    twice = FamilyFactory(program=door)
    ParentFactory(family=twice, race_ethnicity=R.HISPANIC)
    make(door, None, D(2025, 1, 15), [Status.DECLINED], family=twice)
    make(door, None, D(2025, 8, 15), [Status.ACCEPTED], family=twice)
    make(door, [R.BLACK], D(2025, 12, 31), [])  # the year's last day
    make(door, [R.BLACK], D(2026, 1, 1), [])  # next year's first
    make(rock, [R.BLACK], D(2025, 6, 1), [Status.ACCEPTED])  # another program


def cells(rows, stage, codes):
    columns = [code for code, _label in equity.metrics.race_ethnicity_columns()]
    row = rows[stage]
    return [row[columns.index(code)] for code in codes] + [row[-1]]


def test_hand_counted_funnel(personas, dataset, client_for):
    client = client_for(personas["door_coordinator"])
    page = client.get("/reports/equity/?year=2025").content.decode()
    rows = funnel_table(page, "door")
    codes = ["not_recorded", "black", "hispanic", "white"]
    assert cells(rows, "Referred", codes) == ["2", "2", "3", "3", "10"]
    assert cells(rows, "Accepted", codes) == ["0", "1", "2", "2", "5"]
    assert cells(rows, "Assigned a Parent Partner", codes) == ["0", "1", "1", "1", "3"]
    assert cells(rows, "Case closed with the family reunified", codes) == ["0", "1", "0", "0", "1"]
    page24 = client.get("/reports/equity/?year=2024").content.decode()
    rows24 = funnel_table(page24, "door")
    assert cells(rows24, "Case closed with the family reunified", ["hispanic"]) == ["1", "1"]
    page26 = client.get("/reports/equity/?year=2026").content.decode()
    assert cells(funnel_table(page26, "door"), "Referred", ["black"]) == ["1", "1"]
    csv = csv_rows(client.get("/reports/equity/export.csv?year=2025"))
    assert {r["Program"] for r in csv} == {"Door County PSP"}


def test_cross_program(personas, dataset, client_for, rock):
    client = client_for(personas["door_coordinator"])
    for q in [
        "?year=2025&program=rock",
        f"?year=2025&program={rock.pk}",
        "?program=rock&program=door&year=2025&statewide=1",
    ]:
        page = client.get("/reports/equity/" + q).content.decode()
        assert "Rock" not in page and "equity-statewide" not in page
        csv = csv_rows(client.get("/reports/equity/export.csv" + q))
        assert {r["Program"] for r in csv} == {"Door County PSP"}
    for who in [
        "door_parent_partner",
        "door_social_worker",
        "door_clinical",
        "door_pp_coordinator",
    ]:
        c = client_for(personas[who])
        c.raise_request_exception = False
        assert c.get("/reports/equity/?year=2025").status_code in (403, 404), who
        assert c.get("/reports/equity/export.csv?year=2025").status_code in (403, 404), who
    anon = client_for(None)
    assert anon.get("/reports/equity/").status_code == 302
    rock_page = (
        client_for(personas["rock_coordinator"]).get("/reports/equity/?year=2025").content.decode()
    )
    assert "Door" not in rock_page


def test_threshold_edges(personas, door, rock, client_for):
    R = RaceEthnicity
    for _ in range(5):
        make(door, [R.BLACK], D(2025, 3, 1), [Status.DECLINED])
    for _ in range(4):
        make(door, [R.WHITE], D(2025, 3, 1), [Status.DECLINED])
    for _ in range(5):
        make(rock, [R.WHITE], D(2025, 3, 1), [Status.DECLINED])
    close_the_year(2025)
    page = client_for(personas["state"]).get("/reports/equity/?year=2025").content.decode()
    door_rows = funnel_table(page, "door")
    assert cells(door_rows, "Referred", ["white"])[0] == "*"


@pytest.mark.parametrize(
    "moment,latest",
    [
        (datetime.datetime(2026, 1, 1, 0, 30, tzinfo=CHICAGO), 2025),
        (datetime.datetime(2025, 12, 31, 23, 30, tzinfo=CHICAGO), 2024),
    ],
)
def test_year_edge(personas, door, client_for, moment, latest):
    """State staff see a year once its statewide last quarter has closed, which it can only
    do once the year is over."""
    with time_machine.travel(moment, tick=False):
        make(door, [RaceEthnicity.BLACK], D(2024, 6, 1), [])
        make(door, [RaceEthnicity.BLACK], D(2025, 12, 31), [])
        close_the_year(2024)
        if moment.year == 2026:
            close_the_year(2025)
        client = client_for(personas["state"])
        response = client.get("/reports/equity/?year=2025")
        assert response.context["year"] == latest
        assert 2025 in response.context["years"] or latest == 2024
        assert 2025 not in response.context["years"] or latest == 2025
