"""Referrals in the Django admin follow the same policy and leave audit entries."""

from __future__ import annotations

import pytest

from psp.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def test_administrator_opening_a_family_record_is_audited(personas, door_referral, client_for):
    client = client_for(personas["admin"])
    assert client.get(f"/admin/referrals/referral/{door_referral.pk}/change/").status_code == 200
    assert (
        client.get(f"/admin/referrals/family/{door_referral.family_id}/change/").status_code == 200
    )
    viewed = set(
        AuditEntry.objects.filter(action=AuditAction.VIEW, actor_username="admin").values_list(
            "object_type", flat=True
        )
    )
    assert viewed == {"referrals.referral", "referrals.family"}


def test_coordinators_do_not_reach_the_admin(personas, door_referral, client_for):
    response = client_for(personas["door_coordinator"]).get("/admin/referrals/referral/")
    assert response.status_code == 302


def test_detail_view_is_audited_with_the_program(personas, door_referral, client_for, door):
    client_for(personas["door_coordinator"]).get(f"/referrals/{door_referral.pk}/")
    entry = AuditEntry.objects.get(action=AuditAction.VIEW, object_type="referrals.referral")
    assert entry.actor_username == "door-coordinator"
    assert entry.program_id == door.pk
