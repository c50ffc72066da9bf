"""How figures are rounded wherever people read them: one rule, half up.

Python's ``round`` and ``Decimal.quantize`` without a rounding mode round a half to the even
neighbour (12.5 becomes 12, 0.25 becomes 0.2); people, and the state's checkers, round a half
up (12.5 becomes 13). Every figure the application shows or exports is rounded here:

- ``round_half_up(value, places)``: one number, a half away from zero.
- ``percent(part, whole, places)``: ``100 * part / whole``, rounded the same way; ``None``
  when ``whole`` is 0 (no share to speak of).
- ``apportion(amounts, places)``: several numbers shown beside their total, rounded so that
  they add up to the total rounded by ``round_half_up`` (the largest remainder method).
- ``DecimalSum``: a decimal column's sum with the column's places, on SQLite too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Sum

Number = int | Decimal | Fraction


def _fraction(value: Number | float) -> Fraction:
    # A float by its shortest repr (0.125), not its binary expansion.
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def _units(value: Fraction, places: int) -> int:
    """``value`` in units of the last place, a half rounded away from zero."""
    scaled = value * 10**places
    rounded = math.floor(abs(scaled) + Fraction(1, 2))
    return rounded if scaled >= 0 else -rounded


def _decimal(units: int, places: int) -> Decimal:
    return Decimal(units).scaleb(-places)


def round_half_up(value: Number | float, places: int = 0) -> Decimal:
    """``value`` to ``places`` decimal places, a half rounded away from zero."""
    return _decimal(_units(_fraction(value), places), places)


def percent(part: int, whole: int, places: int = 0) -> Decimal | None:
    """``part`` as a percent of ``whole`` (1 of 8 is 12.5, shown as 13 with no places);
    ``None`` when ``whole`` is 0. Computed exactly, so a half is seen as a half."""
    if not whole:
        return None
    return round_half_up(Fraction(100 * part, whole), places)


def apportion(amounts: Sequence[Number], places: int = 0) -> list[Decimal]:
    """``amounts`` (none negative) rounded to ``places`` so that they add up to
    ``round_half_up`` of their sum (the largest remainder, or Hamilton, method).

    Each amount is first rounded down; the units still missing from the rounded total go,
    one each, to the amounts that lost the most in rounding down (on a tie, the larger
    amount, then the earlier one). Every result is therefore within one unit of its amount,
    an amount with nothing to round stays as it is, and the rows add up to the total shown.
    """
    exact = [_fraction(amount) * 10**places for amount in amounts]
    floors = [math.floor(value) for value in exact]
    missing = _units(sum(exact, Fraction(0)), 0) - sum(floors)
    order = sorted(
        range(len(exact)), key=lambda index: (floors[index] - exact[index], -exact[index], index)
    )
    units = list(floors)
    for index in order[:missing]:
        units[index] += 1
    return [_decimal(value, places) for value in units]


class DecimalSum(Sum):
    """``Sum`` of a decimal column, given back with the column's places on every database.

    PostgreSQL's sum of a ``numeric(6, 1)`` keeps one place (143.3); SQLite sums in floating
    point, and Django quantizes only a column read as it is, so the same sum came back as
    143.300000000000 (and was shown so). Rounded half up, as every figure here is."""

    def get_db_converters(self, connection: Any) -> list[Any]:
        places = getattr(self.output_field, "decimal_places", None)
        if places is None:
            return super().get_db_converters(connection)

        def to_places(value: Any, expression: Any, connection: Any) -> Any:
            return None if value is None else round_half_up(value, places)

        return [*super().get_db_converters(connection), to_places]
