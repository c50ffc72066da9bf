"""``/api/v1/figures/{quarter}/`` and ``/api/v1/figures/{quarter}/{program}/``: a quarter's
figures exactly as its reports print them, small counts hidden exactly as the reports hide
them, for the callers who may read those reports.

The quarter built here (2026 Q2): Door served 6 families whose first parent is white and 1
whose first parent is Black; Rock 5 white and 5 Hispanic. Door's one Black family is a small
count that state staff must not learn, from one answer or from all of them together.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from psp.api import hash_key, new_key
from psp.models import ApiToken, Program, User
from referrals.models import RaceEthnicity
from reporting import metrics, suppression
from reporting.models import Report, ReportStatus
from reporting.services import report_request
from tests.mentoring.factories import ParentPartnerFactory
from tests.reporting.conftest import Q2, at, case, contact, family, referral
from tests.reporting.test_generate import csv_rows

WHITE, BLACK, HISPANIC = RaceEthnicity.WHITE, RaceEthnicity.BLACK, RaceEthnicity.HISPANIC
Client_for = Callable[[User | None], Client]


def serve(program: Program, race: str, how_many: int) -> None:
    """``how_many`` families of ``program`` referred, opened and visited in 2026 Q2."""
    partner = ParentPartnerFactory(program=program)
    for _ in range(how_many):
        fam = family(program, race)
        on_case = case(referral(fam, datetime.date(2026, 4, 2)), datetime.date(2026, 4, 3))
        contact(on_case, partner, at(2026, 5, 12))


@pytest.fixture
def quarter(door: Program, rock: Program) -> Iterator[None]:
    """The quarter above, on a clock after it ended (moved there if the session's clock is
    earlier)."""
    now = timezone.localtime()
    moved = None
    if now.date() <= Q2.end:
        moved = time_machine.travel(
            datetime.datetime.combine(Q2.end + datetime.timedelta(days=1), now.time(),
                                      tzinfo=now.tzinfo), tick=True,
        )  # fmt: skip
        moved.start()
    serve(door, WHITE, 6)
    serve(door, BLACK, 1)
    serve(rock, WHITE, 5)
    serve(rock, HISPANIC, 5)
    yield
    if moved is not None:
        moved.stop()


def token_client(user: User) -> Client:
    """A client that signs in with a fresh API token of ``user``, as a state system does."""
    key = new_key()
    ApiToken.objects.create(
        user=user,
        name="DCF data exchange",
        prefix=key[:12],
        key_hash=hash_key(key),
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def figures(client: Client, path: str) -> dict[str, Any]:
    response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    body: dict[str, Any] = response.json()
    return body


def by_key(body: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {(row["section"], row["metric"]): row for row in body["figures"]}


def same_figure(api_row: dict[str, Any], printed: str) -> bool:
    """The API's value is the CSV's: the same number, the same word, or null for a hidden
    (``*``) or empty cell."""
    value = api_row["value"]
    if printed == suppression.HIDDEN:
        return value is None and api_row["suppressed"] is True
    if printed == "":
        return value is None and api_row["suppressed"] is False
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        return Decimal(str(value)) == Decimal(printed)
    return bool(value == printed)


def assert_same_as_csv(body: dict[str, Any], report: Report) -> None:
    printed = {key: value for key, value in csv_rows(report).items() if key[0] != "report"}
    answered = by_key(body)
    assert list(answered) == list(printed)  # every figure, in the report's order
    different = {key for key, value in printed.items() if not same_figure(answered[key], value)}
    assert different == set()
    assert body["status"] == csv_rows(report)[("report", "status")]


@pytest.fixture
def make(django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> Any:
    def made(actor: User | None, program: Program | None) -> Report:
        with django_capture_on_commit_callbacks(execute=True):
            report = report_request(actor=actor, program=program, quarter=Q2)
        report.refresh_from_db()
        assert report.status == ReportStatus.DONE, report.error
        return report

    return made


# --- The same numbers as the reports ------------------------------------------------------


def test_state_token_gets_the_filed_reports_numbers_with_the_same_cells_hidden(
    quarter: None, personas: dict[str, Any], close_everywhere: Any
) -> None:
    close_everywhere()
    state = token_client(personas["state"])
    answers = {
        None: figures(state, "/api/v1/figures/2026-Q2/"),
        "door": figures(state, "/api/v1/figures/2026-Q2/door/"),
        "rock": figures(state, "/api/v1/figures/2026-Q2/rock/"),
    }
    # Closing the quarter everywhere made the reports state staff read: the same numbers.
    for slug, body in answers.items():
        report = Report.objects.get(program__slug=slug, year=2026, quarter=2, suppressed=True)
        assert body["status"] == "filed" and body["small_counts_suppressed"] is True
        assert body["threshold"] == 5
        assert_same_as_csv(body, report)
    # Door's one Black family: null, marked hidden, in Door's answer and the statewide one.
    door, statewide = by_key(answers["door"]), by_key(answers[None])
    assert door[("race_ethnicity", BLACK)]["value"] is None
    assert door[("race_ethnicity", BLACK)]["suppressed"] is True
    assert statewide[("race_ethnicity_by_program", f"door.{BLACK}")]["value"] is None
    assert f"race_ethnicity.{BLACK}" in answers["door"]["suppressed"]
    assert door[("families", "served")]["value"] == 7


def cells(answers: dict[str | None, dict[str, Any]]) -> dict[suppression.Cell, set[Any]]:
    """Each cell of the quarter's table, by (program slug or None, column), with the values
    the answers give it (None: hidden)."""
    found: dict[suppression.Cell, set[Any]] = {}
    for slug, body in answers.items():
        for row in body["figures"]:
            if row["section"] == "race_ethnicity":
                cell: suppression.Cell = (slug, row["metric"])
            elif row["section"] == "race_ethnicity_by_program":
                program, column = row["metric"].split(".")
                cell = (program, column)
            else:
                continue
            if cell[1] != "total":
                found.setdefault(cell, set()).add(row["value"])
    return found


def test_no_combination_of_answers_narrows_a_hidden_count(
    quarter: None, personas: dict[str, Any], close_everywhere: Any
) -> None:
    close_everywhere()
    state = token_client(personas["state"])
    answers = {
        None: figures(state, "/api/v1/figures/2026-Q2/"),
        "door": figures(state, "/api/v1/figures/2026-Q2/door/"),
        "rock": figures(state, "/api/v1/figures/2026-Q2/rock/"),
    }
    table = metrics.families_by_program_and_race_ethnicity(quarter=Q2).table
    given = cells(answers)
    # A cell is hidden in every answer that has it or shown with the same count in all: no
    # answer shows what another hides. The hidden ones are the quarter's reports' own.
    assert all(len(values) == 1 for values in given.values()), given
    hidden = {cell for cell, values in given.items() if values == {None}}
    assert hidden == suppression.protect(table)
    assert ("door", BLACK) in hidden and (None, BLACK) in hidden
    # What all the answers publish together (every shown cell and every total) still leaves
    # each hidden count with at least 5 possible values: Door's Black family could be 0 to 4
    # or more, as far as a reader can tell.
    low, high = suppression.ranges(table, hidden)[("door", BLACK)]
    assert high - low >= 4
    for cell, (low, high) in suppression.ranges(table, hidden).items():
        assert high - low >= suppression.required_width(table, cell, 5), cell


def test_coordinator_gets_their_own_report_in_full(
    quarter: None, door: Program, personas: dict[str, Any], client_for: Client_for, make: Any
) -> None:
    coordinator = personas["door_coordinator"]
    body = figures(client_for(coordinator), "/api/v1/figures/2026-Q2/door/")
    assert body["small_counts_suppressed"] is False and body["suppressed"] == []
    assert by_key(body)[("race_ethnicity", BLACK)]["value"] == 1
    assert body["status"] == "draft"  # Door has not closed the quarter
    assert_same_as_csv(body, make(coordinator, door))


def test_state_staff_get_no_race_counts_until_every_program_closed_the_quarter(
    quarter: None, personas: dict[str, Any], client_for: Client_for
) -> None:
    body = figures(client_for(personas["state"]), "/api/v1/figures/2026-Q2/door/")
    assert body["race_ethnicity_withheld"] is True
    rows = by_key(body)
    assert [key for key in rows if key[0] == "race_ethnicity"] == [("race_ethnicity", "shown")]
    assert rows[("families", "served")]["value"] == 7


def test_definitions_name_what_each_number_is(
    db: None, personas: dict[str, Any], client_for: Client_for
) -> None:
    body = figures(client_for(personas["state"]), "/api/v1/figures/2026-Q2/")
    definitions = {item["key"]: item for item in body["definitions"]}
    assert list(definitions) == list(metrics.definitions())
    assert definitions["families_served"]["title"] == "Families served"
    assert "counts from 1 to 4 are hidden" in definitions["families_by_race_ethnicity"]["text"]


# --- Who may read them ----------------------------------------------------------------------


def test_another_programs_figures_are_404(
    db: None, personas: dict[str, Any], client_for: Client_for
) -> None:
    rock_coordinator = client_for(personas["rock_coordinator"])
    assert rock_coordinator.get("/api/v1/figures/2026-Q2/door/").status_code == 404
    assert rock_coordinator.get("/api/v1/figures/2026-Q2/rock/").status_code == 200
    state = client_for(personas["state"])
    assert state.get("/api/v1/figures/2026-Q2/nowhere/").status_code == 404


def test_a_coordinator_reads_no_statewide_figures(
    db: None, personas: dict[str, Any], client_for: Client_for
) -> None:
    response = client_for(personas["door_coordinator"]).get("/api/v1/figures/2026-Q2/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("persona", ["door_parent_partner", "door_social_worker", "admin"])
def test_who_reads_no_reports_gets_403(
    db: None, personas: dict[str, Any], client_for: Client_for, persona: str
) -> None:
    client = client_for(personas[persona])
    assert client.get("/api/v1/figures/2026-Q2/door/").status_code == 403
    assert client.get("/api/v1/figures/2026-Q2/").status_code == 403


def test_not_signed_in_is_401(client: Client, door: Program) -> None:
    assert client.get("/api/v1/figures/2026-Q2/door/").status_code == 401


# --- Which quarter ----------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["2026-2", "2026-Q5", "1999-Q4", "Q2-2026", "2026-Q2x"])
def test_a_quarter_not_written_like_2026_q3_is_a_400_at_the_field(
    db: None, personas: dict[str, Any], client_for: Client_for, written: str
) -> None:
    response = client_for(personas["state"]).get(f"/api/v1/figures/{written}/door/")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "2026-Q3" in response.json()["errors"]["quarter"][0]


def central(year: int, month: int, day: int, hour: int, minute: int) -> datetime.datetime:
    """A moment on the programs' clock (America/Chicago)."""
    moment = datetime.datetime(year, month, day, hour, minute)
    return timezone.make_aware(moment, timezone.get_default_timezone())


def test_on_the_quarters_last_evening_it_has_not_ended(
    db: None, personas: dict[str, Any], client_for: Client_for
) -> None:
    # 23:30 in Wisconsin on 30 September is already 1 October in UTC.
    with time_machine.travel(central(2026, 9, 30, 23, 30), tick=False):
        client = client_for(personas["state"])
        response = client.get("/api/v1/figures/2026-Q3/")
        assert response.status_code == 400
        assert response.json()["errors"]["quarter"] == [
            "2026-Q3 has not ended yet. The last quarter that has ended is 2026-Q2."
        ]
        assert client.get("/api/v1/figures/2026-Q2/").status_code == 200


def test_at_half_past_midnight_on_new_years_day_the_fourth_quarter_has_ended(
    db: None, personas: dict[str, Any], client_for: Client_for
) -> None:
    with time_machine.travel(central(2026, 12, 31, 23, 59), tick=False):
        response = client_for(personas["state"]).get("/api/v1/figures/2026-Q4/")
        assert response.status_code == 400
    with time_machine.travel(central(2027, 1, 1, 0, 30), tick=False):
        client = client_for(personas["state"])
        body = figures(client, "/api/v1/figures/2026-Q4/")
        assert (body["quarter"], body["start"], body["end"]) == ("2026-Q4", "2026-10-01",
                                                                  "2026-12-31")  # fmt: skip
        assert client.get("/api/v1/figures/2027-Q1/").status_code == 400
