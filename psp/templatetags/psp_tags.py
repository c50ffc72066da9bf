"""Template helpers shared by every app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.forms import BaseForm, BaseFormSet
from django.utils.text import capfirst
from django.utils.translation import gettext as _

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


def _audited_model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


@register.filter
def audit_model_name(object_type: str) -> str:
    """``{{ entry.object_type|audit_model_name }}``: "referrals.referral" as the reader's
    language names a referral; a type that is no model (any more) as it was written."""
    model = _audited_model(object_type)
    return _(str(model._meta.verbose_name)) if model is not None else object_type


@register.filter
def audit_field_name(field: str, object_type: str) -> str:
    """``{{ field|audit_field_name:entry.object_type }}``: a changed field's name in the
    reader's language, or as it was written when the model no longer has it."""
    model = _audited_model(object_type)
    if model is None:
        return field
    try:
        named = model._meta.get_field(field)
    except FieldDoesNotExist:
        return field
    if not isinstance(named, models.Field):  # a relation's reverse side has no name of its own
        return field
    # gettext again: the names Django made up are in psp/audit_names.py.
    return capfirst(_(str(named.verbose_name)))
