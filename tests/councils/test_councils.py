"""Councils and their members: who sees which council, setting one up, the member list."""

from __future__ import annotations

import html

import pytest

from councils.models import Council, CouncilKind, CouncilMember, RecommendationStatus
from psp.models import AuditAction, AuditEntry, Role
from tests.councils.factories import (
    CouncilFactory,
    CouncilMemberFactory,
    MeetingFactory,
    RecommendationFactory,
    days_ago,
)
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def names(response) -> set[str]:
    return {council.name for council in response.context["page"].object_list}


def test_each_role_sees_its_councils(personas, door_council, rock, client_for):
    rock_council = CouncilFactory(program=rock, name="Rock council")
    state_council = CouncilFactory(program=None, kind=CouncilKind.STATE, name="State council")
    CouncilMemberFactory(council=state_council, user=personas["door_coordinator"])

    assert names(client_for(personas["door_coordinator"]).get("/councils/")) == {
        door_council.name,
        state_council.name,  # as a member of it
    }
    assert names(client_for(personas["door_pp_coordinator"]).get("/councils/")) == {
        door_council.name
    }
    assert names(client_for(personas["state"]).get("/councils/")) == {
        door_council.name,
        rock_council.name,
        state_council.name,
    }
    rock_page = client_for(personas["rock_coordinator"]).get(f"/councils/{door_council.pk}/")
    assert rock_page.status_code == 404
    for persona in ["door_parent_partner", "door_clinical", "door_social_worker", "no_role"]:
        assert client_for(personas[persona]).get("/councils/").status_code == 403


def test_list_rows_count_members_meetings_and_open_recommendations(
    personas, door_council, council_members, client_for
):
    CouncilMemberFactory(council=door_council, lived_experience=True, is_active=False)
    MeetingFactory(council=door_council, held_on=days_ago(30))
    MeetingFactory(council=door_council, held_on=days_ago(2))
    upcoming = MeetingFactory(council=door_council, held_on=days_ago(-12))
    MeetingFactory(council=door_council, held_on=days_ago(-40))
    RecommendationFactory(council=door_council)
    RecommendationFactory(council=door_council, status=RecommendationStatus.UNDER_REVIEW)
    RecommendationFactory(council=door_council, status=RecommendationStatus.ADOPTED)
    [row] = client_for(personas["door_coordinator"]).get("/councils/").context["page"]
    assert row.member_count == 4  # the former member does not count
    assert row.lived_experience_count == 2
    assert row.last_meeting_on == days_ago(2)
    assert row.next_meeting_on == upcoming.held_on
    assert row.open_recommendation_count == 2


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow(personas, client_for, rows, django_assert_max_num_queries):
    for n in range(rows):
        council = CouncilFactory(program=ProgramFactory(county=f"County {n:02d}"))
        CouncilMemberFactory(council=council, lived_experience=True)
        MeetingFactory(council=council)
        RecommendationFactory(council=council)
    client = client_for(personas["state"])
    with django_assert_max_num_queries(11):
        response = client.get("/councils/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(rows, 25)


def test_coordinator_sets_up_the_program_council(personas, rock, client_for):
    client = client_for(personas["rock_coordinator"])
    empty = client.get("/councils/").content.decode()
    assert "Use “Set up a council” to add it" in empty
    response = client.post("/councils/new/", {"council": str(rock.pk), "name": ""})
    council = Council.objects.get(program=rock)
    assert response.status_code == 302
    assert response["Location"] == f"/councils/{council.pk}/"
    assert council.name == "Rock County PSP Local Advisory Council"
    assert council.kind == CouncilKind.LOCAL
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="councils.council", program_id=rock.pk
    ).exists()
    # Nothing left to set up: the page says so and goes back to the list.
    again = client.get("/councils/new/", follow=True)
    assert "Your councils are already set up." in again.content.decode()


def test_state_staff_set_up_the_state_council_only(personas, door, client_for):
    client = client_for(personas["state"])
    form = client.get("/councils/new/").context["form"]
    assert [value for value, _label in form.fields["council"].choices] == ["state"]
    response = client.post("/councils/new/", {"council": str(door.pk)})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    client.post("/councils/new/", {"council": "state", "name": ""})
    assert Council.objects.get().kind == CouncilKind.STATE
    assert Council.objects.get().program is None


def test_parent_partner_coordinator_is_told_whom_to_ask(personas, door, client_for):
    page = client_for(personas["door_pp_coordinator"]).get("/councils/").content.decode()
    assert "Ask your Program Coordinator to set it up." in page
    assert "Set up a council" not in page


def test_navigation_shows_councils_to_those_who_have_one(personas, door_council, client_for):
    def has_link(persona: str) -> bool:
        page = client_for(personas[persona]).get("/dashboard/").content.decode()
        return 'href="/councils/"' in page

    assert has_link("door_coordinator") and has_link("state") and has_link("admin")
    assert not has_link("door_clinical") and not has_link("door_social_worker")
    CouncilMemberFactory(council=door_council, user=personas["door_clinical"])
    assert has_link("door_clinical")


def test_contact_details_are_for_the_program_coordinators(
    personas, door_council, council_members, client_for
):
    email = council_members["parent_a"].email
    coordinator_page = client_for(personas["door_pp_coordinator"]).get(
        f"/councils/{door_council.pk}/"
    )
    assert email in coordinator_page.content.decode()
    state_page = client_for(personas["state"]).get(f"/councils/{door_council.pk}/")
    text = state_page.content.decode()
    assert "Ashley Olson" in text  # the member list itself is not secret
    assert email not in text and "Lived experience" not in text


def test_coordinator_adds_a_member_with_a_user_account(
    personas, door_council, client_for, make_member, door
):
    new_parent = make_member(door, Role.PARENT_PARTNER, username="door-pp-2")
    client = client_for(personas["door_coordinator"])
    form = client.get(f"/councils/{door_council.pk}/members/new/").context["form"]
    assert new_parent in form.fields["user"].queryset
    assert personas["rock_coordinator"] not in form.fields["user"].queryset
    response = client.post(
        f"/councils/{door_council.pk}/members/new/",
        {
            "name": "Tamara Olson",
            "council_role": "member",
            "lived_experience": "on",
            "term_start": days_ago(10).isoformat(),
            "is_active": "on",
            "user": str(new_parent.pk),
        },
    )
    assert response.status_code == 302
    member = CouncilMember.objects.get(name="Tamara Olson")
    assert member.lived_experience and member.user == new_parent
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="councils.councilmember"
    ).exists()
    # A seat lets them read the council.
    assert client_for(new_parent).get(f"/councils/{door_council.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the member's name."),
        ({"term_start": ""}, "term_start", "Enter the date the member's term starts."),
        (
            {"term_end": days_ago(20).isoformat()},
            "term_end",
            "Enter an end date after the start of the term.",
        ),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
    ],
)
def test_bad_member_input_is_shown_at_the_field(
    personas, door_council, client_for, changes, field, message
):
    data = {
        "name": "Kept Name",
        "organisation": "Kept organisation",
        "council_role": "member",
        "term_start": days_ago(10).isoformat(),
        "is_active": "on",
        **changes,
    }
    response = client_for(personas["door_coordinator"]).post(
        f"/councils/{door_council.pk}/members/new/", data
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert html.escape(message) in text
    assert f'href="#id_{field}"' in text
    assert 'value="Kept organisation"' in text
    assert not CouncilMember.objects.exists()


def test_the_same_user_cannot_hold_two_seats(personas, door_council, client_for):
    CouncilMemberFactory(council=door_council, user=personas["door_pp_coordinator"])
    response = client_for(personas["door_coordinator"]).post(
        f"/councils/{door_council.pk}/members/new/",
        {
            "name": "Again",
            "council_role": "member",
            "term_start": days_ago(10).isoformat(),
            "user": str(personas["door_pp_coordinator"].pk),
        },
    )
    assert response.status_code == 200
    assert "This person is already a member of the council." in response.content.decode()


def test_editing_a_member_ends_their_seat(personas, door_council, council_members, client_for):
    parent = council_members["parent_b"]
    response = client_for(personas["door_coordinator"]).post(
        f"/councils/members/{parent.pk}/edit/",
        {
            "name": parent.name,
            "council_role": "member",
            "lived_experience": "on",
            "term_start": parent.term_start.isoformat(),
            "term_end": days_ago(1).isoformat(),
        },
    )
    assert response.status_code == 302
    parent.refresh_from_db()
    assert not parent.is_active
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="councils.councilmember")
    assert entry.changes["is_active"] == [True, False]


def test_detail_query_count_does_not_grow(
    personas, door_council, client_for, django_assert_max_num_queries
):
    for n in range(12):
        member = CouncilMemberFactory(council=door_council, lived_experience=n % 2 == 0)
        MeetingFactory(council=door_council, held_on=days_ago(n * 30 + 1))
        RecommendationFactory(council=door_council, raised_by=member)
    client = client_for(personas["door_coordinator"])
    with django_assert_max_num_queries(18):
        assert client.get(f"/councils/{door_council.pk}/").status_code == 200
