"""Recommendations: from a meeting to adopted or declined, every step in the history."""

from __future__ import annotations

import pytest
from django.utils import timezone

from councils.models import Recommendation, RecommendationStatus
from psp.models import AuditAction, AuditEntry
from tests.councils.factories import (
    CouncilFactory,
    CouncilMemberFactory,
    MeetingFactory,
    RecommendationFactory,
    days_ago,
)

pytestmark = pytest.mark.django_db

PROPOSED, UNDER_REVIEW, ADOPTED, DECLINED = (
    RecommendationStatus.PROPOSED,
    RecommendationStatus.UNDER_REVIEW,
    RecommendationStatus.ADOPTED,
    RecommendationStatus.DECLINED,
)


@pytest.fixture
def move(client_for):
    def post(user, recommendation: Recommendation, to_status: str, **extra: str):
        recommendation.refresh_from_db()
        return client_for(user).post(
            f"/councils/recommendations/{recommendation.pk}/status/",
            {"to_status": to_status, "version": str(recommendation.version), **extra},
            follow=True,
        )

    return post


def test_coordinator_adds_a_recommendation_from_a_meeting(
    personas, door_council, council_members, client_for
):
    meeting = MeetingFactory(council=door_council, held_on=days_ago(5))
    client = client_for(personas["door_coordinator"])
    form = client.get(f"/councils/{door_council.pk}/recommendations/new/?meeting={meeting.pk}")
    assert form.context["form"].initial["meeting"] == meeting
    response = client.post(
        f"/councils/{door_council.pk}/recommendations/new/",
        {
            "title": "Offer family visits in the evening",
            "details": "Parents who work days miss visits.",
            "area": "practice",
            "owner": "CPS supervisor",
            "meeting": str(meeting.pk),
            "raised_by": str(council_members["parent_a"].pk),
            "proposed_on": meeting.held_on.isoformat(),
        },
    )
    recommendation = Recommendation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/councils/recommendations/{recommendation.pk}/"
    assert recommendation.status == PROPOSED
    assert recommendation.meeting == meeting
    assert recommendation.raised_by == council_members["parent_a"]
    assert list(recommendation.status_changes.values_list("from_status", "to_status")) == [
        ("", PROPOSED)
    ]
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="councils.recommendation"
    ).exists()
    meeting_page = client.get(f"/councils/meetings/{meeting.pk}/").content.decode()
    assert "Offer family visits in the evening" in meeting_page


def test_status_history_from_proposed_to_adopted(personas, door_council, move):
    recommendation = RecommendationFactory(council=door_council)
    coordinator = personas["door_coordinator"]
    page = move(coordinator, recommendation, UNDER_REVIEW).content.decode()
    assert "is now “Under review”" in page
    page = move(coordinator, recommendation, ADOPTED, note="Starts in January").content.decode()
    assert "is now “Adopted”" in page
    assert "Starts in January" in page

    recommendation.refresh_from_db()
    assert recommendation.status == ADOPTED
    assert recommendation.decided_on == timezone.localdate()
    history = list(
        recommendation.status_changes.values_list(
            "from_status", "to_status", "actor__username", "note"
        )
    )
    assert history == [
        ("", PROPOSED, None, ""),
        (PROPOSED, UNDER_REVIEW, "door-coordinator", ""),
        (UNDER_REVIEW, ADOPTED, "door-coordinator", "Starts in January"),
    ]
    changes = list(
        AuditEntry.objects.filter(
            action=AuditAction.UPDATE, object_id=str(recommendation.pk)
        ).values_list("changes", flat=True)
    )
    assert {"status": [UNDER_REVIEW, ADOPTED], "note": "Starts in January"} in changes


def test_a_proposal_can_be_declined_straight_away(personas, door_council, move):
    recommendation = RecommendationFactory(council=door_council)
    move(personas["door_coordinator"], recommendation, DECLINED, note="Outside our mandate")
    recommendation.refresh_from_db()
    assert recommendation.status == DECLINED
    assert recommendation.decided_on == timezone.localdate()


@pytest.mark.parametrize(
    ("start", "to_status"),
    [
        (PROPOSED, ADOPTED),
        (PROPOSED, PROPOSED),
        (UNDER_REVIEW, PROPOSED),
        (ADOPTED, UNDER_REVIEW),
        (ADOPTED, DECLINED),
        (DECLINED, ADOPTED),
    ],
)
def test_illegal_moves_are_refused_with_a_message(personas, door_council, move, start, to_status):
    recommendation = RecommendationFactory(council=door_council, status=start)
    page = move(personas["door_coordinator"], recommendation, to_status).content.decode()
    assert "cannot be marked" in page
    recommendation.refresh_from_db()
    assert recommendation.status == start
    assert recommendation.status_changes.count() == 1


def test_an_unknown_status_is_refused_at_the_form(personas, door_council, client_for):
    recommendation = RecommendationFactory(council=door_council)
    response = client_for(personas["door_coordinator"]).post(
        f"/councils/recommendations/{recommendation.pk}/status/",
        {"to_status": "approved", "version": "1"},
    )
    assert response.status_code == 400
    recommendation.refresh_from_db()
    assert recommendation.status == PROPOSED


def test_a_stale_page_cannot_overwrite_a_newer_decision(personas, door_council, move, client_for):
    recommendation = RecommendationFactory(council=door_council)
    stale = recommendation.version
    move(personas["door_coordinator"], recommendation, UNDER_REVIEW)
    response = client_for(personas["door_coordinator"]).post(
        f"/councils/recommendations/{recommendation.pk}/status/",
        {"to_status": DECLINED, "version": str(stale)},
        follow=True,
    )
    assert "Someone else changed this recommendation a moment ago" in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.status == UNDER_REVIEW


def test_who_may_move_a_recommendation(personas, door_council, move, client_for):
    recommendation = RecommendationFactory(council=door_council)
    for persona in ["door_pp_coordinator", "state", "admin"]:
        assert move(personas[persona], recommendation, UNDER_REVIEW).status_code == 403
    # State staff follow it (and see no buttons); another county does not even see it.
    page = client_for(personas["state"]).get(f"/councils/recommendations/{recommendation.pk}/")
    assert page.status_code == 200
    assert "Start the review" not in page.content.decode()
    assert move(personas["rock_coordinator"], recommendation, UNDER_REVIEW).status_code == 404
    # State staff lead the State Advisory Council's recommendations.
    state_idea = RecommendationFactory(council=CouncilFactory(program=None, kind="state"))
    move(personas["state"], state_idea, UNDER_REVIEW)
    state_idea.refresh_from_db()
    assert state_idea.status == UNDER_REVIEW


def test_missing_answers_are_shown_at_the_field(personas, door_council, client_for):
    response = client_for(personas["door_coordinator"]).post(
        f"/councils/{door_council.pk}/recommendations/new/",
        {"title": "", "area": "", "owner": "", "details": "Kept details", "proposed_on": ""},
    )
    assert response.status_code == 200
    text = response.content.decode()
    for field, message in [
        ("title", "Enter the recommendation."),
        ("area", "Choose the area the recommendation is about."),
        ("owner", "Enter who follows the recommendation up."),
    ]:
        assert message in text
        assert f'href="#id_{field}' in text
    assert "Kept details</textarea>" in text
    assert not Recommendation.objects.exists()


def test_a_meeting_or_member_of_another_council_is_refused(
    personas, door_council, client_for, rock
):
    other_meeting = MeetingFactory(council=CouncilFactory(program=rock))
    response = client_for(personas["door_coordinator"]).post(
        f"/councils/{door_council.pk}/recommendations/new/",
        {
            "title": "Idea",
            "area": "policy",
            "owner": "Director",
            "meeting": str(other_meeting.pk),
            "raised_by": str(CouncilMemberFactory(council=other_meeting.council).pk),
            "proposed_on": days_ago(1).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not Recommendation.objects.exists()


def test_editing_keeps_the_status_and_refuses_a_stale_copy(personas, door_council, client_for):
    recommendation = RecommendationFactory(council=door_council, status=UNDER_REVIEW)
    data = {
        "title": "Offer evening visits twice a week",
        "area": "practice",
        "owner": "CPS supervisor",
        "proposed_on": recommendation.proposed_on.isoformat(),
        "version": str(recommendation.version),
    }
    client = client_for(personas["door_coordinator"])
    url = f"/councils/recommendations/{recommendation.pk}/edit/"
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "title": "Someone else's title"})
    assert "Someone else changed this record" in stale.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.title == "Offer evening visits twice a week"
    assert recommendation.status == UNDER_REVIEW


def test_list_filters_by_status_and_council(personas, door_council, client_for, rock):
    adopted = RecommendationFactory(council=door_council, status=ADOPTED, title="Evening visits")
    RecommendationFactory(council=door_council, status=PROPOSED, title="Fathers' group")
    rock_council = CouncilFactory(program=rock)
    rock_idea = RecommendationFactory(council=rock_council, status=ADOPTED, title="Rock idea")

    def titles(user, **query):
        page = client_for(user).get("/councils/recommendations/", query).context["page"]
        return {recommendation.title for recommendation in page.object_list}

    coordinator = personas["door_coordinator"]
    assert titles(coordinator) == {"Evening visits", "Fathers' group"}
    assert titles(coordinator, status=ADOPTED) == {adopted.title}
    assert titles(coordinator, q="fathers") == {"Fathers' group"}
    # State staff see every council's recommendations and can narrow them to one council.
    assert titles(personas["state"], status=ADOPTED) == {adopted.title, rock_idea.title}
    assert titles(personas["state"], council=rock_council.pk) == {rock_idea.title}


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow(
    personas, door_council, client_for, rows, django_assert_max_num_queries
):
    meeting = MeetingFactory(council=door_council)
    member = CouncilMemberFactory(council=door_council, lived_experience=True)
    for _ in range(rows):
        RecommendationFactory(council=door_council, meeting=meeting, raised_by=member)
    client = client_for(personas["state"])
    with django_assert_max_num_queries(12):
        response = client.get("/councils/recommendations/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(rows, 25)


def test_whose_idea_shows_lived_experience_only_to_the_program(
    personas, door_council, council_members, client_for
):
    recommendation = RecommendationFactory(
        council=door_council, raised_by=council_members["parent_a"]
    )
    url = f"/councils/recommendations/{recommendation.pk}/"
    coordinator_page = client_for(personas["door_coordinator"]).get(url).content.decode()
    assert "Ashley Olson" in coordinator_page
    assert "Parent with lived experience" in coordinator_page
    state_page = client_for(personas["state"]).get(url).content.decode()
    assert "Ashley Olson" in state_page
    assert "Parent with lived experience" not in state_page
