"""The report's numbers, percents, changes and dollars as each language writes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from reporting import numbers


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["12,345", "6.8", "0.0", "+1,234", "\u22123", "0", "13.5%", "$1,284.50"]),
        # Spanish as written in the United States (es_US), not Spain's 1.234,50 US$.
        ("es", ["12,345", "6.8", "0.0", "+1,234", "\u22123", "0", "13.5%", "$1,284.50"]),
        # No CLDR data for Hmong yet: written as in English, the site's default language.
        ("hmn", ["12,345", "6.8", "0.0", "+1,234", "\u22123", "0", "13.5%", "$1,284.50"]),
    ],
)
def test_numbers_follow_the_active_language(language: str, expected: list[str]) -> None:
    with translation.override(language):
        shown = [
            numbers.number(12345),
            numbers.number(Decimal("6.8")),
            numbers.number(Decimal("0.0")),  # keeps the place it was rounded to
            numbers.signed(1234),
            numbers.signed(-3),
            numbers.signed(Decimal("0.0")),
            numbers.percent(Decimal("13.5")),
            numbers.money(Decimal("1284.50")),
        ]
    assert shown == expected


def test_what_is_not_a_number_is_left_as_it_is() -> None:
    # A hidden count, a missing median.
    assert numbers.number("*") == "*"
    assert numbers.number(None) is None
    assert numbers.percent(None) is None
    assert numbers.number("1500") == "1,500"
