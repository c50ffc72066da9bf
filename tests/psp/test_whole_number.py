"""Reading a whole number from a query string: anything else is None, never an error."""

from __future__ import annotations

import pytest

from psp.http import LARGEST_ID, whole_number


@pytest.mark.parametrize(
    "value",
    [None, "", "abc", "-1", "1.5", " 7", "\u00b2", "\u0662", str(LARGEST_ID + 1), "9" * 5000],
)
def test_what_is_not_a_whole_number_we_can_use_is_none(value):
    assert whole_number(value) is None


def test_a_whole_number_is_read_up_to_the_largest():
    assert whole_number("2025") == 2025
    assert whole_number(str(LARGEST_ID)) == LARGEST_ID
    assert whole_number("12", largest=9) is None
