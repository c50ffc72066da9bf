"""The two CFSR Round 4 indicators at their edges, one child at a time.

Each case is one child of a family the program has served since 2023, with the stays in care
listed as (removed, discharged, reason). The expected (numerator, denominator) is worked out
by hand in the case's comment. Unless a case says otherwise the report is 2026 Q2 (ending
30 June 2026), so the permanency indicator follows the children who entered care from
1 July 2024 to 30 June 2025 and the re-entry indicator those who entered from 1 July 2023 to
30 June 2024 (``test_target_periods``).

"Within 12 months" is the CFSR's: the later date is before the same day of the month 12
months on (``add_months``), so from 15 July 2024 a discharge on 14 July 2025 (day 364) is
within, 15 July 2025 (day 365) and 16 July 2025 (day 366) are not; across a 29 February the
12 months are 366 days.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from psp.models import Program
from referrals.models import DischargeReason
from reporting import metrics
from reporting.metrics import Indicator, TargetPeriod
from reporting.quarters import Quarter
from tests.factories import ChildFactory, FamilyFactory, ReferralFactory, RemovalEpisodeFactory
from tests.reporting.conftest import case

pytestmark = pytest.mark.django_db

date = datetime.date
Q2_2026 = Quarter(2026, 2)
HOME = DischargeReason.REUNIFICATION
Stay = tuple[datetime.date, datetime.date | None, str]


def served_child(program: Program, born: datetime.date, *stays: Stay) -> None:
    family = FamilyFactory(program=program)
    case(ReferralFactory(family=family, members=False), date(2023, 1, 1))
    child = ChildFactory(family=family, birth_date=born, episode=False)
    for removed, discharged, reason in stays:
        RemovalEpisodeFactory(
            child=child, removed_on=removed, discharged_on=discharged, discharge_reason=reason
        )


def indicators(program: Program, quarter: Quarter = Q2_2026) -> tuple[Any, Any]:
    result = metrics.outcome_metrics(program=program, quarter=quarter)
    permanency, reentry = result.permanency_in_12_months, result.reentry_in_12_months
    return (
        (permanency.numerator, permanency.denominator),
        (reentry.numerator, reentry.denominator),
    )


def test_target_periods() -> None:
    # 2026 Q2 ends 30 June 2026. Permanency: the 12 months ending a year earlier, so an entry
    # on their last day (30 June 2025) has until 29 June 2026 to leave care. Re-entry: two
    # years earlier, so an entry on 30 June 2024 may leave by 29 June 2025 and re-enter by
    # 28 June 2026.
    assert metrics.permanency_target_period(Q2_2026) == TargetPeriod(
        date(2024, 7, 1), date(2025, 6, 30)
    )
    assert metrics.reentry_target_period(Q2_2026) == TargetPeriod(
        date(2023, 7, 1), date(2024, 6, 30)
    )
    # 2025 Q1 ends 31 March 2025: entries from 1 April 2023 to 31 March 2024.
    assert metrics.permanency_target_period(Quarter(2025, 1)) == TargetPeriod(
        date(2023, 4, 1), date(2024, 3, 31)
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 7, 15), 12, date(2025, 7, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # no 29 February in 2025: its last day
        (date(2023, 3, 1), 12, date(2024, 3, 1)),  # 366 days: 29 February 2024 between
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
        (date(2025, 11, 30), 24, date(2027, 11, 30)),
    ],
)
def test_add_months(day: datetime.date, months: int, expected: datetime.date) -> None:
    assert metrics.add_months(day, months) == expected


PERMANENCY_CASES: list[tuple[str, datetime.date, list[Stay], tuple[int, int]]] = [
    # Removed 1 Sep 2024, home 8 Sep: 7 days in care, under 8 -> left out.
    ("stay_of_7_days", date(2015, 1, 1), [(date(2024, 9, 1), date(2024, 9, 8), HOME)], (0, 0)),
    # Home 9 Sep: 8 days -> in, and home within 12 months -> 1 of 1.
    ("stay_of_8_days", date(2015, 1, 1), [(date(2024, 9, 1), date(2024, 9, 9), HOME)], (1, 1)),
    # Born 1 Sep 2006, removed on the 18th birthday -> 18 on entering: left out.
    (
        "entered_on_18th_birthday",
        date(2006, 9, 1),
        [(date(2024, 9, 1), date(2024, 12, 1), HOME)],
        (0, 0),
    ),
    # Born 2 Sep 2006, removed 1 Sep 2024, the day before the 18th birthday: 17, in. Home
    # 1 Dec 2024, after the 18th birthday: not permanency -> 0 of 1.
    (
        "entered_the_day_before_18th_birthday",
        date(2006, 9, 2),
        [(date(2024, 9, 1), date(2024, 12, 1), HOME)],
        (0, 1),
    ),
    # Born 1 Dec 2006: home on 30 Nov 2024, the day before the 18th birthday -> 1 of 1 ...
    (
        "home_the_day_before_18th_birthday",
        date(2006, 12, 1),
        [(date(2024, 9, 1), date(2024, 11, 30), HOME)],
        (1, 1),
    ),
    # ... home on the 18th birthday itself -> 0 of 1.
    (
        "home_on_18th_birthday",
        date(2006, 12, 1),
        [(date(2024, 9, 1), date(2024, 12, 1), HOME)],
        (0, 1),
    ),
    # Removed 15 Jul 2024. Day 364 = 14 Jul 2025 < 15 Jul 2025 -> 1 of 1.
    ("home_on_day_364", date(2015, 1, 1), [(date(2024, 7, 15), date(2025, 7, 14), HOME)], (1, 1)),
    # Day 365 = 15 Jul 2025, not before 15 Jul 2025 -> 0 of 1.
    ("home_on_day_365", date(2015, 1, 1), [(date(2024, 7, 15), date(2025, 7, 15), HOME)], (0, 1)),
    # Day 366 = 16 Jul 2025 -> 0 of 1.
    ("home_on_day_366", date(2015, 1, 1), [(date(2024, 7, 15), date(2025, 7, 16), HOME)], (0, 1)),
    # 11 months (15 Jun 2025) -> 1 of 1; 13 months (15 Aug 2025) -> 0 of 1.
    (
        "home_after_11_months",
        date(2015, 1, 1),
        [(date(2024, 7, 15), date(2025, 6, 15), HOME)],
        (1, 1),
    ),
    (
        "home_after_13_months",
        date(2015, 1, 1),
        [(date(2024, 7, 15), date(2025, 8, 15), HOME)],
        (0, 1),
    ),
    # Adoption and guardianship are permanency; aging out and "other" are not.
    (
        "adopted",
        date(2015, 1, 1),
        [(date(2024, 9, 1), date(2025, 5, 1), DischargeReason.ADOPTION)],
        (1, 1),
    ),
    (
        "left_for_another_reason",
        date(2015, 1, 1),
        [(date(2024, 9, 1), date(2025, 5, 1), DischargeReason.OTHER)],
        (0, 1),
    ),
    # Entered on the period's last day (30 Jun 2025), still in care on 30 Jun 2026 -> 0 of 1.
    ("still_in_care", date(2015, 1, 1), [(date(2025, 6, 30), None, "")], (0, 1)),
    # Entered 1 Jul 2025, after the period -> not in it (nor is 30 Jun 2024, before).
    ("entered_after_the_period", date(2015, 1, 1), [(date(2025, 7, 1), None, "")], (0, 0)),
    ("entered_before_the_period", date(2015, 1, 1), [(date(2024, 6, 30), None, "")], (0, 0)),
    # First stay Jan-Mar 2024 (before the period); second removal 1 Oct 2024 in it, home
    # 1 Mar 2025 -> the child is in the cohort by the second stay: 1 of 1. (With one
    # removal date per child this child could not be counted.)
    (
        "second_stay_starts_in_the_period",
        date(2015, 1, 1),
        [(date(2024, 1, 1), date(2024, 3, 1), HOME), (date(2024, 10, 1), date(2025, 3, 1), HOME)],
        (1, 1),
    ),
    # Two removals in the period: counted once, by the first (home within 12 months) -> 1 of 1.
    (
        "two_stays_in_the_period",
        date(2015, 1, 1),
        [(date(2024, 8, 1), date(2024, 10, 1), HOME), (date(2024, 12, 1), None, "")],
        (1, 1),
    ),
    # First removal in the period 1 Sep 2024, home 6 Sep: 5 days, under 8. Removed again
    # 1 Oct 2024, home 1 Mar 2025 (within 12 months). Only the first entry in the period is
    # evaluated, and it is excluded, so the child is left out -> 0 of 0. (Counted by the
    # later stay instead, it would be 1 of 1.)
    (
        "short_first_stay_then_a_longer_one",
        date(2015, 1, 1),
        [(date(2024, 9, 1), date(2024, 9, 6), HOME), (date(2024, 10, 1), date(2025, 3, 1), HOME)],
        (0, 0),
    ),
    # A 5-day stay just before the period (20-25 Jun 2024) is not in it: the first removal in
    # the period is 1 Sep 2024, home 1 Jan 2025 -> 1 of 1.
    (
        "short_stay_before_the_period",
        date(2015, 1, 1),
        [(date(2024, 6, 20), date(2024, 6, 25), HOME), (date(2024, 9, 1), date(2025, 1, 1), HOME)],
        (1, 1),
    ),
]


@pytest.mark.parametrize(
    ("born", "stays", "expected"),
    [case[1:] for case in PERMANENCY_CASES],
    ids=[case[0] for case in PERMANENCY_CASES],
)
def test_permanency_in_12_months(
    door: Program, born: datetime.date, stays: list[Stay], expected: tuple[int, int]
) -> None:
    served_child(door, born, *stays)
    assert indicators(door)[0] == expected


def test_permanency_across_a_leap_day(door: Program) -> None:
    # 2025 Q2 ends 30 June 2025: entries from 1 July 2023 to 30 June 2024. Removed 1 Sep
    # 2023; 12 months later is 1 Sep 2024, 366 days on (29 Feb 2024 between). Home on day
    # 365 (31 Aug 2024) -> within; on day 366 (1 Sep 2024) -> not: 1 of 2.
    served_child(door, date(2015, 1, 1), (date(2023, 9, 1), date(2024, 8, 31), HOME))
    served_child(door, date(2015, 1, 1), (date(2023, 9, 1), date(2024, 9, 1), HOME))
    assert indicators(door, Quarter(2025, 2))[0] == (1, 2)


def test_permanency_from_29_february(door: Program) -> None:
    # 2025 Q1: entries from 1 April 2023 to 31 March 2024. Removed 29 Feb 2024; 12 months
    # later is 28 Feb 2025 (no 29th). Home 27 Feb 2025 -> within; 28 Feb 2025 -> not: 1 of 2.
    served_child(door, date(2015, 1, 1), (date(2024, 2, 29), date(2025, 2, 27), HOME))
    served_child(door, date(2015, 1, 1), (date(2024, 2, 29), date(2025, 2, 28), HOME))
    assert indicators(door, Quarter(2025, 1))[0] == (1, 2)


REENTRY_CASES: list[tuple[str, datetime.date, list[Stay], tuple[int, int]]] = [
    # Removed 1 Sep 2023 (in the period), home 15 Jan 2024, removed again 14 Jan 2025: before
    # 15 Jan 2025 -> 1 of 1.
    (
        "reentered_the_day_before_12_months",
        date(2015, 1, 1),
        [(date(2023, 9, 1), date(2024, 1, 15), HOME), (date(2025, 1, 14), None, "")],
        (1, 1),
    ),
    # Removed again exactly 12 months after going home (15 Jan 2025) -> 0 of 1.
    (
        "reentered_exactly_12_months_after",
        date(2015, 1, 1),
        [(date(2023, 9, 1), date(2024, 1, 15), HOME), (date(2025, 1, 15), None, "")],
        (0, 1),
    ),
    # Went to live with relatives, then guardianship: both followed for re-entry.
    (
        "relative_then_reentered",
        date(2015, 1, 1),
        [
            (date(2023, 9, 1), date(2024, 1, 15), DischargeReason.RELATIVE_CUSTODY),
            (date(2024, 6, 1), None, ""),
        ],
        (1, 1),
    ),
    (
        "guardianship_never_reentered",
        date(2015, 1, 1),
        [(date(2023, 9, 1), date(2024, 1, 15), DischargeReason.GUARDIANSHIP)],
        (0, 1),
    ),
    # Adopted: not a discharge after which re-entry is measured -> not in the denominator.
    (
        "adopted",
        date(2015, 1, 1),
        [(date(2023, 9, 1), date(2024, 1, 15), DischargeReason.ADOPTION)],
        (0, 0),
    ),
    # Home after 13 months (1 Oct 2024): not within 12 months of entering -> not in it.
    (
        "home_after_13_months",
        date(2015, 1, 1),
        [(date(2023, 9, 1), date(2024, 10, 1), HOME), (date(2024, 11, 1), None, "")],
        (0, 0),
    ),
    # Born 1 Dec 2005: removed at 17 (1 Sep 2023), home on the 18th birthday (1 Dec 2023):
    # an exit at 18 leaves the denominator, whatever followed -> 0 of 0.
    (
        "went_home_at_18",
        date(2005, 12, 1),
        [(date(2023, 9, 1), date(2023, 12, 1), HOME), (date(2024, 2, 1), None, "")],
        (0, 0),
    ),
    # Home the day before (30 Nov 2023, aged 17), removed again 1 Feb 2024 -> 1 of 1.
    (
        "went_home_at_17",
        date(2005, 12, 1),
        [(date(2023, 9, 1), date(2023, 11, 30), HOME), (date(2024, 2, 1), None, "")],
        (1, 1),
    ),
    # A 5-day stay (1-6 Sep 2023) is left out, even when the child re-enters.
    (
        "short_stay",
        date(2015, 1, 1),
        [(date(2023, 9, 1), date(2023, 9, 6), HOME), (date(2023, 10, 1), None, "")],
        (0, 0),
    ),
    # First removal in the period 1 Sep 2023, home 6 Sep (5 days: excluded). Removed again
    # 1 Oct 2023, home 1 Feb 2024 (within 12 months), removed a third time 1 Jun 2024 (within
    # 12 months of 1 Feb). The first entry decides, as for permanency: left out -> 0 of 0.
    # (Counted by the 1 Oct entry instead, it would be 1 of 1.)
    (
        "short_first_stay_then_a_longer_one",
        date(2015, 1, 1),
        [
            (date(2023, 9, 1), date(2023, 9, 6), HOME),
            (date(2023, 10, 1), date(2024, 2, 1), HOME),
            (date(2024, 6, 1), None, ""),
        ],
        (0, 0),
    ),
]


@pytest.mark.parametrize(
    ("born", "stays", "expected"),
    [case[1:] for case in REENTRY_CASES],
    ids=[case[0] for case in REENTRY_CASES],
)
def test_reentry_in_12_months(
    door: Program, born: datetime.date, stays: list[Stay], expected: tuple[int, int]
) -> None:
    served_child(door, born, *stays)
    assert indicators(door)[1] == expected


def test_the_indicator_counts_children_the_program_served(door: Program, rock: Program) -> None:
    # A Door child home within 12 months, and a Door family whose case closed before the
    # target period began (31 May 2024): only the first -> 1 of 1, 100.0%.
    served_child(door, date(2015, 1, 1), (date(2024, 9, 1), date(2025, 1, 1), HOME))
    family = FamilyFactory(program=door)
    case(ReferralFactory(family=family, members=False), date(2023, 1, 1), date(2024, 5, 31))
    child = ChildFactory(family=family, birth_date=date(2015, 1, 1), episode=False)
    RemovalEpisodeFactory(child=child, removed_on=date(2024, 9, 1))
    result = metrics.outcome_metrics(program=door, quarter=Q2_2026)
    assert result.permanency_in_12_months == Indicator(1, 1, Decimal("100.0"))
    assert metrics.outcome_metrics(program=rock, quarter=Q2_2026).permanency_in_12_months == (
        Indicator(0, 0, None)
    )
