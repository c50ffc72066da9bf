"""Form fields as crispy-bootstrap5 writes them, each from one template.

``{{ form.name|as_field }}`` writes what crispy-forms' ``{{ form.name|as_crispy_field }}``
writes, and ``{{ form|as_fields }}`` what ``{{ form|crispy }}`` writes, with the bootstrap5
pack and without a ``FormHelper`` (the project's forms have none): the same label, legend,
classes, ids, aria attributes, error messages and help text. Crispy renders a field through
its field.html, which tests the widget with a dozen filters and includes three or four more
templates (help text and errors, the errors block, the help text, the list of choices);
here the widget is looked at once, in Python, and the field is written by
``includes/field.html`` alone. A page of forty fields (the intake form) renders about a
hundred and twenty templates fewer.

tests/psp/test_field_template.py renders every kind of field the project uses both ways,
with and without errors, and compares the markup.
"""

from __future__ import annotations

from typing import Any

from crispy_forms.templatetags.crispy_forms_filters import (  # type: ignore[import-untyped]
    as_crispy_field,
    optgroups,
)
from crispy_forms.templatetags.crispy_forms_utils import (  # type: ignore[import-untyped]
    remove_spaces,
)
from django import forms, template
from django.conf import settings
from django.forms import BoundField
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

FIELD_TEMPLATE = "includes/field.html"


def _add_classes(bound: BoundField, classes: str) -> None:
    """crispy-forms' ``{% crispy_field field 'class' classes %}``: the widget's (or each
    subwidget's) class list gets the widget's class name and ``classes``, kept on the
    widget as crispy keeps them, so the attributes come out in crispy's order."""
    widget = bound.field.widget
    converters = getattr(settings, "CRISPY_CLASS_CONVERTERS", {})
    for one in getattr(widget, "widgets", [getattr(widget, "widget", widget)]):
        class_name = one.__class__.__name__.lower()
        class_name = converters.get(class_name, class_name)
        css_class = one.attrs.get("class", "")
        if css_class:
            if css_class.find(class_name) == -1:
                css_class += f" {class_name}"
        else:
            css_class = class_name
        one.attrs["class"] = css_class
        for name in classes.split():
            if name not in one.attrs["class"].split():
                one.attrs["class"] += f" {name}"


def render_field(bound: BoundField) -> str:
    """The field's markup (safe: every value in it escaped by the templates)."""
    widget = bound.field.widget
    if widget.is_hidden:
        return bound.__html__()  # the widget's template, escaped by it
    if isinstance(widget, forms.FileInput):
        # None in the project's forms: crispy's own markup, whatever it is.
        return as_crispy_field(bound)
    errors = bound.errors
    context: dict[str, Any] = {
        "field": bound,
        "errors": errors,
        "auto_id": bound.auto_id,
        "label": bound.label,
        "required": bound.field.required,
        "help_text": bound.help_text,
        "css_classes": bound.css_classes(),
    }
    if isinstance(widget, forms.CheckboxInput):
        context["kind"] = "checkbox"
        _add_classes(bound, "form-check-input is-invalid" if errors else "form-check-input")
        context["widget"] = str(bound)
    else:
        use_fieldset = bound.use_fieldset
        context.update(
            use_fieldset=use_fieldset,
            aria_describedby=bound.aria_describedby if use_fieldset else "",
            id_for_label=bound.id_for_label,
        )
        if isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple is one too
            context["kind"] = "choices"
            context["optgroups"] = optgroups(bound)
            context["html_name"] = bound.html_name
        else:
            context["kind"] = "input"
            base = "form-select" if isinstance(widget, forms.Select) else "form-control"
            _add_classes(bound, f"{base} is-invalid" if errors else base)
            context["widget"] = str(bound)
    return get_template(FIELD_TEMPLATE).render(context)


@register.filter
def as_field(bound: BoundField) -> str:
    """``{{ form.name|as_field }}``: crispy's ``as_crispy_field``, from one template."""
    return render_field(bound)


@register.filter
def as_fields(form: forms.BaseForm) -> SafeString:
    """``{{ form|as_fields }}``: crispy's ``|crispy`` for a form: its errors that belong to
    no field, then each field, with the whitespace between tags squeezed as crispy does."""
    parts = []
    if form.non_field_errors():
        parts.append(get_template("bootstrap5/errors.html").render({"form": form}))
    parts.extend(render_field(bound) for bound in form)
    # Rendered templates, escaped by them; only the whitespace between tags is squeezed.
    return mark_safe(remove_spaces("\n".join(parts).strip()))  # noqa: S308
