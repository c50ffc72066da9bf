"""Small-count suppression for what state staff see: no hidden count can be worked out.

The attacker (``tests.reporting.attacker``) holds every report one state staff member can
download for a quarter and finds, by linear programming, each hidden count's smallest and
largest value. Safe: every hidden count keeps at least ``threshold`` possible values (largest
minus smallest at least ``threshold - 1``), or, in a row whose published total is smaller, every
value from 0 to that total.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Mapping
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from psp.models import Program, Role, User
from reporting import selectors
from reporting.metrics import (
    RACE_ETHNICITY_COLUMNS,
    families_by_program_and_race_ethnicity,
    families_by_race_ethnicity,
)
from reporting.services import report_request
from reporting.suppression import HIDDEN, Table, protect, shown_row, suppress
from tests.factories import ProgramFactory
from tests.mentoring.factories import ParentPartnerFactory
from tests.reporting.attacker import (
    OLD_MARKS,
    STATEWIDE,
    Figure,
    Holdings,
    intervals,
    program_report,
    statewide_report,
)
from tests.reporting.conftest import Q2, at, case, contact, family, referral

WHITE, BLACK, HISPANIC, ASIAN = "white", "black", "hispanic", "asian"


def one_table(row: Mapping[str, str]) -> Holdings:
    """A table on its own, with its total."""
    return program_report("t", row, row["total"])


def widths(held: Holdings, **kwargs: Any) -> dict[Figure, int]:
    return {figure: high - low for figure, (low, high) in intervals(held, **kwargs).items()}


# --- Within one table ----------------------------------------------------------------------


def test_a_small_count_beside_its_complement_could_be_worked_out() -> None:
    # The old way: "<5" (1 to 4) beside "*" (5 or more) with a total of 6 can only be 1 + 5.
    old = one_table({"a": "<5", "b": "*", "total": "6"})
    assert intervals(old, marks=OLD_MARKS) == {
        ("race", "t", "a"): (1, 1),
        ("race", "t", "b"): (5, 5),
    }
    # Now both are "*", which may be any count: a + b = 6, each anywhere from 0 to 6.
    shown = suppress({"a": 1, "b": 5})
    assert shown == {"a": "*", "b": "*", "total": "6"}
    assert intervals(one_table(shown)) == {("race", "t", "a"): (0, 6), ("race", "t", "b"): (0, 6)}


def test_small_counts_adding_up_to_a_small_total_could_be_worked_out() -> None:
    # The old way: two "<5" (each at least 1) beside a shown 20, total 22: both are 1.
    old = one_table({"a": "<5", "b": "<5", "c": "20", "total": "22"})
    assert set(intervals(old, marks=OLD_MARKS).values()) == {(1, 1)}
    # Even as "*" (at least 0) they would add up to 2: a in 0..2 is too narrow, so the 20
    # is hidden too; a + b + c = 22 leaves each anywhere from 0 to 22.
    shown = suppress({"a": 1, "b": 1, "c": 20})
    assert shown == {"a": "*", "b": "*", "c": "*", "total": "22"}
    assert set(intervals(one_table(shown)).values()) == {(0, 22)}


def test_the_smallest_count_that_protects_is_hidden_and_no_more() -> None:
    # b (3) hidden with c (7): b + c = 22 - 12 - 0 = 10, b anywhere from 0 to 10.
    shown = suppress({"a": 12, "b": 3, "c": 7, "d": 0})
    assert shown == {"a": "12", "b": "*", "c": "*", "d": "0", "total": "22"}
    assert widths(one_table(shown)) == {("race", "t", "b"): 10, ("race", "t", "c"): 10}


def test_a_small_total_leaves_every_value_up_to_it() -> None:
    # 3 families, all of one kind: the total is published (families served), so the most that
    # can be hidden is how the 3 divide: a zero is hidden beside the 3, each is 0 to 3.
    shown = suppress({"a": 3, "b": 0})
    assert shown == {"a": "*", "b": "*", "total": "3"}
    assert set(intervals(one_table(shown)).values()) == {(0, 3)}


def test_the_threshold_itself_and_zeros_are_shown() -> None:
    assert suppress({"a": 5, "b": 0}) == {"a": "5", "b": "0", "total": "5"}
    assert suppress({"a": 0, "b": 0}) == {"a": "0", "b": "0", "total": "0"}


def test_threshold_from_argument_and_setting(settings: Settings) -> None:
    # Threshold 3: a (2) is small; with b (9), a + b = 11.
    assert suppress({"a": 2, "b": 9, "c": 11}, threshold=3) == {
        "a": "*",
        "b": "*",
        "c": "11",
        "total": "22",
    }
    settings.PSP_SMALL_COUNT_THRESHOLD = 11
    # a (10) is small: hidden with b (11), a + b = 21, a anywhere from 0 to 21.
    assert suppress({"a": 10, "b": 11, "c": 30}) == {
        "a": "*",
        "b": "*",
        "c": "30",
        "total": "51",
    }


# --- Across reports ------------------------------------------------------------------------

DOOR = {WHITE: 20, BLACK: 2, HISPANIC: 7}
ROCK = {WHITE: 30, BLACK: 6, HISPANIC: 9}


def test_a_count_safe_in_its_own_report_could_be_worked_out_from_the_statewide_one() -> None:
    # The old way, each report on its own: Door hid its Black 2 behind its Hispanic 7; Rock
    # had nothing to hide, nor had the statewide report (50, 8, 16). Door's Black = the
    # statewide 8 - Rock's 6.
    held = (
        program_report("door", {WHITE: "20", BLACK: "<5", HISPANIC: "*", "total": "29"}, "29")
        | program_report("rock", {WHITE: "30", BLACK: "6", HISPANIC: "9", "total": "45"}, "45")
        | program_report(STATEWIDE, {WHITE: "50", BLACK: "8", HISPANIC: "16", "total": "74"}, "74")
    )
    held.add_sum(("race", STATEWIDE, BLACK), [("race", "door", BLACK), ("race", "rock", BLACK)])
    assert intervals(held, marks=OLD_MARKS)[("race", "door", BLACK)] == (2, 2)


def test_one_pattern_for_the_quarter_protects_across_reports() -> None:
    table = Table.from_rows({"door": DOOR, "rock": ROCK}, [WHITE, BLACK, HISPANIC])
    hidden = protect(table, threshold=5)
    # The cheapest rectangle through Door's Black 2: Door's Hispanic 7 and Rock's Black 6 and
    # Hispanic 9 (22 families hidden; through White it would be 56, through the statewide row
    # 31). It moves by -2 to +6 (Door's Black down to 0, Rock's Black down to 0).
    assert hidden == {
        ("door", BLACK),
        ("door", HISPANIC),
        ("rock", BLACK),
        ("rock", HISPANIC),
    }
    held = holdings(table, hidden, ["door", "rock"], statewide=True)
    assert intervals(held)[("race", "door", BLACK)] == (0, 8)
    assert min(widths(held).values()) >= 4
    # Made again from the same counts: the same cells.
    assert protect(Table.from_rows({"door": DOOR, "rock": ROCK}, [WHITE, BLACK, HISPANIC])) == (
        hidden
    )


# --- The attacker against generated quarters ----------------------------------------------


def holdings(
    table: Table, hidden: frozenset[Any] | set[Any], programs: list[str], *, statewide: bool
) -> Holdings:
    """What a reader holding ``programs``' reports (and the statewide one) has."""
    held = Holdings()
    for program in programs:
        row = shown_row(table, hidden, program)
        held |= program_report(program, row, row["total"])
    if statewide:
        state = shown_row(table, hidden, None)
        by_program = {row: shown_row(table, hidden, row) for row in table.program_rows}
        held |= statewide_report(by_program, state, state["total"])
    return held


def assert_safe(held: Holdings, threshold: int) -> None:
    """No hidden count pinned, none narrower than the threshold allows (its row's total)."""
    for figure, (low, high) in intervals(held).items():
        row_total = int(held.figures[("served", figure[1])])
        assert high - low >= min(threshold - 1, row_total) >= 1, (figure, low, high)


@st.composite
def quarters(draw: st.DrawFn) -> tuple[int, Table]:
    threshold = draw(st.sampled_from([5, 5, 5, 3, 10]))
    edges = [0, 1, threshold - 1, threshold, threshold + 1]
    count = st.one_of(st.sampled_from(edges), st.integers(0, 4 * threshold))
    columns = RACE_ETHNICITY_COLUMNS[: draw(st.integers(2, len(RACE_ETHNICITY_COLUMNS)))]
    programs = [f"p{number}" for number in range(draw(st.integers(1, 5)))]
    rows = {program: {column: draw(count) for column in columns} for program in programs}
    return threshold, Table.from_rows(rows, columns)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quarter=quarters(), data=st.data())
def test_no_hidden_count_can_be_worked_out(quarter: tuple[int, Table], data: st.DataObject) -> None:
    threshold, table = quarter
    hidden = protect(table, threshold=threshold)
    assert hidden == protect(table, threshold=threshold)  # the same every time
    small = {cell for cell, count in table.counts.items() if 0 < count < threshold}
    assert small <= hidden
    programs = list(table.program_rows)
    # Everything a state staff member can download: every program's report and the
    # statewide one; and, since holding less can only tell less, one smaller combination.
    assert_safe(holdings(table, hidden, programs, statewide=True), threshold)
    some = data.draw(st.lists(st.sampled_from(programs), unique=True, min_size=1))
    assert_safe(holdings(table, hidden, some, statewide=data.draw(st.booleans())), threshold)


# --- End to end: the reports as state staff download them ---------------------------------

# Families served in 2026 Q2 by program and race or ethnicity: small counts, zeros, a
# program with a small total, and counts at the threshold.
SERVED = {
    "door": {WHITE: 12, BLACK: 3, HISPANIC: 6, ASIAN: 1},
    "rock": {WHITE: 9, BLACK: 5, HISPANIC: 2, "not_reported": 4},
    "jefferson": {WHITE: 2, "american_indian": 1},
}


@pytest.fixture
def quarter_served(door: Program, rock: Program) -> dict[str, Program]:
    programs = {
        "door": door,
        "rock": rock,
        "jefferson": ProgramFactory(slug="jefferson", county="Jefferson", name="Jefferson PSP"),
    }
    for slug, counts in SERVED.items():
        partner = ParentPartnerFactory(program=programs[slug])
        for race, number in counts.items():
            for _ in range(number):
                ref = referral(family(programs[slug], race), Q2.start)
                contact(case(ref, Q2.start), partner, at(2026, 5, 4))
    return programs


def downloaded_csv(client: Client, pk: int) -> dict[tuple[str, str], str]:
    response = client.get(reverse("reporting:csv", args=[pk]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return {(section, metric): value for section, metric, value in csv.reader(io.StringIO(text))}


def holdings_from_csv(rows: dict[tuple[str, str], str]) -> Holdings:
    """The race and ethnicity figures of one downloaded report, with its families served."""
    scope = rows[("report", "program")]
    codes = [metric for section, metric in rows if section == "race_ethnicity"]
    own = {code: rows[("race_ethnicity", code)] for code in codes}
    served = rows[("families", "served")]
    if scope != STATEWIDE:
        return program_report(scope, own, served)
    by_program: dict[str, dict[str, str]] = {}
    for (section, metric), value in rows.items():
        if section == "race_ethnicity_by_program":
            program, code = metric.split(".")
            by_program.setdefault(program, {})[code] = value
    return statewide_report(by_program, own, served)


def test_every_combination_of_downloads_keeps_hidden_counts_hidden(
    quarter_served: dict[str, Program],
    personas: dict[str, Any],
    make_member: Any,
    client_for: Any,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    close_everywhere: Any,
) -> None:
    state: User = personas["state"]
    # Every program closes the quarter; the last closing closes the statewide quarter and
    # makes the reports state staff read.
    assert {program.slug for program in close_everywhere()} == set(SERVED)
    with django_capture_on_commit_callbacks(execute=True):
        # Door's coordinator's own report shows every count: state staff never get it.
        coordinator = make_member(quarter_served["door"], Role.PROGRAM_COORDINATOR)
        private = report_request(actor=coordinator, program=quarter_served["door"], quarter=Q2)

    reports = list(selectors.reports_for_user(state))
    assert private not in reports
    assert len(reports) == 4
    client = client_for(state)
    assert client.get(reverse("reporting:csv", args=[private.pk])).status_code == 404
    downloads = [holdings_from_csv(downloaded_csv(client, report.pk)) for report in reports]

    # The reports agree with the counts, hide every small one and hide the same cells.
    everything = Holdings()
    for held in downloads:
        everything |= held
    for slug, counts in SERVED.items():
        program = quarter_served[slug]
        assert families_by_race_ethnicity(program=program, quarter=Q2) == {
            **dict.fromkeys(RACE_ETHNICITY_COLUMNS, 0),
            **counts,
        }
        for code in RACE_ETHNICITY_COLUMNS:
            printed = everything.figures[("race", slug, code)]
            count = counts.get(code, 0)
            assert printed == (HIDDEN if printed == HIDDEN else str(count))
            if 0 < count < 5:
                assert printed == HIDDEN
        assert everything.figures[("served", slug)] == str(sum(counts.values()))
    hidden = {figure for figure, printed in everything.figures.items() if printed == HIDDEN}
    for held in downloads:
        for figure, printed in held.figures.items():
            assert (printed == HIDDEN) == (figure in hidden), figure

    # Every combination of the four downloads.
    combinations = 0
    for size in range(1, len(downloads) + 1):
        for chosen in itertools.combinations(downloads, size):
            held = Holdings()
            for one in chosen:
                held |= one
            assert_safe(held, threshold=5)
            combinations += 1
    assert combinations == 15


def test_the_quarter_table_matches_each_program(quarter_served: dict[str, Program]) -> None:
    table = families_by_program_and_race_ethnicity(quarter=Q2)
    assert [slug for slug, _name in table.programs] == ["door", "jefferson", "rock"]
    for program in quarter_served.values():
        assert table.counts(program.slug) == families_by_race_ethnicity(program=program, quarter=Q2)
    assert table.counts(None) == families_by_race_ethnicity(program=None, quarter=Q2)
