"""The case: goals and the Parent Partner's input, closing with the children's outcomes."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from mentoring.models import CaseStatus, GoalProgress, GoalStatus
from psp.models import AuditAction, AuditEntry
from referrals.models import DischargeReason, Status
from tests.factories import ReferralFactory
from tests.mentoring.factories import assign_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas, door):
    referral = ReferralFactory(
        family__program=door, status=Status.ACCEPTED, referred_by=personas["door_social_worker"]
    )
    return assign_case(referral, personas["door_parent_partner"], opened_days_ago=90)


def test_coordinator_adds_goals_and_the_partner_gives_progress(personas, case, client_for):
    client_for(personas["door_coordinator"]).post(
        f"/mentoring/cases/{case.pk}/goals/", {"text": "Find stable housing"}
    )
    goal = case.goals.get()
    partner = client_for(personas["door_parent_partner"])
    assert partner.post(f"/mentoring/cases/{case.pk}/goals/", {"text": "x"}).status_code == 403
    partner.post(
        f"/mentoring/goals/{goal.pk}/progress/",
        {"note": "Signed a lease in Sturgeon Bay", "status": "met", "shared_with_referrer": "on"},
    )
    goal.refresh_from_db()
    assert goal.status == GoalStatus.MET
    assert GoalProgress.objects.get().author == personas["door_parent_partner"]
    # The referring social worker sees what was shared.
    page = client_for(personas["door_social_worker"]).get(f"/referrals/{case.referral_id}/")
    assert "Signed a lease in Sturgeon Bay" in page.content.decode()


def test_a_refused_goal_or_progress_note_comes_back_with_what_was_typed(personas, case, client_for):
    coordinator = client_for(personas["door_coordinator"])
    too_long = "Find housing near the bus line " * 20  # over 300 characters
    response = coordinator.post(f"/mentoring/cases/{case.pk}/goals/", {"text": too_long})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert too_long.strip() in page
    assert not case.goals.exists()

    goal = case.goals.create(text="Stay in treatment")
    other = case.goals.create(text="Keep every family time visit")
    response = client_for(personas["door_parent_partner"]).post(
        f"/mentoring/goals/{goal.pk}/progress/", {"note": "Went to group twice", "status": "?"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Went to group twice" in page
    assert f'id="id_goal-{goal.pk}-note"' in page and f'id="id_goal-{other.pk}-note"' in page
    assert not GoalProgress.objects.exists()


def test_progress_kept_private_is_not_shown_to_the_referrer(personas, case, client_for):
    goal = case.goals.create(text="Stay in treatment")
    client_for(personas["door_parent_partner"]).post(
        f"/mentoring/goals/{goal.pk}/progress/", {"note": "Private detail", "status": "working"}
    )
    page = client_for(personas["door_social_worker"]).get(f"/referrals/{case.referral_id}/")
    assert "Private detail" not in page.content.decode()


def close_data(case, child, **changes):
    data = {
        "version": str(case.version),
        "closed_on": timezone.localdate().isoformat(),
        "outcome": "reunified",
        "note": "Family back together.",
        f"child-{child.pk}-discharged_on": (
            timezone.localdate() - datetime.timedelta(days=5)
        ).isoformat(),
        f"child-{child.pk}-discharge_reason": DischargeReason.REUNIFICATION,
    }
    data.update(changes)
    return data


def test_closing_records_outcome_children_and_ends_the_assignment(personas, case, client_for):
    child = case.family.children.get()
    client = client_for(personas["door_coordinator"])
    page = client.get(f"/mentoring/cases/{case.pk}/close/").content.decode()
    assert f'name="child-{child.pk}-discharged_on"' in page  # the child in care has a form
    response = client.post(f"/mentoring/cases/{case.pk}/close/", close_data(case, child))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.closure_outcome == "reunified"
    # The child's stay in care is closed: they left care 5 days ago, reunified.
    episode = child.episodes.get()
    assert episode.discharged_on == timezone.localdate() - datetime.timedelta(days=5)
    assert episode.discharge_reason == DischargeReason.REUNIFICATION
    entry = AuditEntry.objects.get(
        action=AuditAction.UPDATE, object_type="referrals.removalepisode"
    )
    assert entry.changes["discharge_reason"] == ["", DischargeReason.REUNIFICATION]
    assert case.assignments.get().ended_on == timezone.localdate()
    # No more contacts can be logged on a closed case.
    assert (
        client_for(personas["door_parent_partner"])
        .get(f"/mentoring/log/?case={case.pk}")
        .context.get("no_cases")
        is True
    )


def test_closing_with_the_child_still_in_care_leaves_the_stay_open(personas, case, client_for):
    child = case.family.children.get()
    response = client_for(personas["door_coordinator"]).post(
        f"/mentoring/cases/{case.pk}/close/",
        close_data(
            case,
            child,
            **{f"child-{child.pk}-discharged_on": "", f"child-{child.pk}-discharge_reason": ""},
        ),
    )
    assert response.status_code == 302
    assert child.episodes.get().discharged_on is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"discharged_on": "before"}, "discharged_on", "must be on or after the removal date"),
        ({"discharge_reason": ""}, "discharge_reason", "Choose why the child left care."),
        ({"discharged_on": ""}, "discharged_on", "Enter the date the child left care"),
        ({"discharged_on": "tomorrow"}, "discharged_on", "cannot be in the future"),
    ],
)
def test_closing_with_a_discharge_that_makes_no_sense_is_refused_at_the_field(
    personas, case, client_for, changes, field, message
):
    child = case.family.children.get()
    removed_on = child.episodes.get().removed_on
    days = {
        "before": (removed_on - datetime.timedelta(days=10)).isoformat(),
        "tomorrow": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
    }
    data = close_data(
        case, child, **{f"child-{child.pk}-{name}": days.get(v, v) for name, v in changes.items()}
    )
    response = client_for(personas["door_coordinator"]).post(
        f"/mentoring/cases/{case.pk}/close/", data
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'href="#id_child-{child.pk}-{field}' in page  # radios: their first option
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert child.episodes.get().discharged_on is None


def test_closing_in_the_future_is_refused(personas, case, client_for):
    child = case.family.children.get()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client_for(personas["door_coordinator"]).post(
        f"/mentoring/cases/{case.pk}/close/", close_data(case, child, closed_on=tomorrow)
    )
    assert "The closing date cannot be in the future." in response.content.decode()


def test_goal_change_with_version_check(personas, case, client_for):
    client = client_for(personas["door_coordinator"])
    assert (
        client.post(
            f"/mentoring/cases/{case.pk}/edit/",
            {"version": "1", "permanency_goal": "guardianship"},
        ).status_code
        == 302
    )
    stale = client.post(
        f"/mentoring/cases/{case.pk}/edit/", {"version": "1", "permanency_goal": "adoption"}
    )
    assert "Someone else changed this record" in stale.content.decode()
    case.refresh_from_db()
    assert case.permanency_goal == "guardianship"


def test_a_case_closes_today_at_any_hour(at_local, personas, case, client_for):
    child = case.family.children.get()
    today = at_local.date()
    response = client_for(personas["door_coordinator"]).post(
        f"/mentoring/cases/{case.pk}/close/", close_data(case, child, closed_on=str(today))
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_on) == (CaseStatus.CLOSED, today)
    assert case.assignments.get().ended_on == today


def test_a_rule_the_service_refuses_on_a_case_edit_is_shown_not_a_server_error(
    personas, case, client_for, monkeypatch
):
    from django.core.exceptions import ValidationError

    from mentoring import services

    def refuse(**kwargs: object) -> None:
        raise ValidationError({"permanency_goal": "Choose a goal the court ordered."})

    monkeypatch.setattr(services, "case_update", refuse)
    response = client_for(personas["door_coordinator"]).post(
        f"/mentoring/cases/{case.pk}/edit/", {"version": "1", "permanency_goal": "adoption"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose a goal the court ordered." in page
    assert 'href="#id_permanency_goal_0"' in page
