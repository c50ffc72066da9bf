"""The coordinators' search box: a family found by a parent's or child's name (accents and
case ignored) or by referral number, across the programs they coordinate and no other."""

from __future__ import annotations

import pytest

from psp.models import AuditAction, AuditEntry
from referrals.models import Status
from tests.factories import ChildFactory, ParentFactory, ReferralFactory
from tests.mentoring.factories import assign_case

pytestmark = pytest.mark.django_db


def family(program, parent: tuple[str, str], child: str, **referral):
    made = ReferralFactory(family__program=program, **referral)
    made.family.parents.all().delete()
    made.family.children.all().delete()
    ParentFactory(family=made.family, first_name=parent[0], last_name=parent[1])
    ChildFactory(family=made.family, first_name=child, last_name=parent[1])
    return made


@pytest.fixture
def families(personas, door, rock):
    garcia = family(door, ("José", "García"), "Inés", status=Status.ACCEPTED)
    assign_case(garcia, personas["door_parent_partner"])
    other = family(door, ("Anna", "Berg"), "Tomas")
    elsewhere = family(rock, ("Josephine", "Garcia"), "Lupe")
    return garcia, other, elsewhere


def found(client, query: str) -> str:
    response = client.get("/referrals/search/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_a_family_is_found_by_parent_child_or_number_accents_ignored(
    personas, client_for, families, django_assert_max_num_queries
) -> None:
    garcia, other, _elsewhere = families
    coordinator = client_for(personas["door_coordinator"])

    with django_assert_max_num_queries(15):
        page = found(coordinator, "jose garcia")
    assert "José García" in page and "Anna Berg" not in page
    assert "1 family found" in page
    # The family's case is one tap away.
    assert f'href="/mentoring/cases/{garcia.case.pk}/"' in page
    assert "Inés" in found(coordinator, "INES")
    assert "José García" in found(coordinator, "ines")
    assert "Anna Berg" in found(coordinator, other.number)
    assert "No family you can see matches" in found(coordinator, "Nobody Here")


def test_another_programs_families_are_never_found(personas, client_for, families) -> None:
    _garcia, _other, elsewhere = families
    door = client_for(personas["door_coordinator"])
    rock = client_for(personas["rock_coordinator"])

    assert "Josephine" not in found(door, "garcia")
    assert "No family you can see matches" in found(door, elsewhere.number)
    page = found(rock, "garcia")
    assert "Josephine Garcia" in page and "José" not in page


def test_only_coordinators_search(personas, client_for, families) -> None:
    for persona in ("door_parent_partner", "door_social_worker", "state", "no_role"):
        response = client_for(personas[persona]).get("/referrals/search/", {"q": "garcia"})
        assert response.status_code == 403, persona
    # The box is in the navigation for those who may use it, and only for them.
    home = client_for(personas["door_coordinator"]).get("/referrals/").content.decode()
    partner_home = client_for(personas["door_parent_partner"]).get("/mentoring/").content.decode()
    assert 'id="nav-search"' in home
    assert 'id="nav-search"' not in partner_home


def test_a_search_is_audited_with_what_was_asked(personas, client_for, families) -> None:
    found(client_for(personas["door_coordinator"]), "garcia")
    entry = AuditEntry.objects.filter(
        action=AuditAction.VIEW, object_type="referrals.referral"
    ).latest("id")
    assert entry.actor_id == personas["door_coordinator"].pk
    assert entry.changes == {"query": "q=garcia"}


def test_empty_or_overlong_words_are_told_at_the_field(personas, client_for, families) -> None:
    coordinator = client_for(personas["door_coordinator"])
    empty = found(coordinator, "   ")
    assert "This field is required." in empty
    long = found(coordinator, "x" * 101)
    assert "Ensure this value has at most 100 characters" in long
    assert "families found" not in long


def test_many_matches_show_the_newest_and_say_there_are_more(personas, client_for, door) -> None:
    for number in range(27):
        family(door, ("Sam", f"Lee{number}"), "Kim")
    page = found(client_for(personas["door_coordinator"]), "sam lee")
    assert "More than 25 families found" in page
    assert page.count('class="list-group-item"') == 25


def test_a_family_appears_once_however_many_names_match(personas, client_for, families) -> None:
    page = found(client_for(personas["door_coordinator"]), "garcia ines")
    assert page.count("José García") == 1
