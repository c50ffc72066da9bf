"""Template helpers shared by every app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.forms import BaseForm, BaseFormSet

from psp.models import Program

register = template.Library()


@register.filter
def role_label(program: Program, role: str) -> str:
    """``{{ program|role_label:membership.role }}``: the program's own name for a role."""
    return program.role_label(role)


@register.filter
def get_item(mapping: dict, key: object) -> object:
    """``{{ names|get_item:entry.program_id }}``: a dictionary lookup by a variable key."""
    return mapping.get(key, "")


@register.filter
def make_list_of_one(value: object) -> list[object]:
    return [value]


@register.filter
def forms_have_errors(forms: Iterable[BaseForm | BaseFormSet[Any]]) -> bool:
    """True when any form or formset in ``forms`` has an error to show."""
    for form in forms:
        total = getattr(form, "total_error_count", None)
        if total is not None:  # a formset
            if form.is_bound and total():
                return True
        elif getattr(form, "errors", None):
            return True
    return False


@register.filter
def error_anchor(field: object) -> str:
    """The id an error summary links to: the field, or its first option for radios and
    checkboxes (as GOV.UK does)."""
    target = getattr(field, "id_for_label", "") or ""
    if target:
        return str(target)
    auto_id = getattr(field, "auto_id", "") or ""
    return f"{auto_id}_0" if auto_id else ""
