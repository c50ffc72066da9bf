"""What every list's filters share: a count of the filters in use, for the "2 filters on"
badge, a typed way to narrow a filter's choices to what the user may see, and the layout of
the list's filter panel (``templates/includes/filter_panel.html``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import django_filters
from django import forms
from django.db.models import QuerySet
from django.forms.utils import pretty_name
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from psp.forms import bound_dates

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class PanelField(NamedTuple):
    field: forms.BoundField
    width: int  # columns of the panel's twelve, on medium screens and wider


class FilterSet(django_filters.FilterSet):
    """Filters read from the URL, so Back and bookmarks keep them."""

    #: Parameters that shape the list without narrowing it: not counted as filters on.
    not_counted: frozenset[str] = frozenset({"sort"})
    #: The filter panel's fields in order, each with its width in twelfths of the row
    #: (``("q", 6)``); empty: every filter, a third of the row each.
    panel: tuple[tuple[str, int], ...] = ()
    #: Model choice filters the panel leaves out while the user has nothing to choose
    #: between (one choice or none), unless the URL gave them a value in error.
    hidden_without_choice: frozenset[str] = frozenset()

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

    @property
    def panel_fields(self) -> list[PanelField]:
        """The fields the filter panel shows, with their widths."""
        form = self.form
        layout = self.panel or tuple((name, 4) for name in form.fields)
        shown = []
        for name, width in layout:
            field = form[name]
            if name in self.hidden_without_choice and not field.errors:
                choices = field.field.queryset  # type: ignore[attr-defined]
                if len(choices) <= 1:
                    continue
            shown.append(PanelField(field, width))
        return shown

    def limit_choices(self, name: str, queryset: QuerySet[Any]) -> None:
        """Offer only ``queryset`` in the model choice filter ``name``."""
        field = self.filters[name]
        if not isinstance(field, django_filters.ModelChoiceFilter):
            raise TypeError(f"{name} is not a model choice filter")
        field.queryset = queryset


def _descending(label: Any) -> str:
    return _("%(field)s (descending)") % {"field": label}


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter's sort choices, with "(descending)" in the page's language: django-filter
    writes it once, in whatever language is on when the list's filters are defined."""

    def build_choices(
        self, fields: Any, labels: dict[str, StrOrPromise] | None
    ) -> list[tuple[str, str]]:
        labels = dict(labels or {})
        for field, param in fields.items():
            label = labels.get(field, pretty_name(param))
            labels.setdefault(f"-{param}", lazy(_descending, str)(label))
        return super().build_choices(fields, labels)
