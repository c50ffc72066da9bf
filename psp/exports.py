"""Helpers every CSV export shares."""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@")


def csv_safe(values: list[Any]) -> list[Any]:
    """Stop a spreadsheet from running a cell as a formula (CSV injection)."""
    return [
        f"'{value}" if isinstance(value, str) and value[:1] in FORMULA_PREFIXES else value
        for value in values
    ]
