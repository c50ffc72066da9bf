"""The widget templates in templates/django/forms/widgets/ and templates/bootstrap5/ write
the small templates Django and crispy-bootstrap5 include for each option or input into one:
a long list of options renders with a template instead of two or three each. The markup must
stay exactly what the packages write, or labels, errors and browser tests drift."""

from __future__ import annotations

from pathlib import Path

import crispy_bootstrap5  # type: ignore[import-untyped]
from django import forms
from django.template import Context, Engine

# The packages' own templates, without the project's templates directory in front of them.
PACKAGES = Engine(
    loaders=["django.template.loaders.app_directories.Loader"],
    libraries={"crispy_forms_filters": "crispy_forms.templatetags.crispy_forms_filters"},
)


class Everything(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", "Any"), ("Group", [("a", "A & B"), ("b", "<b>")]), ("c", "C")],
        widget=forms.Select(attrs={"aria-describedby": "kind_hint", "required": True}),
    )
    kinds = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")])
    note = forms.CharField(widget=forms.TextInput(attrs={"placeholder": 'say "hi"'}))
    secret = forms.CharField(widget=forms.HiddenInput)
    count = forms.IntegerField()
    day = forms.DateField()
    hour = forms.TimeField()
    email = forms.EmailField()
    link = forms.URLField(assume_scheme="https")
    phone = forms.CharField(widget=forms.TextInput(attrs={"type": "tel"}))
    agreed = forms.BooleanField()
    pick = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.RadioSelect)


def test_each_widget_renders_as_the_packages_templates_do() -> None:
    form = Everything(
        initial={
            "kind": "b",
            "kinds": ["a", "b"],
            "note": "x & y",
            "secret": 7,
            "count": 3,
            "agreed": True,
            "pick": "y",
        }
    )
    for bound in form:
        widget = bound.field.widget
        attrs = {**bound.build_widget_attrs({}), "id": bound.auto_id}
        context = widget.get_context(bound.html_name, bound.value(), attrs)
        theirs = PACKAGES.get_template(widget.template_name).render(Context(context))
        # Form renderers strip what a template writes around the widget.
        assert widget.render(bound.html_name, bound.value(), attrs) == theirs.strip(), bound.name


def test_crispy_choices_template_is_the_packages_with_attrs_written_in() -> None:
    ours = (
        Path(__file__).resolve().parents[2]
        / "templates/bootstrap5/layout/radio_checkbox_select.html"
    ).read_text()
    theirs = (
        Path(crispy_bootstrap5.__file__).parent
        / "templates/bootstrap5/layout/radio_checkbox_select.html"
    ).read_text()
    attrs = (
        Path(crispy_bootstrap5.__file__).parent / "templates/bootstrap5/layout/attrs.html"
    ).read_text()
    body = ours.split("{% endcomment %}", 1)[1]
    assert body == theirs.replace(
        '{% include "bootstrap5/layout/attrs.html" with widget=option %}',
        attrs.replace("widget.attrs", "option.attrs"),
    )
