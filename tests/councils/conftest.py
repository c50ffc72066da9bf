"""A Door council with members, as most council tests need it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from councils.models import Council, CouncilRole
from psp.models import Program
from tests.councils.factories import CouncilFactory, CouncilMemberFactory


@pytest.fixture
def door_council(door: Program) -> Council:
    return CouncilFactory(program=door, name="Door Local Advisory Council")


@pytest.fixture
def council_members(personas: dict[str, Any], door_council: Council) -> dict[str, Any]:
    """The coordinator (staff support), two parents with lived experience and a partner."""
    return {
        "coordinator": CouncilMemberFactory(
            council=door_council,
            name="Vivian Grair",
            council_role=CouncilRole.STAFF,
            user=personas["door_coordinator"],
        ),
        "parent_a": CouncilMemberFactory(
            council=door_council, name="Ashley Olson", lived_experience=True
        ),
        "parent_b": CouncilMemberFactory(
            council=door_council, name="Marcus Bell", lived_experience=True
        ),
        "partner": CouncilMemberFactory(
            council=door_council, name="Kari Jeanquart", organisation="Sturgeon Bay Schools"
        ),
    }


def meeting_form_data(marks: list[tuple[Any, str]] | None = None, **fields: Any) -> dict[str, Any]:
    """The POST body of the meeting page: the meeting, then one attendance row per member."""
    marks = marks or []
    data: dict[str, Any] = {
        "held_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "starts_at": "17:30",
        "location": "Government Center, room 2",
        "video_link": "",
        "agenda": "",
        "minutes": "",
        "guests": "",
        "attendance-TOTAL_FORMS": str(len(marks)),
        "attendance-INITIAL_FORMS": str(len(marks)),
        "attendance-MIN_NUM_FORMS": "0",
        "attendance-MAX_NUM_FORMS": "500",
    }
    for index, (member, status) in enumerate(marks):
        data[f"attendance-{index}-member"] = str(member.pk)
        if status:
            data[f"attendance-{index}-status"] = status
    data.update({key: str(value) for key, value in fields.items()})
    return data


@pytest.fixture
def meeting_post() -> Any:
    return meeting_form_data


@pytest.fixture
def intake_data() -> Any:
    """The referral intake form's POST body (see tests/referrals/conftest.py)."""
    from tests.referrals.conftest import intake_data as build

    return build
