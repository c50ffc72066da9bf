"""Numbers, percents and dollars as the report's reader writes them, in the active language.

The readers are in Wisconsin: each language is written as in the United States (CLDR's
``<language>_US`` where it has one), so Spanish reads 1,234 · 6.8 · 13.5% · $1,234.50 as
English does, not Spain's 1.234 · 6,8 · 13,5 % · 1.234,50 US$. The patterns (separators,
where the % and the currency symbol go) are the Unicode CLDR's, through Babel; a language
CLDR does not know yet is written as in the site's default language. A number keeps the
decimal places it was rounded to ("0.0" hours stays "0.0"), so the report's rounding rules
decide them, not the formatting.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, parse_pattern
from django.conf import settings
from django.utils import translation

CURRENCY = "USD"
MINUS = "\u2212"  # a real minus sign, not a hyphen
TERRITORY = "US"  # where the readers are: each language as written there (es_US)


@cache
def _locale(language: str) -> Locale:
    code = translation.to_locale(language)
    in_the_us = code if "_" in code else f"{code}_{TERRITORY}"
    for candidate in (in_the_us, code):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(translation.to_locale(settings.LANGUAGE_CODE))


def locale() -> Locale:
    """The active language's CLDR locale."""
    return _locale(translation.get_language() or settings.LANGUAGE_CODE)


def _places(value: Decimal | float) -> int:
    """The decimal places ``value`` was rounded to (floats: one)."""
    if isinstance(value, float):
        return 1
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _apply(pattern_text: str, value: Decimal | float | int, places: int) -> str:
    pattern = parse_pattern(pattern_text)
    pattern.frac_prec = (places, places)
    return str(pattern.apply(Decimal(str(value)), locale(), decimal_quantization=True))


def number(value: Any) -> Any:
    """A count or a rounded amount with the reader's separators; anything else (a hidden
    count's "*", an empty cell) as it is."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        return value
    places = 0 if isinstance(value, int) else _places(value)
    return _apply(locale().decimal_formats[None].pattern, value, places)


def signed(value: Any) -> str:
    """A change: "+3", "0", or "3" after a real minus sign (U+2212) when it went down."""
    if not value:
        return "0"
    text = number(abs(value))
    return f"+{text}" if value > 0 else f"{MINUS}{text}"


def percent(value: Any) -> Any:
    """A percent already multiplied by 100 (13.5 is 13.5%), keeping its decimal places."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        return value
    places = 0 if isinstance(value, int) else _places(value)
    return _apply(locale().percent_formats[None].pattern, Decimal(str(value)) / 100, places)


def money(value: Any) -> Any:
    """Dollars, with the symbol where the reader's language puts it."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        return value
    return str(format_currency(value, CURRENCY, locale=locale()))
