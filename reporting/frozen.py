"""A quarter's numbers as they were filed: ``reporting.metrics.quarter_report``'s result as JSON
and back, so that a closed quarter's report is made again from what was filed, never from
today's records.

``encode`` turns the report's data (the metrics' frozen dataclasses, dates, Decimals, tuples,
dicts with any keys) into plain JSON values; ``decode`` gives back equal objects of the same
types, so the PDF and CSV made from decoded data are byte for byte the ones made from the
data itself. Only the dataclasses listed in ``TYPES`` are rebuilt: stored JSON never names a
class to import.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise

from reporting import metrics, suppression
from reporting.quarters import Quarter

TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        metrics.CountByCode,
        metrics.ReferralMetrics,
        metrics.FamilyMetrics,
        metrics.ContactTypeRow,
        metrics.ContactMetrics,
        metrics.Indicator,
        metrics.TargetPeriod,
        metrics.OutcomeMetrics,
        metrics.SurveyMetrics,
        metrics.WorkforceMetrics,
        metrics.CouncilMetrics,
        metrics.OutreachMetrics,
        metrics.SchoolMetrics,
        metrics.RaceEthnicityByProgram,
        metrics.Headline,
        suppression.Table,
        Quarter,
    )
}


def encode(value: Any) -> Any:
    """``value`` as JSON-ready lists, dicts, strings, numbers, booleans and None."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Promise):  # a lazy translation: the words in the active language
        return str(value)
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if TYPES.get(name) is not type(value):
            raise TypeError(f"{name} cannot be filed")
        return {
            "$type": name,
            "fields": {
                field.name: encode(getattr(value, field.name))
                for field in dataclasses.fields(value)
            },
        }
    if isinstance(value, tuple):
        return {"$tuple": [encode(item) for item in value]}
    if isinstance(value, frozenset | set):
        return {"$set": sorted((encode(item) for item in value), key=repr)}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {"$dict": [[encode(key), encode(item)] for key, item in value.items()]}
    raise TypeError(f"{type(value).__name__} cannot be filed")


def decode(value: Any) -> Any:
    """The objects ``encode`` was given."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$decimal" in value:
        return Decimal(value["$decimal"])
    if "$datetime" in value:
        return datetime.datetime.fromisoformat(value["$datetime"])
    if "$date" in value:
        return datetime.date.fromisoformat(value["$date"])
    if "$tuple" in value:
        return tuple(decode(item) for item in value["$tuple"])
    if "$set" in value:
        return frozenset(decode(item) for item in value["$set"])
    if "$dict" in value:
        return {_key(decode(key)): decode(item) for key, item in value["$dict"]}
    if "$type" in value:
        cls = TYPES[value["$type"]]
        return cls(**{name: decode(item) for name, item in value["fields"].items()})
    raise ValueError(f"Not a filed value: {sorted(value)[:3]}")


def _key(key: Any) -> Any:
    """Dict keys must be hashable: a list decoded from a key is made a tuple."""
    return tuple(key) if isinstance(key, list) else key
