"""``|as_field`` and ``|as_fields`` (psp.templatetags.psp_fields) write a field from one
template, where crispy-forms' ``|as_crispy_field`` and ``|crispy`` include four or five: the
markup must be what crispy-bootstrap5's own templates write, so that labels, legends, ids,
aria attributes, errors and help texts (what a person sees and a screen reader reads) stay
the same. Whitespace between tags may differ; HTML makes nothing of it."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.template import Context, Engine

from psp.forms import RecentDateInput, SplitDateField
from psp.models import Program
from psp.templatetags.psp_fields import as_field, as_fields
from referrals.forms import ChildIntakeForm, ParentForm, ReferralForm
from tests.psp.test_widget_templates import Everything

# crispy-bootstrap5's templates as the packages ship them, without the project's in front.
PACKAGES = Engine(
    loaders=["django.template.loaders.app_directories.Loader"],
    libraries={
        "crispy_forms_field": "crispy_forms.templatetags.crispy_forms_field",
        "crispy_forms_filters": "crispy_forms.templatetags.crispy_forms_filters",
        "crispy_forms_utils": "crispy_forms.templatetags.crispy_forms_utils",
        "l10n": "django.templatetags.l10n",
    },
)
SHOWN = {"form_show_errors": True, "form_show_labels": True, "label_class": "", "field_class": ""}


def crispy_field(bound: Any) -> str:
    """What ``{{ field|as_crispy_field }}`` writes with the packages' templates."""
    template = PACKAGES.get_template("bootstrap5/field.html")
    return template.render(Context({**SHOWN, "field": bound}))


def crispy_form(form: forms.BaseForm) -> str:
    """What ``{{ form|crispy }}`` writes with the packages' templates."""
    template = PACKAGES.get_template("bootstrap5/uni_form.html")
    return template.render(
        Context({**SHOWN, "field_template": "bootstrap5/field.html", "form": form})
    )


def same(markup: str) -> str:
    """Markup with its whitespace as a browser reads it: any run of it is one space, and
    none before a tag's closing bracket."""
    return re.sub(r"\s+>", ">", re.sub(r"\s+", " ", str(markup))).strip()


class Kinds(forms.Form):
    """What Everything lacks: choices as checkboxes, help texts, grouped radio buttons,
    a textarea, a date in three boxes, a date with its shortcuts, a field not required."""

    needs = forms.MultipleChoiceField(
        choices=[("a", "Housing"), ("b", "Food & clothes")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose <em>any</em>.",
    )
    urgency = forms.ChoiceField(
        choices=[("Soon", [("1", "Today"), ("2", "This week")]), ("3", "Later")],
        widget=forms.RadioSelect,
        help_text="How soon?",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    born = SplitDateField(label="Date of birth", help_text="For example, 03 27 1990")
    seen = forms.DateField(widget=RecentDateInput, required=False, help_text="The day.")
    agreed = forms.BooleanField(required=False, help_text="Only if they said yes.")
    kind = forms.ChoiceField(choices=[("", "---"), ("x", "X")], help_text="Pick one.")

    def clean(self) -> dict[str, Any]:
        raise forms.ValidationError("Something about the whole form.")


WRONG = {
    "kind": "nope",
    "kinds": ["zzz"],
    "count": "many",
    "day": "2026-02-31",
    "email": "not an address",
    "needs": ["zzz"],
    "urgency": "9",
    "born_day": "31",
    "born_month": "2",
    "born_year": "2019",
    "seen": "soon",
}


def forms_to_compare(door: Program) -> list[tuple[str, Callable[[], forms.BaseForm]]]:
    programs = Program.objects.filter(pk=door.pk)
    two = Program.objects.filter(pk__in=[door.pk, Program.objects.create(name="B").pk])
    parent_data = {"parents-0-consent_to_contact": "on"}
    child_data = {"children-0-placement_status": "out_of_home"}
    future = {"received_on": "2999-01-01"}
    return [
        ("everything", lambda: Everything(initial={"kinds": ["a"], "agreed": True})),
        ("everything, wrong", lambda: Everything(WRONG)),
        ("kinds", lambda: Kinds(initial={"agreed": True, "seen": datetime.date(2026, 3, 1)})),
        ("kinds, wrong", lambda: Kinds(WRONG)),
        ("parent", lambda: ParentForm(prefix="parents-0")),
        ("parent, empty", lambda: ParentForm(parent_data, prefix="parents-0")),
        ("child", lambda: ChildIntakeForm(prefix="children-0")),
        ("child, wrong", lambda: ChildIntakeForm(child_data, prefix="children-0")),
        ("referral", lambda: ReferralForm(programs=two, on_behalf=True)),
        ("referral, wrong", lambda: ReferralForm(future, programs=two, on_behalf=True)),
        ("referral, one program", lambda: ReferralForm(programs=programs, on_behalf=False)),
    ]  # fmt: skip


@pytest.mark.django_db
def test_each_field_is_written_as_crispy_writes_it(door: Program) -> None:
    compared = set()
    for name, make in forms_to_compare(door):
        theirs_form, ours_form = make(), make()
        theirs_form.is_bound and theirs_form.is_valid()
        ours_form.is_bound and ours_form.is_valid()
        for theirs, ours in zip(theirs_form, ours_form, strict=True):
            if theirs.name == "source_event":
                continue  # the page writes it itself (referral_form.html)
            assert same(as_field(ours)) == same(crispy_field(theirs)), f"{name}: {theirs.name}"
            compared.add(type(theirs.field.widget).__name__)
    assert {
        "CheckboxInput",
        "CheckboxSelectMultiple",
        "DateInputsWidget",
        "EmailInput",
        "HiddenInput",
        "RadioSelect",
        "RecentDateInput",
        "Select",
        "Textarea",
        "TextInput",
    } <= compared


@pytest.mark.django_db
def test_each_form_is_written_as_crispy_writes_it(door: Program) -> None:
    for name, make in forms_to_compare(door):
        theirs_form, ours_form = make(), make()
        if "referral" in name:
            continue  # its source_event widget is written by the page
        theirs_form.is_bound and theirs_form.is_valid()
        ours_form.is_bound and ours_form.is_valid()
        assert same(as_fields(ours_form)) == same(crispy_form(theirs_form)), name


def test_errors_and_help_are_tied_to_their_field() -> None:
    form = Kinds(WRONG)
    page = as_fields(form)
    assert "Something about the whole form." in page
    born = as_field(form["born"])
    assert 'class="form-label requiredField fs-6"> Date of birth<span' in same(born)
    assert 'aria-describedby="id_born_helptext id_born_error"' in born
    assert 'id="id_born_error" class="invalid-feedback"' in born
    assert "Enter a real date, for example 03 27 2007." in born
    urgency = as_field(form["urgency"])
    assert 'aria-invalid="true"' in urgency or "is-invalid" in urgency
    assert 'id="id_urgency_helptext"' in urgency


def test_templates_are_compiled_once_per_process(settings: Any) -> None:
    """Without DEBUG, Django's cached loader keeps each compiled template: a form page of
    a hundred template renders reads and parses none of them again. A ``loaders`` option in
    TEMPLATES would turn that off unless it names the cached loader."""
    from django.template import engines
    from django.template.loaders.cached import Loader

    engine = engines["django"].engine  # type: ignore[attr-defined]
    assert not engine.debug
    assert [type(loader) for loader in engine.template_loaders] == [Loader]
