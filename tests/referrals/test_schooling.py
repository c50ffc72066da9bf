"""School years, grades and transitions (``referrals.schooling``): a grade moves on by itself
each July 1 in the program's time zone, and a move to a new school is planned from February 1
to June 30 of the year before it."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from referrals import schooling
from tests.clock import CHICAGO


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (datetime.date(2026, 6, 30), 2025),
        (datetime.date(2026, 7, 1), 2026),
        (datetime.date(2026, 12, 31), 2026),
        (datetime.date(2027, 1, 1), 2026),
    ],
)
def test_a_school_year_starts_on_july_first(day, year):
    assert schooling.school_year(day) == year


@pytest.mark.parametrize(
    ("moment", "year"),
    [
        # 00:30 on July 1 in Wisconsin (05:30 UTC): the new school year has begun.
        (datetime.datetime(2026, 7, 1, 0, 30, tzinfo=CHICAGO), 2026),
        # 23:30 on June 30 in Wisconsin is 04:30 UTC on July 1: still the old year.
        (datetime.datetime(2026, 6, 30, 23, 30, tzinfo=CHICAGO), 2025),
    ],
)
def test_the_school_year_is_the_programs_at_any_hour(moment, year):
    with time_machine.travel(moment, tick=False):
        assert schooling.school_year() == year


def test_a_grade_moves_on_each_school_year_and_ends_after_grade_12():
    assert schooling.grade_on(4, 2026, datetime.date(2026, 9, 1)) == 4
    assert schooling.grade_on(4, 2026, datetime.date(2027, 6, 30)) == 4
    assert schooling.grade_on(4, 2026, datetime.date(2027, 7, 1)) == 5
    assert schooling.grade_on(12, 2026, datetime.date(2027, 7, 1)) is None
    assert schooling.grade_on(schooling.FOUR_K, 2026, datetime.date(2027, 8, 1)) == 0
    # Asked about a day before the year it was given: counted back, never below 4K.
    assert schooling.grade_on(0, 2026, datetime.date(2020, 1, 1)) == schooling.FOUR_K
    assert schooling.grade_on(None, 2026) is None


@given(
    grade=st.integers(schooling.FOUR_K, schooling.LAST_GRADE),
    given_in=st.integers(2000, 2040),
    day=st.dates(datetime.date(2000, 1, 1), datetime.date(2060, 12, 31)),
    later=st.integers(0, 4000),
)
def test_a_grade_never_goes_back_and_stays_a_grade(grade, given_in, day, later):
    now = schooling.grade_on(grade, given_in, day)
    after = schooling.grade_on(grade, given_in, day + datetime.timedelta(days=later))
    if now is not None:
        assert schooling.FOUR_K <= now <= schooling.LAST_GRADE
        assert after is None or after >= now
    else:
        assert after is None  # once out of school, always out


@pytest.mark.parametrize(
    ("grade", "day", "move"),
    [
        (5, datetime.date(2027, 1, 31), None),  # not yet: planning starts February 1
        (5, datetime.date(2027, 2, 1), "middle"),
        (5, datetime.date(2027, 6, 30), "middle"),
        (8, datetime.date(2027, 3, 15), "high"),
        (schooling.FOUR_K, datetime.date(2027, 4, 1), "elementary"),
        (12, datetime.date(2027, 5, 1), "adult"),
        (6, datetime.date(2027, 3, 1), None),  # no move after grade 6
        (5, datetime.date(2026, 12, 1), None),  # in grade 5, but before planning starts
    ],
)
def test_a_move_is_planned_in_the_spring_before_it(grade, day, move):
    due = schooling.transition_due(grade, day)
    assert (due.transition.key if due else None) == move
    if due:
        assert due.by == datetime.date(2027, 6, 30)


def test_after_june_30_the_move_is_made_and_the_next_year_has_none():
    # A fifth grader given in 2026-27 is a sixth grader on July 1, 2027: nothing to plan.
    grade = schooling.grade_on(5, 2026, datetime.date(2027, 7, 1))
    assert grade == 6
    assert schooling.transition_due(grade, datetime.date(2027, 7, 1)) is None
