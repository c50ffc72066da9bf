"""Calendar quarters: the periods the state report covers.

``Quarter(2026, 3)`` runs from 1 July to 30 September 2026 (``end`` is inclusive). Reports are
made for the last completed quarter and compared with the one before it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import pgettext


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"A quarter number is 1 to 4, not {self.number}.")

    @classmethod
    def from_date(cls, day: datetime.date) -> Quarter:
        """The quarter ``day`` falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def last_completed(cls, today: datetime.date | None = None) -> Quarter:
        """The most recent quarter that has ended before ``today`` (default: today)."""
        return cls.from_date(today or timezone.localdate()).previous()

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> datetime.date:
        """The last day of the quarter (inclusive)."""
        return self.next().start - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        # "Q3" in English, "T3" (trimestre) in Spanish.
        return pgettext("quarter of the year", "%(year)s Q%(number)s") % {
            "year": self.year,
            "number": self.number,
        }

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def months(self) -> list[tuple[datetime.date, datetime.date]]:
        """The quarter's three months as (first day, last day) pairs."""
        starts = [datetime.date(self.year, self.start.month + offset, 1) for offset in range(3)]
        ends = [*(later - datetime.timedelta(days=1) for later in starts[1:]), self.end]
        return list(zip(starts, ends, strict=True))

    def twelve_months_ending(self) -> tuple[datetime.date, datetime.date]:
        """The 12-month period that ends on the quarter's last day (this and the three quarters
        before it)."""
        return Quarter(self.year - 1, self.number).next().start, self.end

    def __str__(self) -> str:
        return self.label
