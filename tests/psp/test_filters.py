"""The filter panel's layout: which fields it shows, how wide, and when a choice is left out."""

from __future__ import annotations

from typing import Any

import django_filters
import pytest
from django.db.models import QuerySet
from django.http import QueryDict

from psp.filters import FilterSet
from psp.models import Program
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


class ProgramListFilter(FilterSet):
    name = django_filters.CharFilter(label="Name", lookup_expr="icontains")
    program = django_filters.ModelChoiceFilter(
        label="Program", field_name="pk", queryset=Program.objects.none()
    )
    county = django_filters.CharFilter(label="County")

    panel = (("name", 6), ("program", 3), ("county", 3))
    hidden_without_choice = frozenset({"program"})

    class Meta:
        model = Program
        fields = ["name", "program", "county"]

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_choices("program", programs)


def panel(query: str = "", programs: QuerySet[Program] | None = None) -> list[tuple[str, int]]:
    filters = ProgramListFilter(
        QueryDict(query) if query else None,
        queryset=Program.objects.all(),
        programs=Program.objects.all() if programs is None else programs,
    )
    return [(field.name, width) for field, width in filters.panel_fields]


def test_fields_come_in_the_panels_order_with_their_widths():
    ProgramFactory.create_batch(2)
    assert panel() == [("name", 6), ("program", 3), ("county", 3)]


def test_a_choice_between_one_program_or_none_is_left_out():
    only = ProgramFactory()
    assert panel(programs=Program.objects.filter(pk=only.pk)) == [("name", 6), ("county", 3)]
    assert panel(programs=Program.objects.none()) == [("name", 6), ("county", 3)]


def test_a_left_out_choice_comes_back_when_the_url_gave_it_in_error():
    only, other = ProgramFactory.create_batch(2)
    filtered = panel(f"program={other.pk}", programs=Program.objects.filter(pk=only.pk))
    assert filtered == [("name", 6), ("program", 3), ("county", 3)]


def test_only_the_named_filters_are_left_out_for_lack_of_choice():
    only = ProgramFactory()

    class EveryChoiceShown(ProgramListFilter):
        hidden_without_choice = frozenset()

    filters = EveryChoiceShown(
        None, queryset=Program.objects.all(), programs=Program.objects.filter(pk=only.pk)
    )
    assert [field.name for field, _ in filters.panel_fields] == ["name", "program", "county"]


def test_without_a_layout_every_filter_takes_a_third_of_the_row():
    class Plain(FilterSet):
        name = django_filters.CharFilter()
        county = django_filters.CharFilter()

        class Meta:
            model = Program
            fields = ["name", "county"]

    filters = Plain(None, queryset=Program.objects.all())
    assert [(field.name, width) for field, width in filters.panel_fields] == [
        ("name", 4),
        ("county", 4),
    ]


@pytest.mark.django_db
def test_descending_sort_choices_follow_the_pages_language(personas, client_for):
    """django-filter writes "(descending)" once, in the language of the moment the list's
    filters are defined; these follow the reader."""
    client = client_for(personas["door_coordinator"])
    page = client.get("/referrals/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Fecha en que se recibió (descendente)" in page
    assert "(descending)" not in page
    page = client.get("/referrals/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Date received (descending)" in page
