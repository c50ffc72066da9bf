"""psp.numbers: every figure rounds a half up, and rows shown with a total add up to it."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from psp.numbers import apportion, percent, round_half_up

D = Decimal


def test_a_half_rounds_up_not_to_even() -> None:
    # Python's round(12.5) is 12 and round(0.125, 2) is 0.12: the rule people use says 13, 0.13.
    assert round_half_up(D("12.5")) == D("13")
    assert round_half_up(D("13.5")) == D("14")
    assert round_half_up(0.125, 2) == D("0.13")
    assert round_half_up(Fraction(1, 4), 1) == D("0.3")  # 15 minutes in hours
    assert round_half_up(D("-2.5")) == D("-3")  # away from zero
    assert round_half_up(3, 1) == D("3.0")


def test_percent_of_one_in_eight_is_13() -> None:
    assert percent(1, 8) == D("13")  # 12.5
    assert percent(1, 8, 1) == D("12.5")
    assert percent(2, 3, 1) == D("66.7")
    assert percent(1, 3, 1) == D("33.3")
    assert percent(0, 0) is None


def test_apportion_adds_up_to_the_rounded_total() -> None:
    # 3 x 45 minutes: each 0.75 h would show 0.8 (2.4 in all), but 135 minutes are 2.25 h,
    # shown 2.3. Rounded down to 0.7 each (2.1); the 2 tenths missing go to the largest
    # remainders, all 0.05, so to the first two.
    assert apportion([Fraction(45, 60)] * 3, 1) == [D("0.8"), D("0.8"), D("0.7")]
    # 2, 2, 2 and 3 minutes: 9 minutes = 0.15 h, shown 0.2. Remainders 0.033.., 0.033..,
    # 0.033.., 0.05: the 3-minute row gets the first tenth, the first 2-minute row the second.
    # Adding the rows as decimals (0.0333..3 x 3 + 0.05 = 0.1499..) would have said 0.1.
    minutes = [2, 2, 2, 3]
    assert apportion([Fraction(m, 60) for m in minutes], 1) == [
        D("0.1"), D("0.0"), D("0.0"), D("0.1"),
    ]  # fmt: skip
    # Nothing to round: left alone, zeros included.
    assert apportion([Fraction(1, 2), 0, 2], 1) == [D("0.5"), D("0.0"), D("2.0")]
    assert apportion([], 1) == []


def test_apportion_tie_goes_to_the_larger_amount() -> None:
    # 0.25 + 1.25 = 1.5: floors 0.2 and 1.2 (1.4); one tenth missing; equal remainders 0.05,
    # so the larger amount (1.25) gets it.
    assert apportion([D("0.25"), D("1.25")], 1) == [D("0.2"), D("1.3")]
