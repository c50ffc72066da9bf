"""Quarter arithmetic."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from reporting.quarters import Quarter

date = datetime.date


def test_bounds_and_label() -> None:
    quarter = Quarter(2026, 3)
    assert (quarter.start, quarter.end, quarter.label) == (
        date(2026, 7, 1),
        date(2026, 9, 30),
        "2026 Q3",
    )
    assert Quarter(2024, 1).end == date(2024, 3, 31)
    assert Quarter(2026, 4).end == date(2026, 12, 31)


def test_from_date_on_the_boundaries() -> None:
    assert Quarter.from_date(date(2026, 3, 31)) == Quarter(2026, 1)
    assert Quarter.from_date(date(2026, 4, 1)) == Quarter(2026, 2)


def test_previous_and_last_completed() -> None:
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2026, 3).previous() == Quarter(2026, 2)
    assert Quarter.last_completed(date(2026, 4, 1)) == Quarter(2026, 1)
    assert Quarter.last_completed(date(2026, 1, 15)) == Quarter(2025, 4)


def test_months_and_twelve_months_ending() -> None:
    assert Quarter(2026, 1).months() == [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 31)),
    ]
    assert Quarter(2026, 2).twelve_months_ending() == (date(2025, 7, 1), date(2026, 6, 30))
    assert Quarter(2026, 4).twelve_months_ending() == (date(2026, 1, 1), date(2026, 12, 31))


def test_quarter_number_is_checked() -> None:
    with pytest.raises(ValueError):
        Quarter(2026, 5)


def test_a_quarter_is_named_in_the_readers_language() -> None:
    with translation.override("en"):
        assert Quarter(2026, 3).label == "2026 Q3"
    with translation.override("es"):
        assert Quarter(2026, 3).label == "T3 2026"
    with translation.override("hmn"):  # no translation yet: English
        assert Quarter(2026, 3).label == "2026 Q3"
