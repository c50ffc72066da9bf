"""The program's panel of a coordinator's dashboard is kept made until what it shows changes.

Each kind of change a coordinator would notice shows on the very next visit; a change in
another program leaves the kept panel alone; the person, the language, the day and the
numbers are part of what it is kept under (``reporting.dashboards.program_board``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from mentoring.models import Case, CaseStatus, ParentPartner, ReviewStatus
from psp.models import Membership, Program, Role
from referrals.models import Status
from tests.clock import CHICAGO
from tests.factories import ReferralFactory
from tests.mentoring.factories import ActivityFactory, ParentPartnerFactory
from tests.psp.test_dashboard import DAY, ago, open_case, panel

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(personas: dict[str, Any], door: Program) -> Case:
    """A Door case a month without contact, with a hearing next week; a Parent Partner."""
    case = open_case(door, personas["door_parent_partner"], last_contact_days=30)
    Case.objects.filter(pk=case.pk).update(next_court_date=timezone.localdate() + 7 * DAY)
    ParentPartnerFactory(program=door, first_name="Maria", last_name="Vang", capacity=5)
    ReferralFactory(family__program=door, status=Status.RECEIVED)
    return case


def visit(client: Any, **params: Any) -> tuple[str, bool]:
    """The panel of the dashboard, and whether it was made (rather than kept)."""
    response = client.get("/dashboard/", params)
    assert response.status_code == 200
    return panel(response), response.context["program_dashboard"] is not None


def _contact_logged(case: Case, door: Program) -> tuple[str | None, str | None]:
    ActivityFactory(case=case, at=ago(1), activity_type="check_in")
    return "0 families have had no contact in 14 days.", None


def _partner_renamed(case: Case, door: Program) -> tuple[str | None, str | None]:
    ParentPartner.objects.filter(first_name="Maria").update(first_name="Mariah")
    return "Mariah Vang", "Maria Vang"


def _referral_received(case: Case, door: Program) -> tuple[str | None, str | None]:
    ReferralFactory(family__program=door, status=Status.RECEIVED)
    return "2 received, not yet screened", None


def _hearing_moved(case: Case, door: Program) -> tuple[str | None, str | None]:
    Case.objects.filter(pk=case.pk).update(next_court_date=timezone.localdate() + 30 * DAY)
    return "No court hearings in the next 14 days.", None


def _case_closed(case: Case, door: Program) -> tuple[str | None, str | None]:
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    return "0 families have had no contact in 14 days.", None


def _contact_signed_off(case: Case, door: Program) -> tuple[str | None, str | None]:
    case.activities.update(review_status=ReviewStatus.SIGNED_OFF)
    return "0 contacts waiting for review", "1 contact waiting for review"


def _program_renamed(case: Case, door: Program) -> tuple[str | None, str | None]:
    Program.objects.filter(pk=door.pk).update(name="Door County Parents Supporting Parents")
    return "Door County Parents Supporting Parents", None


def _program_short_name_changed(case: Case, door: Program) -> tuple[str | None, str | None]:
    Program.objects.filter(pk=door.pk).update(slug="door-county")
    return "?program=door-county&amp;", f"?program={door.slug}&amp;"


CHANGES: dict[str, Callable[[Case, Program], tuple[str | None, str | None]]] = {
    "a contact logged": _contact_logged,
    "a Parent Partner renamed": _partner_renamed,
    "a referral received": _referral_received,
    "a hearing moved": _hearing_moved,
    "the case closed": _case_closed,
    "a contact signed off": _contact_signed_off,
    "the program renamed": _program_renamed,
    "the program's short name changed": _program_short_name_changed,
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_every_change_shows_on_the_next_visit(personas, door, busy, client_for, change):
    client = client_for(personas["door_coordinator"])
    first, made = visit(client)
    assert made
    kept, made = visit(client)
    assert not made and kept == first
    assert "Maria Vang" in kept and "1 received, not yet screened" in kept

    appears, disappears = CHANGES[change](busy, door)
    if appears:
        assert appears not in kept
    after, made = visit(client)
    assert made
    if appears:
        assert appears in after
    if disappears:
        assert disappears in kept and disappears not in after


def test_a_change_in_another_county_leaves_the_kept_panel_alone(
    personas, door, rock, busy, client_for
):
    client = client_for(personas["door_coordinator"])
    visit(client)
    ReferralFactory(family__program=rock, status=Status.RECEIVED)
    open_case(rock, personas["rock_coordinator"], last_contact_days=40)
    _, made = visit(client)
    assert not made


def test_each_coordinator_has_a_panel_of_their_own(personas, door, busy, client_for, make_member):
    other = make_member(door, Role.PROGRAM_COORDINATOR)
    mine, theirs = client_for(personas["door_coordinator"]), client_for(other)
    visit(mine)
    _, made = visit(theirs)
    assert made


def test_a_coordinator_of_two_programs_gets_each_programs_own_panel(
    personas, door, rock, busy, client_for
):
    coordinator = personas["door_coordinator"]
    Membership.objects.create(user=coordinator, program=rock, role=Role.PROGRAM_COORDINATOR)
    client = client_for(coordinator)
    for _ in range(2):
        door_panel, _ = visit(client, program=door.pk)
        rock_panel, _ = visit(client, program=rock.pk)
        assert "Maria Vang" in door_panel and "Maria Vang" not in rock_panel
        assert 'id="program-dashboard-title">Rock County PSP</h2>' in rock_panel


def test_the_language_is_part_of_the_kept_panel(personas, busy, client_for):
    client = client_for(personas["door_coordinator"])
    visit(client)
    english, _ = visit(client)
    assert "Caseloads" in english
    client.post("/i18n/setlang/", {"language": "es", "next": "/dashboard/"})
    spanish, made = visit(client)
    assert made and "Caseloads" not in spanish and "Número de familias" in spanish


def test_losing_the_role_is_seen_at_once(personas, door, busy, client_for):
    coordinator = personas["door_coordinator"]
    client = client_for(coordinator)
    visit(client)
    Membership.objects.filter(user=coordinator, program=door).update(is_active=False)
    response = client.get("/dashboard/")
    assert "Maria Vang" not in response.content.decode()


def test_numbers_computed_afresh_make_the_panel_again(personas, door, busy, client_for):
    client = client_for(personas["door_coordinator"])
    visit(client)
    ActivityFactory(case=busy, at=ago(1), activity_type="home_visit")
    visit(client)  # made again for the contact; the quarter's numbers are still the cached
    cache.delete_many([f"dashboard:program:{door.pk}:live:{timezone.localdate().isoformat()}"])
    _, made = visit(client)
    assert made


# Just before midnight in Wisconsin (the evening DST ends, a year's end, the evening before
# DST starts): the 14th day without a contact begins with the new day, though nothing was
# written.
EVENINGS = [
    datetime.datetime(2026, 10, 31, 23, 50, tzinfo=CHICAGO),
    datetime.datetime(2026, 12, 31, 23, 50, tzinfo=CHICAGO),
    datetime.datetime(2027, 3, 13, 23, 50, tzinfo=CHICAGO),
]


@pytest.mark.parametrize("evening", EVENINGS, ids=lambda moment: moment.date().isoformat())
def test_a_new_day_makes_the_panel_again(personas, door, client_for, evening):
    with time_machine.travel(evening, tick=False):
        case = open_case(door, personas["door_parent_partner"], last_contact_days=None)
        Case.objects.filter(pk=case.pk).update(opened_on=evening.date() - 60 * DAY)
        ActivityFactory(case=case, at=evening - 13 * DAY)
        client = client_for(personas["door_coordinator"])
        visit(client)
        before, made = visit(client)
        assert not made
        assert "0 families have had no contact in 14 days." in before
    with time_machine.travel(evening + datetime.timedelta(minutes=20), tick=False):
        after, made = visit(client)
    assert made
    assert "0 families have had no contact in 14 days." not in after
