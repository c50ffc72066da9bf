"""What every list's filters share: a count of the filters in use, for the "2 filters on"
badge, and a typed way to narrow a filter's choices to what the user may see."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from psp.forms import bound_dates


class FilterSet(django_filters.FilterSet):
    """Filters read from the URL, so Back and bookmarks keep them."""

    #: Parameters that shape the list without narrowing it: not counted as filters on.
    not_counted: frozenset[str] = frozenset({"sort"})

    @property
    def form(self) -> forms.Form:
        # Date filters take the years and messages of every other date box.
        form = super().form
        bound_dates(form)
        return form

    @property
    def active_count(self) -> int:
        data = self.data
        if not self.is_bound or data is None:
            return 0
        return sum(1 for name in self.filters if name not in self.not_counted and data.get(name))

    def limit_choices(self, name: str, queryset: QuerySet[Any]) -> None:
        """Offer only ``queryset`` in the model choice filter ``name``."""
        field = self.filters[name]
        if not isinstance(field, django_filters.ModelChoiceFilter):
            raise TypeError(f"{name} is not a model choice filter")
        field.queryset = queryset
