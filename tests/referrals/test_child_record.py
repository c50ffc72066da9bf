"""Correcting a child's record: outcome dates validated for sense, no silent overwrites."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from psp.models import AuditAction, AuditEntry
from referrals.models import Child, PermanencyType

pytestmark = pytest.mark.django_db


def child_data(child: Child, version: int, **changes: str) -> dict[str, str]:
    assert child.birth_date is not None
    data = {
        "first_name": child.first_name,
        "last_name": child.last_name,
        "birth_date_day": str(child.birth_date.day),
        "birth_date_month": str(child.birth_date.month),
        "birth_date_year": str(child.birth_date.year),
        "placement_status": child.placement_status,
        "out_of_home_type": child.out_of_home_type,
        "removal_date": child.removal_date.isoformat() if child.removal_date else "",
        "permanency_date": "",
        "permanency_type": "",
        "reentry_date": "",
        "version": str(version),
    }
    data.update(changes)
    return data


def test_coordinator_records_a_reunification(personas, door_referral, client_for):
    child = door_referral.family.children.get()
    day = (child.removal_date + datetime.timedelta(days=30)).isoformat()
    response = client_for(personas["door_coordinator"]).post(
        f"/referrals/children/{child.pk}/edit/",
        child_data(
            child,
            door_referral.family.version,
            placement_status="at_home",
            permanency_date=day,
            permanency_type=PermanencyType.REUNIFICATION,
        ),
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.permanency_date.isoformat() == day
    assert child.days_in_out_of_home_care == 30
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="referrals.child")
    assert entry.changes["permanency_type"] == ["", PermanencyType.REUNIFICATION]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"permanency_date": "2000-01-01", "permanency_type": "reunification"},
            "permanency_date",
            "must be after the removal date",
        ),
        (
            {"removal_date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()},
            "removal_date",
            "This date cannot be in the future.",
        ),
        (
            {"reentry_date": "2020-01-01"},
            "reentry_date",
            "can only re-enter care after a reunification",
        ),
        (
            {"permanency_date": timezone.localdate().isoformat()},
            "permanency_type",
            "Choose the type of permanency.",
        ),
    ],
)
def test_dates_that_make_no_sense_are_refused_at_the_field(
    personas, door_referral, client_for, changes, field, message
):
    child = door_referral.family.children.get()
    before = child.removal_date
    response = client_for(personas["door_coordinator"]).post(
        f"/referrals/children/{child.pk}/edit/",
        child_data(child, door_referral.family.version, **changes),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'href="#id_{field}"' in page
    child.refresh_from_db()
    assert child.removal_date == before


def test_two_people_correcting_the_same_family(personas, door_referral, client_for):
    child = door_referral.family.children.get()
    opened = door_referral.family.version
    first = client_for(personas["door_coordinator"]).post(
        f"/referrals/children/{child.pk}/edit/", child_data(child, opened, first_name="Lily")
    )
    assert first.status_code == 302
    second = client_for(personas["door_pp_coordinator"]).post(
        f"/referrals/children/{child.pk}/edit/", child_data(child, opened, first_name="Lilly")
    )
    assert second.status_code == 200
    assert "Someone else changed this record" in second.content.decode()
    assert 'value="Lilly"' in second.content.decode()
    child.refresh_from_db()
    assert child.first_name == "Lily"
