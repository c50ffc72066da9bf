"""CSV export of the filtered list: coordinators only, audited, safe to open in a spreadsheet."""

from __future__ import annotations

import pytest

from psp.models import AuditAction, AuditEntry, Role
from referrals.models import Language, Status
from tests.downloads import csv_rows as rows
from tests.factories import ChildFactory, ParentFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def test_export_matches_the_filtered_list(personas, door, rock, client_for):
    accepted = ReferralFactory(
        family__program=door, members=False, status=Status.ACCEPTED, needs=["housing", "food"]
    )
    ParentFactory(
        family=accepted.family,
        first_name="Mai",
        last_name="Xiong",
        preferred_language=Language.HMONG,
    )
    ChildFactory(family=accepted.family)
    ChildFactory(family=accepted.family)
    ReferralFactory(family__program=door)  # received: filtered out
    ReferralFactory(family__program=rock, status=Status.ACCEPTED)  # another program

    response = client_for(personas["door_coordinator"]).get(
        "/referrals/export.csv", {"status": "accepted"}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    [row] = rows(response)
    assert row["Number"] == accepted.number
    assert row["Parents"] == "Mai Xiong"
    assert row["Preferred language"] == "Hmong"
    assert row["Children"] == "2"
    assert row["Needs"] == "Housing; Food"
    assert row["Status"] == "Accepted"
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor_username == "door-coordinator"
    assert entry.changes == {"filters": {"status": "accepted"}, "rows": 1}
    assert entry.program_id == door.pk


def test_the_programs_coordinators_see_the_export_in_their_audit_log(
    personas, door, rock, client_for, make_member
):
    ReferralFactory(family__program=door)
    client_for(personas["door_coordinator"]).get("/referrals/export.csv")
    colleague = make_member(door, Role.PROGRAM_COORDINATOR)
    door_log = client_for(colleague).get("/audit/", {"action": "export"})
    assert "Referrals CSV (1 rows)" in door_log.getvalue().decode()
    rock_log = client_for(personas["rock_coordinator"]).get("/audit/", {"action": "export"})
    assert "Referrals CSV" not in rock_log.getvalue().decode()


def test_formulas_are_not_run_by_a_spreadsheet(personas, door, client_for):
    referral = ReferralFactory(family__program=door, members=False, referrer_name="=HYPERLINK(1)")
    ParentFactory(family=referral.family)
    [row] = rows(client_for(personas["door_coordinator"]).get("/referrals/export.csv"))
    assert row["Referrer"] == "'=HYPERLINK(1)"


def test_social_workers_cannot_export(personas, client_for):
    assert (
        client_for(personas["door_social_worker"]).get("/referrals/export.csv").status_code == 403
    )
