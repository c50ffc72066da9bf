"""Dates in templates, one style per kind (see ``psp.dates``): ``{{ value|when:"date" }}``
for text, ``{{ value|when_tag:"date" }}`` for a ``<time>`` element. Built into every
template (settings.TEMPLATES), so no ``{% load %}`` is needed."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from psp.dates import KINDS, When, format_when, time_element

register = template.Library()


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise template.TemplateSyntaxError(
            f"Unknown kind of date {kind!r}: one of {', '.join(KINDS)}."
        )
    return kind


@register.filter(expects_localtime=True)
def when(value: When | None, kind: str = "date") -> str:
    """``{{ referral.received_on|when:"date" }}``: the value in the style of its kind."""
    return format_when(value, _kind(kind))


@register.filter(expects_localtime=True)
def when_tag(value: When | None, kind: str = "date") -> SafeString:
    """``{{ step.at|when_tag:"datetime" }}``: the same, inside ``<time datetime="ISO">``."""
    return time_element(value, _kind(kind))
