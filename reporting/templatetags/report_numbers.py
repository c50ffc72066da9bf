"""Filters for the report's numbers in the reader's language (``reporting.numbers``):
``{{ value|number }}``, ``{{ value|percent }}``, ``{{ value|money }}``, ``{{ value|signed }}``."""

from __future__ import annotations

from django import template

from reporting import numbers

register = template.Library()

register.filter("number", numbers.number, is_safe=True)
register.filter("percent", numbers.percent, is_safe=True)
register.filter("money", numbers.money, is_safe=True)
register.filter("signed", numbers.signed, is_safe=True)
