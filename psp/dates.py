"""How dates and times are shown and typed: one style per kind of date, in the reader's language.

The kinds (their formats are in ``psp/formats/<language>/formats.py``):

- ``date``: a day, "Dec 1, 2026" (es "1 dic 2026");
- ``datetime``: a moment, "Dec 1, 2026, 1:20 PM" (es "1 dic 2026, 13:20"), in Wisconsin time;
- ``time``: a time of day, "1:20 PM" (es "13:20");
- ``day``: a day with its weekday, for headings and agendas, "Wednesday, December 2, 2026"
  (es "miércoles, 2 de diciembre de 2026");
- ``month``: "December 2026" (es "diciembre de 2026");
- ``month_name`` and ``month_abbr``: a month alone, where its year is said elsewhere (a
  chart's axis, a quarter's months): "December" / "Dec" (es "diciembre" / "dic").

Templates write ``{{ value|when:"date" }}`` (text: titles, e-mails, sentences) or
``{{ value|when_tag:"date" }}`` (a ``<time datetime="2026-12-01">`` element); code calls
``format_when(value, "date")``. Nothing else spells a format (tests/psp/test_dates.py checks
the templates). A language without a format module of its own is shown in English formats.

Dates are typed month first, MM/DD/YYYY, in every language (``TYPED_DATE_FORMATS``): these
are forms filled in the United States. The browser's date picker sends ISO (2026-03-27),
which is accepted too. CSV exports keep ISO dates for the machines that read them.
"""

from __future__ import annotations

import datetime
import importlib
from functools import cache
from types import ModuleType

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString

KINDS = {
    "date": "DATE_FORMAT",
    "datetime": "DATETIME_FORMAT",
    "time": "TIME_FORMAT",
    "day": "DAY_FORMAT",
    "month": "YEAR_MONTH_FORMAT",
    "month_name": "MONTH_NAME_FORMAT",
    "month_abbr": "MONTH_ABBR_FORMAT",
}
MONTH_KINDS = ("month", "month_name", "month_abbr")

# Typed dates: month first, and the ISO form the browser's date picker sends.
TYPED_DATE_FORMATS = ["%m/%d/%Y", "%Y-%m-%d"]

When = datetime.date | datetime.datetime | datetime.time


@cache
def _format_module(language: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"psp.formats.{language}.formats")
    except ImportError:
        return None


def kind_format(kind: str, language: str | None = None) -> str:
    """The format string of ``kind`` in ``language`` (the active one by default), falling
    back from "es-us" to "es", then to English."""
    name = KINDS[kind]
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    for code in (translation.to_locale(language), language.split("-")[0], "en"):
        module = _format_module(code)
        if module is not None and hasattr(module, name):
            return str(getattr(module, name))
    raise LookupError(name)  # pragma: no cover - the English module names every kind


def _local(value: When, kind: str) -> When:
    """A moment in Wisconsin time; a moment shown as a day is the day it was there."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        if kind in ("date", "day", *MONTH_KINDS):
            return value.date()
    return value


def format_when(value: When | None, kind: str = "date") -> str:
    """``value`` in the style of ``kind`` (see the module's docstring); "" for no value."""
    if value is None or value == "":
        return ""
    value = _local(value, kind)
    if isinstance(value, datetime.time):
        return formats.time_format(value, kind_format(kind))
    return formats.date_format(value, kind_format(kind))


def machine_when(value: When, kind: str = "date") -> str:
    """The ISO form of ``value`` for a ``<time datetime>`` attribute."""
    value = _local(value, kind)
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if kind in MONTH_KINDS:
        return value.strftime("%Y-%m")
    return value.isoformat()


def time_element(value: When | None, kind: str = "date") -> SafeString:
    """``value`` shown as ``kind`` inside ``<time datetime="ISO">``; "" for no value."""
    if value is None or value == "":
        return SafeString("")
    return format_html(
        '<time datetime="{}">{}</time>', machine_when(value, kind), format_when(value, kind)
    )
