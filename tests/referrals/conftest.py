"""Helpers for posting the intake form as a browser would."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from django.utils import timezone


def intake_data(
    *,
    program_id: int | None = None,
    parents: list[dict[str, Any]] | None = None,
    children: list[dict[str, Any]] | None = None,
    **referral: Any,
) -> dict[str, Any]:
    """The POST body of the intake page: the referral, a parents and a children formset."""
    parents = (
        parents
        if parents is not None
        else [
            {"first_name": "María", "last_name": "López", "birth_date": datetime.date(1994, 3, 27)}
        ]
    )
    children = (
        children
        if children is not None
        else [{"first_name": "Sofía", "birth_date": datetime.date(2018, 6, 2)}]
    )
    data: dict[str, Any] = {
        "urgency": "routine",
        "needs": ["housing"],
        "reason": "Mother asked for support after removal.",
        "parents-TOTAL_FORMS": str(max(len(parents), 1) + 1),
        "parents-INITIAL_FORMS": "0",
        "parents-MIN_NUM_FORMS": "1",
        "parents-MAX_NUM_FORMS": "4",
        "children-TOTAL_FORMS": str(len(children)),
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "1",
        "children-MAX_NUM_FORMS": "12",
    }
    if program_id is not None:
        data["program"] = str(program_id)
    data.update(referral)
    for index in range(len(parents) + 1):
        row = parents[index] if index < len(parents) else {}
        prefix = f"parents-{index}-"
        data[prefix + "preferred_language"] = row.get("preferred_language", "en")
        data[prefix + "race_ethnicity"] = row.get("race_ethnicity", "")
        data[prefix + "consent_date"] = row.get("consent_date", timezone.localdate().isoformat())
        if row:
            data[prefix + "first_name"] = row.get("first_name", "")
            data[prefix + "last_name"] = row.get("last_name", "")
            birth = row.get("birth_date")
            if isinstance(birth, datetime.date):
                birth = (birth.day, birth.month, birth.year)
            day, month, year = birth or ("", "", "")
            data[prefix + "birth_date_day"] = str(day)
            data[prefix + "birth_date_month"] = str(month)
            data[prefix + "birth_date_year"] = str(year)
            data[prefix + "phone"] = row.get("phone", "")
            data[prefix + "email"] = row.get("email", "")
            if row.get("consent_to_contact", True):
                data[prefix + "consent_to_contact"] = "on"
                data[prefix + "consent_method"] = row.get("consent_method", "verbal")
    for index, row in enumerate(children):
        prefix = f"children-{index}-"
        birth = row.get("birth_date")
        if isinstance(birth, datetime.date):
            birth = (birth.day, birth.month, birth.year)
        day, month, year = birth or ("", "", "")
        data[prefix + "first_name"] = row.get("first_name", "")
        data[prefix + "last_name"] = row.get("last_name", "")
        data[prefix + "birth_date_day"] = str(day)
        data[prefix + "birth_date_month"] = str(month)
        data[prefix + "birth_date_year"] = str(year)
        data[prefix + "placement_status"] = row.get("placement_status", "at_home")
        data[prefix + "out_of_home_type"] = row.get("out_of_home_type", "")
        removal = row.get("removal_date", "")
        data[prefix + "removal_date"] = removal.isoformat() if removal else ""
        # A school-based program's questions (ignored by a child-welfare program's form).
        for name in ("school", "grade", "education_plan"):
            if name in row:
                data[prefix + name] = str(row[name])
        for name in ("mental_health_needs", "behaviour_needs"):
            if row.get(name):
                data[prefix + name] = "on"
    return data


def race_options(page: str, name: str) -> list[tuple[str, bool, str]]:
    """The options of the select ``name`` on ``page``: (value, selected, label)."""
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert match, name
    return [
        (value, bool(selected), html.unescape(label))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', match.group(1)
        )
    ]


@pytest.fixture
def intake() -> Any:
    return intake_data
