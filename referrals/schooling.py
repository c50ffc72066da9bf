"""School years, grades and the transitions between schools, for school-based programs.

Wisconsin's school year runs from July 1 to June 30 (Wis. Stat. 115.001(13)); a school
year is named by the calendar year it starts in (2026 is 2026-27).
A grade is stored with the school year it was given in, so that it moves on by itself each
July: a child entered in grade 4 in 2026-27 is in grade 5 in 2027-28, without anyone
editing the record. Grades: -1 is 4-year-old kindergarten (4K), 0 kindergarten, 1 to 12.

The transitions Parent Peer Support helps families through (early childhood to
elementary, elementary to middle, middle to high school, high school to adult life) happen
when a child leaves the last grade of a level. A transition is planned in the spring
before it: from February 1 of the school year in that last grade (when IEP teams meet to
plan the next school's services) to the end of that school year.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from psp.dates import format_when

StrOrPromise = str | Promise

FOUR_K = -1
KINDERGARTEN = 0
LAST_GRADE = 12

GRADE_CHOICES = [
    (FOUR_K, _("4K (4-year-old kindergarten)")),
    (KINDERGARTEN, _("Kindergarten")),
    *[(grade, _("Grade %(grade)d") % {"grade": grade}) for grade in range(1, LAST_GRADE + 1)],
]

# A school year starts on July 1; transitions are planned from February 1.
YEAR_STARTS = (7, 1)
PLANNING_STARTS = (2, 1)


def school_year(on: datetime.date | None = None) -> int:
    """The school year ``on`` (today) is in, named by the year it starts."""
    day = on or timezone.localdate()
    return day.year if (day.month, day.day) >= YEAR_STARTS else day.year - 1


def grade_on(
    grade: int | None, given_in: int | None, on: datetime.date | None = None
) -> int | None:
    """The grade a child is in on ``on``: ``grade`` given in school year ``given_in``, plus a
    grade for each school year since. Past grade 12 the child has left school: ``None``.
    Before the year given (a date in the past) the grade is counted back, down to 4K."""
    if grade is None:
        return None
    if given_in is None:
        return grade
    now = grade + school_year(on) - given_in
    if now > LAST_GRADE:
        return None
    return max(now, FOUR_K)


def grade_label(grade: int | None) -> str:
    for value, label in GRADE_CHOICES:
        if value == grade:
            return str(label)
    return ""


@dataclass(frozen=True)
class SchoolTransition:
    key: str
    last_grade: int
    label: StrOrPromise


TRANSITIONS = [
    SchoolTransition("elementary", FOUR_K, _("From early childhood to elementary school")),
    SchoolTransition("middle", 5, _("From elementary to middle school")),
    SchoolTransition("high", 8, _("From middle to high school")),
    SchoolTransition("adult", LAST_GRADE, _("From high school to adult life")),
]
TRANSITION_CHOICES = [(t.key, t.label) for t in TRANSITIONS]


@dataclass(frozen=True)
class Upcoming:
    transition: SchoolTransition
    # The day planning starts and the last day of the school year before the move.
    plan_from: datetime.date
    by: datetime.date

    @property
    def label(self) -> str:
        return str(self.transition.label)

    @property
    def by_display(self) -> str:
        return format_when(self.by, "date")


def upcoming_transition(grade: int | None, on: datetime.date | None = None) -> Upcoming | None:
    """The transition a child in ``grade`` (their grade on ``on``) makes at the end of this
    school year, if they are in the last grade of a level; else None."""
    if grade is None:
        return None
    year = school_year(on)
    for transition in TRANSITIONS:
        if transition.last_grade == grade:
            return Upcoming(
                transition=transition,
                plan_from=datetime.date(year + 1, *PLANNING_STARTS),
                by=datetime.date(year + 1, 6, 30),
            )
    return None


def transition_due(grade: int | None, on: datetime.date | None = None) -> Upcoming | None:
    """The transition to plan now: the child's level ends this school year and planning
    has started (February 1 to June 30)."""
    day = on or timezone.localdate()
    upcoming = upcoming_transition(grade, day)
    if upcoming is None or not upcoming.plan_from <= day <= upcoming.by:
        return None
    return upcoming
