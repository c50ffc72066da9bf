"""Paging for lists that grow with the years: a count that stops early.

Django's ``Paginator`` counts every matching row to number its pages; for a list of half a
million contacts that count is most of the page's time, and nobody reads page 20,000.
``CappedPaginator`` counts at most ``cap`` rows (10,000 unless told otherwise), or as many as
reach the page asked for: past that it knows only that there are more, and the page says
"more than 10,000" and keeps its Next link. Every page stays reachable, one Next at a time
or by its number in the address; the rows read for the count never exceed the cap plus the
rows before the page shown, however large the table grows.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

COUNT_CAP = 10_000
# Page numbers beyond this are taken as this one: the count of the rows before them must
# stay a number PostgreSQL's LIMIT takes.
_MAX_PAGE = 1_000_000


class CappedPaginator(Paginator):
    """A ``Paginator`` whose count reads at most ``cap`` rows past the page asked for.

    ``is_capped`` tells whether rows were left uncounted; then ``count`` is one more than
    ``counted_to`` (a row past the horizon is known to exist) and ``known_pages`` is how
    many full pages the counted rows fill. Ask for pages with ``get_page`` (it sets how far
    to count from the page number)."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.cap = COUNT_CAP if cap is None else cap
        self.counted_to = self.cap

    def get_page(self, number: Any) -> Page:
        try:
            wanted = min(max(int(number), 1), _MAX_PAGE)
        except (TypeError, ValueError, OverflowError):
            wanted = 1
        # Reset before anything is counted: ``count`` is worked out once.
        self.counted_to = max(self.cap, wanted * self.per_page)
        return super().get_page(number)

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet):
            # The order only costs here: any index that finds the rows counts them.
            return rows.order_by()[: self.counted_to + 1].count()
        return len(rows[: self.counted_to + 1])

    @property
    def is_capped(self) -> bool:
        return self.count > self.counted_to

    @property
    def known_pages(self) -> int:
        """The pages the counted rows fill (the rest of "more than N pages")."""
        return math.ceil(min(self.count, self.counted_to) / self.per_page)
