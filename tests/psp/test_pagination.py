"""The capped paginator long lists use: a count that stops at the cap and says "more than",
with every page still reachable one Next at a time or by its number."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from psp.models import Program
from psp.pagination import CappedPaginator
from tests.factories import ProgramFactory


def test_a_list_within_the_cap_is_counted_exactly():
    paginator = CappedPaginator(list(range(60)), 25, cap=100)
    paginator.get_page(1)
    assert paginator.count == 60
    assert not paginator.is_capped
    assert paginator.num_pages == 3


def test_a_list_past_the_cap_says_more_and_keeps_its_next_page():
    rows = list(range(1000))
    paginator = CappedPaginator(rows, 25, cap=100)
    paginator.get_page(1)
    assert paginator.is_capped
    assert paginator.counted_to == 100
    assert paginator.known_pages == 4
    last_counted = CappedPaginator(rows, 25, cap=100).get_page(4)
    assert last_counted.has_next()
    assert last_counted.next_page_number() == 5
    further = CappedPaginator(rows, 25, cap=100)
    beyond = further.get_page(5)
    assert list(beyond.object_list) == list(range(100, 125))
    assert beyond.has_next() and beyond.has_previous()
    assert further.counted_to == 125


def test_the_last_page_past_the_cap_has_no_next():
    rows = list(range(130))
    paginator = CappedPaginator(rows, 25, cap=100)
    page = paginator.get_page(6)
    assert list(page.object_list) == list(range(125, 130))
    assert not page.has_next()
    assert not paginator.is_capped
    assert paginator.num_pages == 6


@pytest.mark.parametrize("number", ["", "abc", "0", "-3", None, "9" * 40])
def test_any_page_number_gives_a_page(number):
    page = CappedPaginator(list(range(60)), 25, cap=100).get_page(number)
    assert page.number in {1, 3}


@pytest.mark.django_db
def test_a_queryset_is_counted_up_to_the_cap_without_its_order():
    ProgramFactory.create_batch(5)
    programs = Program.objects.order_by("name")
    with CaptureQueriesContext(connection) as captured:
        paginator = CappedPaginator(programs, 2, cap=4)
        page = paginator.get_page(1)
        assert paginator.is_capped
    [count] = [query["sql"] for query in captured.captured_queries if "COUNT" in query["sql"]]
    assert "LIMIT 5" in count
    assert "ORDER BY" not in count
    assert [program.name for program in page] == list(programs.values_list("name", flat=True)[:2])
