"""A rule checked by the model or a service, about a field the form shows under another name
or not at all, reaches the user as a message, never a server error."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError

from psp.forms import ModelForm, add_model_errors
from referrals.models import Parent

pytestmark = pytest.mark.django_db


class NameOnlyForm(ModelForm):
    """A parent form without the consent fields: the model's consent rule still runs."""

    class Meta:
        model = Parent
        fields = ["first_name", "last_name"]


def test_a_model_rule_about_a_field_not_on_the_form_is_shown_above_the_form():
    parent = Parent(first_name="Ana", last_name="Ruiz", consent_to_contact=True)
    form = NameOnlyForm({"first_name": "Ana", "last_name": "Ruiz"}, instance=parent)
    assert not form.is_valid()  # Django's own ModelForm raises ValueError here
    assert "Enter the date the parent agreed to be contacted." in form.non_field_errors()


class RenamedForm(ModelForm):
    error_fields = {"consent_date": "agreed_on"}
    agreed_on = forms.DateField(required=False)

    class Meta:
        model = Parent
        fields = ["first_name", "last_name", "consent_to_contact", "consent_method"]


def test_a_model_rule_goes_to_the_field_the_user_typed():
    form = RenamedForm(
        {"first_name": "Ana", "last_name": "Ruiz", "consent_to_contact": "on"},
        instance=Parent(),
    )
    assert not form.is_valid()
    assert form.errors["agreed_on"] == ["Enter the date the parent agreed to be contacted."]
    assert form.errors["consent_method"] == ["Choose how the parent agreed."]


class PlainForm(forms.Form):
    error_fields = {"occurred_on": "date"}
    date = forms.DateField()


@pytest.mark.parametrize(
    "error, field, message",
    [
        (ValidationError({"occurred_on": "Too early."}), "date", "Too early."),
        (ValidationError({"unknown_field": "Not here."}), "__all__", "Not here."),
        (ValidationError("Plain."), "__all__", "Plain."),
        (ValidationError(["One.", "Two."]), "__all__", "Two."),
    ],
)
def test_service_errors_land_on_the_form(error: Any, field: str, message: str):
    form = PlainForm({"date": "2026-11-30"})
    assert form.is_valid()
    add_model_errors(form, error)
    assert message in form.errors[field]
